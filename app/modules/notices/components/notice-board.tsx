import { Link } from '@remix-run/react';
import { Megaphone } from 'lucide-react';
import { EmptyState } from '~/components/empty-state';
import { useLocale, useT } from '~/i18n/use-t';
import { cn } from '~/lib/utils';
import { formatDateTime } from '~/modules/notifications/components/format';
import type { ResidentNoticeItem } from '../notices.server';
import { NoticeTags } from './notice-tags';

/** Residents' list of notices: pinned first, unread marked with a dot and bold title. */
export function NoticeBoard({
  notices,
  compact = false,
}: {
  notices: ResidentNoticeItem[];
  compact?: boolean;
}) {
  const t = useT();
  const locale = useLocale();
  if (notices.length === 0) {
    return (
      <EmptyState
        icon={Megaphone}
        title={t('resident.home.notices.empty')}
        body={t('resident.home.notices.emptyBody')}
        className="py-3"
      />
    );
  }
  return (
    <ul className="flex flex-col divide-y" aria-label={t('notices.board.label')}>
      {notices.map((n) => (
        <li key={n.id}>
          <Link
            to={`/notices/${n.id}`}
            className="flex gap-3 py-3 focus-visible:outline-2 focus-visible:outline-ring"
            data-notice-id={n.id}
          >
            <span
              aria-hidden
              className={cn('mt-2 size-2 shrink-0 rounded-full', n.read ? 'bg-transparent' : 'bg-red-600')}
            />
            <span className="flex min-w-0 flex-1 flex-col gap-1">
              <span className={cn('break-words text-sm', !n.read && 'font-semibold')}>
                {n.title}
                {!n.read ? <span className="sr-only">（{t('notices.unread')}）</span> : null}
              </span>
              {!compact && n.excerpt ? (
                <span className="line-clamp-2 text-muted-foreground text-xs">{n.excerpt}</span>
              ) : null}
              <span className="flex flex-wrap items-center gap-2 text-muted-foreground text-xs">
                <NoticeTags category={n.category} priority={n.priority} pinned={n.pinned} />
                <time dateTime={n.publishedAt}>{formatDateTime(n.publishedAt, locale)}</time>
              </span>
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
