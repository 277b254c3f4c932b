import { Link, useLocation, useSubmit } from '@remix-run/react';
import { KeyRound, LogIn, LogOut, MonitorSmartphone, UserRound } from 'lucide-react';
import { Button } from '~/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '~/components/ui/dropdown-menu';
import { useT } from '~/i18n/use-t';
import type { MessageKey } from '~/i18n/zh-CN';
import { cn } from '~/lib/utils';
import { signInPath } from '../landing';
import type { Viewer } from '../viewer';

const roleKeys: Record<NonNullable<Viewer['platformRole']>, MessageKey> = {
  owner: 'auth.role.owner',
  admin: 'auth.role.admin',
  support: 'auth.role.support',
};

/** The signed-in user's account menu (name, phone, change password, sign out), or a sign-in link. */
export function UserMenu({
  viewer,
  tone = 'light',
  compact = false,
  className,
}: {
  viewer: Viewer | null;
  tone?: 'light' | 'dark';
  /** Only the avatar (narrow headers); the name is in the menu. */
  compact?: boolean;
  className?: string;
}) {
  const t = useT();
  const location = useLocation();
  const submit = useSubmit();
  // Submitted from the item's select handler: the menu unmounts its items as it closes, before a
  // submit button inside it could submit anything.
  const signOut = (scope: 'local' | 'global') =>
    submit({ scope }, { method: 'post', action: '/auth/sign-out' });
  if (!viewer) {
    return (
      <Button
        asChild
        size="sm"
        variant={tone === 'dark' ? 'secondary' : 'outline'}
        className={cn('rounded-full', className)}
      >
        <Link to={signInPath(`${location.pathname}${location.search}`)}>
          {compact ? null : <LogIn aria-hidden />}
          {t('auth.menu.signIn')}
        </Link>
      </Button>
    );
  }
  const account = viewer.maskedPhone ?? viewer.email ?? '';
  const role = viewer.platformRole
    ? t(roleKeys[viewer.platformRole])
    : viewer.isStaff
      ? t('auth.role.staff')
      : null;
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <button
          type="button"
          aria-label={t('auth.menu.label')}
          className={cn(
            'flex max-w-44 items-center gap-2 rounded-full p-1 text-sm transition-colors focus-visible:outline-2 focus-visible:outline-ring',
            !compact && 'pr-2.5',
            tone === 'dark' ? 'text-console-foreground hover:bg-white/10' : 'hover:bg-muted',
            className,
          )}
        >
          <span
            aria-hidden
            className={cn(
              'grid size-7 shrink-0 place-items-center rounded-full font-medium text-xs',
              tone === 'dark' ? 'bg-console-accent/25 text-console-accent' : 'bg-primary/10 text-primary',
            )}
          >
            {viewer.name ? viewer.name.slice(0, 1) : <UserRound className="size-4" />}
          </span>
          {compact ? null : <span className="truncate">{viewer.name || account}</span>}
        </button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-60">
        <DropdownMenuLabel className="flex flex-col gap-0.5">
          <span className="truncate font-medium">{viewer.name || t('auth.menu.noName')}</span>
          {account ? (
            <span className="truncate font-normal text-muted-foreground text-xs">{account}</span>
          ) : null}
          {role ? <span className="font-normal text-primary text-xs">{role}</span> : null}
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem asChild>
          <Link to="/auth/new-password">
            <KeyRound aria-hidden />
            {t('auth.menu.changePassword')}
          </Link>
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => signOut('local')}>
          <LogOut aria-hidden />
          {t('auth.menu.signOut')}
        </DropdownMenuItem>
        <DropdownMenuItem variant="destructive" onSelect={() => signOut('global')}>
          <MonitorSmartphone aria-hidden />
          {t('auth.menu.signOutEverywhere')}
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
