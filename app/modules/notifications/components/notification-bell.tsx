import { Link } from '@remix-run/react';
import { Bell } from 'lucide-react';
import { useT } from '~/i18n/use-t';
import { cn } from '~/lib/utils';

/** The inbox link with its unread badge, for every surface's header. */
export function NotificationBell({
  count,
  to,
  tone = 'light',
  className,
}: {
  count: number;
  to: string;
  tone?: 'light' | 'dark';
  className?: string;
}) {
  const t = useT();
  const label = count > 0 ? t('notifications.bell.unread', { count }) : t('notifications.bell.label');
  return (
    <Link
      to={to}
      aria-label={label}
      title={label}
      prefetch="intent"
      className={cn(
        'relative grid size-9 place-items-center rounded-full transition-colors focus-visible:outline-2 focus-visible:outline-ring',
        tone === 'dark'
          ? 'text-white/80 hover:bg-white/10 hover:text-white'
          : 'text-muted-foreground hover:bg-muted hover:text-foreground',
        className,
      )}
    >
      <Bell aria-hidden className="size-5" />
      {count > 0 ? (
        <span
          aria-hidden
          data-testid="unread-badge"
          className="absolute -top-0.5 -right-0.5 grid h-4.5 min-w-4.5 place-items-center rounded-full bg-red-600 px-1 font-semibold text-[10px] text-white leading-none"
        >
          {count > 99 ? '99+' : count}
        </span>
      ) : null}
    </Link>
  );
}
