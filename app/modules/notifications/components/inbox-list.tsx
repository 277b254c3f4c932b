import { Form, Link } from '@remix-run/react';
import { BellOff, CheckCheck } from 'lucide-react';
import { EmptyState } from '~/components/empty-state';
import { SubmitButton } from '~/components/forms';
import { Card } from '~/components/ui/card';
import { useLocale, useT } from '~/i18n/use-t';
import type { MessageKey } from '~/i18n/zh-CN';
import { cn } from '~/lib/utils';
import type { InboxItem } from '../notifications.server';
import { formatDateTime } from './format';

export const categoryKeys: Record<InboxItem['category'], MessageKey> = {
  bills: 'notifications.category.bills',
  repairs: 'notifications.category.repairs',
  notices: 'notifications.category.notices',
  activities: 'notifications.category.activities',
  account: 'notifications.category.account',
};

/** The inbox: newest first, unread emphasized; opening an entry marks it read. */
export function InboxList({
  items,
  unread,
  nextCursor,
}: {
  items: InboxItem[];
  unread: number;
  nextCursor: string | null;
}) {
  const t = useT();
  const locale = useLocale();
  return (
    <div className="flex flex-col gap-3">
      <div className="flex items-center justify-between gap-2">
        <p className="text-muted-foreground text-sm" aria-live="polite">
          {unread > 0
            ? t('notifications.inbox.unreadCount', { count: unread })
            : t('notifications.inbox.allRead')}
        </p>
        {unread > 0 ? (
          <Form method="post">
            <SubmitButton intent="markAllRead" variant="outline" size="sm">
              <CheckCheck aria-hidden />
              {t('notifications.inbox.markAllRead')}
            </SubmitButton>
          </Form>
        ) : null}
      </div>
      {items.length === 0 ? (
        <Card className="shadow-none">
          <EmptyState
            icon={BellOff}
            title={t('notifications.inbox.empty')}
            body={t('notifications.inbox.emptyBody')}
          />
        </Card>
      ) : (
        <Card className="gap-0 py-0">
          <ul className="divide-y" aria-label={t('notifications.inbox.title')}>
            {items.map((n) => (
              <li key={n.id} className={cn('flex gap-3 px-4 py-3', !n.read && 'bg-primary/5')}>
                <span
                  aria-hidden
                  className={cn(
                    'mt-1.5 size-2 shrink-0 rounded-full',
                    n.read ? 'bg-transparent' : 'bg-red-600',
                  )}
                />
                <div className="flex min-w-0 flex-1 flex-col gap-1">
                  <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-muted-foreground text-xs">
                    <span>{t(categoryKeys[n.category])}</span>
                    {n.priority !== 'normal' ? (
                      <span
                        className={cn(
                          'font-medium',
                          n.priority === 'emergency' ? 'text-red-600' : 'text-amber-600',
                        )}
                      >
                        {t(
                          n.priority === 'emergency'
                            ? 'notifications.priority.emergency'
                            : 'notifications.priority.important',
                        )}
                      </span>
                    ) : null}
                    <time dateTime={n.createdAt}>{formatDateTime(n.createdAt, locale)}</time>
                    {!n.read ? <span className="sr-only">{t('notifications.inbox.unread')}</span> : null}
                  </div>
                  {n.link ? (
                    <Form method="post">
                      <input type="hidden" name="id" value={n.id} />
                      <button
                        type="submit"
                        name="intent"
                        value="open"
                        className={cn(
                          'break-words text-left text-sm hover:underline',
                          !n.read && 'font-semibold',
                        )}
                      >
                        {n.title}
                      </button>
                    </Form>
                  ) : (
                    <p className={cn('break-words text-sm', !n.read && 'font-semibold')}>{n.title}</p>
                  )}
                  {n.body ? (
                    <p className="line-clamp-2 break-words text-muted-foreground text-sm">{n.body}</p>
                  ) : null}
                </div>
                {!n.read ? (
                  <Form method="post" className="shrink-0 self-center">
                    <input type="hidden" name="id" value={n.id} />
                    <SubmitButton
                      intent="markRead"
                      variant="ghost"
                      size="sm"
                      aria-label={t('notifications.inbox.markReadOne', { title: n.title })}
                    >
                      {t('notifications.inbox.markRead')}
                    </SubmitButton>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
        </Card>
      )}
      {nextCursor ? (
        <Link
          to={`?before=${encodeURIComponent(nextCursor)}`}
          className="self-center text-primary text-sm hover:underline"
        >
          {t('notifications.inbox.older')}
        </Link>
      ) : null}
    </div>
  );
}
