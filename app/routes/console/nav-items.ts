import { Building, ChartColumn, type LucideIcon, MapPinned, Settings } from 'lucide-react';
import type { MessageKey } from '~/i18n/zh-CN';

export const consoleNavItems: { to: string; labelKey: MessageKey; icon: LucideIcon }[] = [
  { to: '/console/companies', labelKey: 'console.nav.companies', icon: Building },
  { to: '/console/communities', labelKey: 'console.nav.communities', icon: MapPinned },
  { to: '/console/metrics', labelKey: 'console.nav.metrics', icon: ChartColumn },
  { to: '/console/settings', labelKey: 'console.nav.settings', icon: Settings },
];
