import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { ChevronLeft } from 'lucide-react';
import { z } from 'zod';
import { Card } from '~/components/ui/card';
import { pageMeta } from '~/i18n/meta';
import { useLocale, useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { authCacheHeaders } from '~/lib/supabase.server';
import { requireUser } from '~/modules/auth/session.server';
import { NoticeBody } from '~/modules/notices/components/notice-body';
import { NoticeTags } from '~/modules/notices/components/notice-tags';
import { getNoticeForResident, recordNoticeRead, signAttachments } from '~/modules/notices/notices.server';
import { formatDateTime } from '~/modules/notifications/components/format';

export const meta: MetaFunction<typeof loader> = ({ matches, data: d }) =>
  d?.notice ? [{ title: `${d.notice.title} · 物业云` }] : pageMeta(matches, 'notices.title');
export const headers = authCacheHeaders;

/**
 * Opening a notice is reading it: the loader records the read receipt (and marks the inbox entry
 * read). Links to this page are not prefetched, so only an actual visit counts.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, supabase, headers } = await requireUser(request);
  const id = z.string().uuid().safeParse(params.id);
  if (!id.success) throw data(null, { status: 404, headers });
  const notice = await withUser(user.claims, async (tx) => {
    const found = await getNoticeForResident(tx, id.data);
    if (found) await recordNoticeRead(tx, found.id);
    return found;
  });
  if (!notice) throw data(null, { status: 404, headers });
  const attachments = await signAttachments(supabase, notice.attachments);
  return data({ notice: { ...notice, attachments } }, { headers });
}

export default function ResidentNoticePage() {
  const t = useT();
  const locale = useLocale();
  const { notice } = useLoaderData<typeof loader>();
  return (
    <article className="flex flex-col gap-4">
      <Link
        to="/notices"
        className="flex w-fit items-center gap-1 text-muted-foreground text-sm hover:text-foreground"
      >
        <ChevronLeft aria-hidden className="size-4" />
        {t('notices.backToList')}
      </Link>
      <header className="flex flex-col gap-2">
        <NoticeTags category={notice.category} priority={notice.priority} pinned={notice.pinned} />
        <h1 className="break-words font-semibold text-xl tracking-tight">{notice.title}</h1>
        <p className="text-muted-foreground text-xs">
          {notice.communityName} ·{' '}
          <time dateTime={notice.publishedAt}>
            {formatDateTime(notice.publishedAt, locale, { year: true })}
          </time>
          {notice.edited ? ` · ${t('notices.edited')}` : ''}
          {notice.expiresAt
            ? ` · ${t('notices.validUntil', { time: formatDateTime(notice.expiresAt, locale) })}`
            : ''}
        </p>
      </header>
      <Card className="px-4">
        <NoticeBody html={notice.bodyHtml} attachments={notice.attachments} />
      </Card>
    </article>
  );
}
