import {
  ClipboardList,
  House,
  LayoutDashboard,
  type LucideIcon,
  Megaphone,
  ReceiptText,
  Settings,
  ShieldCheck,
  Users,
  Wrench,
} from 'lucide-react';
import type { MessageKey } from '~/i18n/zh-CN';

export const officeNavItems: { to: string; labelKey: MessageKey; icon: LucideIcon }[] = [
  { to: '/office', labelKey: 'office.nav.dashboard', icon: LayoutDashboard },
  { to: '/office/residents', labelKey: 'office.nav.residents', icon: Users },
  { to: '/office/houses', labelKey: 'office.nav.houses', icon: House },
  { to: '/office/repairs', labelKey: 'office.nav.repairs', icon: Wrench },
  { to: '/office/tasks', labelKey: 'office.nav.tasks', icon: ClipboardList },
  { to: '/office/billing', labelKey: 'office.nav.billing', icon: ReceiptText },
  { to: '/office/notices', labelKey: 'office.nav.notices', icon: Megaphone },
  { to: '/office/staff', labelKey: 'office.nav.staff', icon: ShieldCheck },
  { to: '/office/settings', labelKey: 'office.nav.settings', icon: Settings },
];
