import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { ChevronLeft, Paperclip, Pencil, Trash2 } from 'lucide-react';
import { FormErrors, SubmitButton } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '~/components/ui/card';
import { Input } from '~/components/ui/input';
import { pageMeta } from '~/i18n/meta';
import { useLocale, useT } from '~/i18n/use-t';
import type { MessageKey } from '~/i18n/zh-CN';
import { authCacheHeaders } from '~/lib/supabase.server';
import { audienceKeys, noticeStatusKeys } from '~/modules/notices/components/labels';
import { NoticeBody } from '~/modules/notices/components/notice-body';
import { NoticeTags } from '~/modules/notices/components/notice-tags';
import { handleNoticeDetailAction, loadNoticeDetail } from '~/modules/notices/office.server';
import { formatDateTime } from '~/modules/notifications/components/format';

export const meta: MetaFunction<typeof loader> = ({ matches, data: d }) =>
  d?.notice ? [{ title: `${d.notice.title} · 物业云` }] : pageMeta(matches, 'office.nav.notices');
export const headers = authCacheHeaders;

export const loader = ({ request, params }: LoaderFunctionArgs) => loadNoticeDetail(request, params.id ?? '');
export const action = ({ request, params }: ActionFunctionArgs) =>
  handleNoticeDetailAction(request, params.id ?? '');

const channelKeys: Record<string, MessageKey> = {
  push: 'notifications.channel.push',
  sms: 'notifications.channel.sms',
  email: 'notifications.channel.email',
};
const deliveryKeys: Record<string, MessageKey> = {
  pending: 'notifications.delivery.pending',
  sending: 'notifications.delivery.sending',
  sent: 'notifications.delivery.sent',
  failed: 'notifications.delivery.failed',
  dead: 'notifications.delivery.dead',
  skipped: 'notifications.delivery.skipped',
};

