import { House, type LucideIcon, UserRound, Wallet, Wrench } from 'lucide-react';
import type { MessageKey } from '~/i18n/zh-CN';

export const residentNavItems: { to: string; labelKey: MessageKey; icon: LucideIcon }[] = [
  { to: '/', labelKey: 'resident.nav.home', icon: House },
  { to: '/repairs', labelKey: 'resident.nav.repairs', icon: Wrench },
  { to: '/bills', labelKey: 'resident.nav.bills', icon: Wallet },
  { to: '/me', labelKey: 'resident.nav.me', icon: UserRound },
];
