import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData, useSearchParams } from '@remix-run/react';
import { Megaphone, Plus } from 'lucide-react';
import { EmptyState } from '~/components/empty-state';
import { Button } from '~/components/ui/button';
import { Card } from '~/components/ui/card';
import { pageMeta } from '~/i18n/meta';
import { useLocale, useT } from '~/i18n/use-t';
import { authCacheHeaders } from '~/lib/supabase.server';
import { cn } from '~/lib/utils';
import { noticeStatusKeys } from '~/modules/notices/components/labels';
import { NoticeTags } from '~/modules/notices/components/notice-tags';
import { noticeStatuses } from '~/modules/notices/notices.schema';
import { loadStaffNoticeList } from '~/modules/notices/staff-list.server';
import { formatDateTime } from '~/modules/notifications/components/format';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'office.nav.notices');
export const headers = authCacheHeaders;

export const loader = ({ request }: LoaderFunctionArgs) => loadStaffNoticeList(request);

export default function OfficeNoticesPage() {
  const t = useT();
  const locale = useLocale();
  const { notices, communities, status } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const withStatus = (s: string | null) => {
    const next = new URLSearchParams(params);
    if (s) next.set('status', s);
    else next.delete('status');
    return `?${next.toString()}`;
  };
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="font-semibold text-xl tracking-tight">{t('office.nav.notices')}</h1>
        {communities.length > 0 ? (
          <Button asChild>
            <Link to="/office/notices/new">
              <Plus aria-hidden />
              {t('notices.new')}
            </Link>
          </Button>
        ) : null}
      </div>
      <nav aria-label={t('notices.statusFilter')} className="flex flex-wrap gap-1.5">
        {[null, ...noticeStatuses].map((s) => (
          <Link
            key={s ?? 'all'}
            to={withStatus(s)}
            aria-current={status === s ? 'page' : undefined}
            className={cn(
              'rounded-full border px-3 py-1 text-sm transition-colors',
              status === s
                ? 'border-primary bg-primary text-primary-foreground'
                : 'bg-background hover:bg-muted',
            )}
          >
            {s ? t(noticeStatusKeys[s]) : t('notices.category.all')}
          </Link>
        ))}
      </nav>
      {notices.length === 0 ? (
        <Card className="shadow-none">
          <EmptyState
            icon={Megaphone}
            title={t('notices.office.empty')}
            body={t('notices.office.emptyBody')}
          />
        </Card>
      ) : (
        <Card className="gap-0 overflow-x-auto py-0">
          <table className="w-full text-sm">
            <thead className="bg-muted/50 text-left text-muted-foreground text-xs">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  {t('notices.form.title')}
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  {t('notices.office.status')}
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  {t('notices.office.time')}
                </th>
                <th scope="col" className="px-4 py-2 text-right font-medium">
                  {t('notices.office.readRate')}
                </th>
              </tr>
            </thead>
            <tbody className="divide-y">
              {notices.map((n) => (
                <tr key={n.id}>
                  <td className="px-4 py-3">
                    <Link to={`/office/notices/${n.id}`} className="font-medium hover:underline">
                      {n.title}
                    </Link>
                    <div className="mt-1 flex flex-wrap items-center gap-2 text-muted-foreground text-xs">
                      <NoticeTags category={n.category} priority={n.priority} pinned={n.pinned} />
                      {communities.length > 1 ? <span>{n.communityName}</span> : null}
                    </div>
                  </td>
                  <td className="px-4 py-3">
                    {t(noticeStatusKeys[n.status])}
                    {n.status === 'published' && n.expired ? (
                      <span className="ml-1 text-muted-foreground text-xs">({t('notices.expired')})</span>
                    ) : null}
                  </td>
                  <td className="px-4 py-3 text-muted-foreground text-xs">
                    {n.status === 'scheduled' && n.publishAt
                      ? t('notices.office.scheduledFor', { time: formatDateTime(n.publishAt, locale) })
                      : n.publishedAt
                        ? formatDateTime(n.publishedAt, locale)
                        : formatDateTime(n.updatedAt, locale)}
                  </td>
                  <td className="px-4 py-3 text-right tabular-nums">
                    {n.notified > 0
                      ? `${n.reads}/${n.notified} (${Math.round((100 * n.reads) / n.notified)}%)`
                      : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </div>
  );
}