export default function OfficeNoticePage() {
  const t = useT();
  const locale = useLocale();
  const { notice, stats } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const pct = (a: number, b: number) => (b > 0 ? Math.round((100 * a) / b) : 0);
  return (
    <div className="flex flex-col gap-4">
      <Link
        to="/office/notices"
        className="flex w-fit items-center gap-1 text-muted-foreground text-sm hover:text-foreground"
      >
        <ChevronLeft aria-hidden className="size-4" />
        {t('office.nav.notices')}
      </Link>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="flex min-w-0 flex-col gap-2">
          <NoticeTags category={notice.category} priority={notice.priority} pinned={notice.pinned} />
          <h1 className="break-words font-semibold text-xl tracking-tight">{notice.title}</h1>
          <p className="text-muted-foreground text-sm" data-testid="notice-status">
            {t(noticeStatusKeys[notice.status])}
            {notice.status === 'scheduled' && notice.publishAt
              ? ` · ${t('notices.office.scheduledFor', { time: formatDateTime(notice.publishAt, locale) })}`
              : ''}
            {notice.publishedAt ? ` · ${formatDateTime(notice.publishedAt, locale)}` : ''}
            {` · ${notice.communityName} · ${t(audienceKeys[notice.audience])}`}
            {notice.withdrawReason
              ? ` · ${t('notices.office.withdrawReason', { reason: notice.withdrawReason })}`
              : ''}
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          {notice.status !== 'withdrawn' ? (
            <Button asChild variant="outline" size="sm">
              <Link to="edit">
                <Pencil aria-hidden />
                {t('notices.office.edit')}
              </Link>
            </Button>
          ) : null}
          {notice.status === 'draft' || notice.status === 'scheduled' ? (
            <Form method="post">
              <SubmitButton intent="publish" size="sm">
                {t('notices.office.publishNow')}
              </SubmitButton>
            </Form>
          ) : null}
          {notice.status === 'scheduled' ? (
            <Form method="post">
              <SubmitButton intent="unschedule" size="sm" variant="outline">
                {t('notices.office.unschedule')}
              </SubmitButton>
            </Form>
          ) : null}
          <Form
            method="post"
            onSubmit={(e) => {
              if (!window.confirm(t('notices.office.deleteConfirm'))) e.preventDefault();
            }}
          >
            <SubmitButton intent="delete" size="sm" variant="ghost" className="text-destructive">
              <Trash2 aria-hidden />
              {t('notices.office.delete')}
            </SubmitButton>
          </Form>
        </div>
      </div>
      <FormErrors errors={result?.errors?.form} />
      {result?.done?.intent === 'publish' ? (
        <p role="status" className="text-primary text-sm">
          {t('notices.office.published', { count: result.done.notified })}
        </p>
      ) : null}

      {stats ? (
        <Card>
          <CardHeader>
            <CardTitle className="text-base">{t('notices.office.stats')}</CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            <p className="text-sm" data-testid="read-summary">
              {t('notices.office.readSummary', {
                reads: stats.reads,
                notified: stats.notified,
                pct: pct(stats.reads, stats.notified),
              })}
            </p>
            {stats.buildings.length ? (
              <table className="w-full text-sm" aria-label={t('notices.office.perBuilding')}>
                <thead className="text-left text-muted-foreground text-xs">
                  <tr>
                    <th scope="col" className="py-1 font-normal">
                      {t('notices.office.building')}
                    </th>
                    <th scope="col" className="py-1 font-normal">
                      {t('notices.office.readRate')}
                    </th>
                    <th scope="col" className="py-1 text-right font-normal">
                      {t('notices.office.readers')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {stats.buildings.map((b) => (
                    <tr key={b.id} className="border-t">
                      <th scope="row" className="py-2 text-left font-normal">
                        {b.name}
                      </th>
                      <td className="w-1/2 py-2">
                        <div className="h-2 rounded-full bg-muted" aria-hidden>
                          <div
                            className="h-2 rounded-full bg-primary"
                            style={{ width: `${pct(b.readers, b.audience)}%` }}
                          />
                        </div>
                      </td>
                      <td className="py-2 text-right tabular-nums">
                        {b.readers}/{b.audience} ({pct(b.readers, b.audience)}%)
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            {stats.deliveries.length ? (
              <div className="flex flex-col gap-1">
                <p className="font-medium text-sm">{t('notices.office.deliveries')}</p>
                <ul className="flex flex-wrap gap-x-4 gap-y-1 text-muted-foreground text-xs">
                  {stats.deliveries.map((d) => (
                    <li key={`${d.channel}-${d.status}`}>
                      {t(channelKeys[d.channel] ?? 'notifications.channel.push')} ·{' '}
                      {t(deliveryKeys[d.status] ?? 'notifications.delivery.pending')}: {d.count}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
          </CardContent>
        </Card>
      ) : null}

      <Card>
        <CardHeader>
          <CardTitle className="text-base">{t('notices.office.preview')}</CardTitle>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <NoticeBody html={notice.bodyHtml} attachments={notice.attachments} />
          {notice.attachments.length ? (
            <ul className="flex flex-col gap-1 text-sm">
              {notice.attachments.map((a) => (
                <li key={a.id} className="flex items-center gap-2">
                  <Paperclip aria-hidden className="size-4 text-muted-foreground" />
                  <span className="truncate">{a.fileName}</span>
                  <Form method="post" className="ml-auto">
                    <input type="hidden" name="attachmentId" value={a.id} />
                    <SubmitButton intent="removeAttachment" size="sm" variant="ghost">
                      {t('notices.office.removeAttachment')}
                    </SubmitButton>
                  </Form>
                </li>
              ))}
            </ul>
          ) : null}
          {notice.status !== 'withdrawn' ? (
            <Form method="post" encType="multipart/form-data" className="flex flex-wrap items-center gap-2">
              <Input
                type="file"
                name="files"
                multiple
                accept="image/jpeg,image/png,image/webp,image/gif,application/pdf,.doc,.docx,.xls,.xlsx,.txt"
                aria-label={t('notices.office.attach')}
                className="w-auto"
              />
              <SubmitButton intent="addAttachment" size="sm" variant="outline">
                {t('notices.office.upload')}
              </SubmitButton>
            </Form>
          ) : null}
        </CardContent>
      </Card>

      {notice.status === 'published' ? (
        <Card>
          <CardHeader>
            <CardTitle className="text-base">{t('notices.office.withdraw')}</CardTitle>
          </CardHeader>
          <CardContent>
            <Form method="post" className="flex flex-wrap items-end gap-2">
              <Input
                name="reason"
                maxLength={200}
                placeholder={t('notices.office.withdrawPlaceholder')}
                aria-label={t('notices.office.withdrawReasonLabel')}
                className="max-w-sm"
              />
              <SubmitButton intent="withdraw" size="sm" variant="destructive">
                {t('notices.office.withdraw')}
              </SubmitButton>
            </Form>
          </CardContent>
        </Card>
      ) : null}
    </div>
  );
}
