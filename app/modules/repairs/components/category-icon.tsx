import {
  ArrowUpDown,
  Car,
  DoorOpen,
  Droplets,
  Flame,
  Lightbulb,
  type LucideIcon,
  Paintbrush,
  Shield,
  Trees,
  Wifi,
  Wrench,
  Zap,
} from 'lucide-react';
import { cn } from '~/lib/utils';
import type { CategoryIcon as IconName } from '../repairs.schema';

const ICONS: Record<IconName, LucideIcon> = {
  droplets: Droplets,
  zap: Zap,
  'door-open': DoorOpen,
  'arrow-up-down': ArrowUpDown,
  trees: Trees,
  flame: Flame,
  wifi: Wifi,
  wrench: Wrench,
  lightbulb: Lightbulb,
  shield: Shield,
  car: Car,
  paintbrush: Paintbrush,
};

export function CategoryIcon({ icon, className }: { icon: IconName; className?: string }) {
  const Icon = ICONS[icon] ?? Wrench;
  return <Icon aria-hidden className={cn('size-5', className)} />;
}

/** A category's name in the page's language (the Chinese name when no English one is set). */
export function categoryName(c: { name: string; nameEn: string | null }, locale: string): string {
  return locale === 'en' && c.nameEn ? c.nameEn : c.name;
}
