import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useSearchParams, useSubmit } from '@remix-run/react';
import { BarChart3, Bell, Download, Settings, Siren, X } from 'lucide-react';
import { useState } from 'react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Button } from '~/components/ui/button';
import { Input } from '~/components/ui/input';
import { pageMeta } from '~/i18n/meta';
import { useLocale, useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { cn } from '~/lib/utils';
import { CategoryIcon, categoryName } from '~/modules/repairs/components/category-icon';
import { formatDateTime } from '~/modules/repairs/components/format';
import { LiveIndicator } from '~/modules/repairs/components/live-indicator';
import { StatusBadge } from '~/modules/repairs/components/status-badge';
import { NativeSelect } from '~/modules/repairs/components/textarea';
import { repairTopics, useRepairChannel } from '~/modules/repairs/components/use-repair-channel';
import { queueFilterSchema } from '~/modules/repairs/repairs.schema';
import {
  listBuildings,
  listCategories,
  listQueue,
  statusCounts,
} from '~/modules/repairs/repairs-office.server';
import { requireRepairScope } from '~/modules/repairs/repairs-routes.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'office.nav.repairs');

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers, scope } = await requireRepairScope(request);
  const filter = queueFilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  if (filter.community && !scope.some((c) => c.id === filter.community)) filter.community = undefined;
  const ids = filter.community ? [filter.community] : scope.map((c) => c.id);
  const result = await withUser(
    user.claims,
    async (tx) => ({
      queue: await listQueue(tx, ids, filter),
      counts: await statusCounts(tx, ids),
      categories: filter.community ? await listCategories(tx, filter.community) : [],
      buildings: filter.community ? await listBuildings(tx, [filter.community]) : [],
    }),
    { readOnly: true },
  );
  return data({ ...result, scope, filter, canManage: scope.some((c) => c.canManage) }, { headers });
}

const STATUS_CHIPS = ['open', 'pending', 'accepted', 'dispatched', 'in_progress', 'paused', 'all'] as const;

export default function OfficeRepairsPage() {
  const t = useT();
  const locale = useLocale();
  const { queue, counts, categories, buildings, scope, filter, canManage } = useLoaderData<typeof loader>();
  const [params, setParams] = useSearchParams();
  const submit = useSubmit();
  const [alerts, setAlerts] = useState<{ id: string; number: string }[]>([]);
  const live = useRepairChannel(
    (filter.community ? scope.filter((c) => c.id === filter.community) : scope)
      .slice(0, 30)
      .map((c) => repairTopics.community(c.id)),
    (event, payload) => {
      if (
        event === 'ticket_changed' &&
        payload.event === 'created' &&
        typeof payload.ticket_id === 'string'
      ) {
        const alert = { id: payload.ticket_id, number: String(payload.number ?? '') };
        setAlerts((a) => [alert, ...a.filter((x) => x.id !== alert.id)].slice(0, 3));
      }
    },
  );
  const status = filter.status ?? 'open';
  const openTotal = (['pending', 'accepted', 'dispatched', 'in_progress', 'paused'] as const).reduce(
    (n, s) => n + (counts[s] ?? 0),
    0,
  );
  const withParam = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    next.delete('page');
    return `?${next.toString()}`;
  };

  return (
    <div className="flex flex-col gap-5">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="font-semibold text-2xl tracking-tight">{t('office.nav.repairs')}</h1>
        <LiveIndicator state={live} />
        <div className="ml-auto flex flex-wrap gap-2">
          <Button asChild variant="outline" size="sm">
            <Link to="/office/repairs/dashboard">
              <BarChart3 aria-hidden />
              {t('repairs.dashboard.title')}
            </Link>
          </Button>
          <Button asChild variant="outline" size="sm">
            <a
              href={`/office/repairs/export${filter.community ? `?community=${filter.community}` : ''}`}
              download
            >
              <Download aria-hidden />
              {t('repairs.export.button')}
            </a>
          </Button>
          {canManage ? (
            <Button asChild variant="outline" size="sm">
              <Link to="/office/repairs/settings">
                <Settings aria-hidden />
                {t('repairs.settings.title')}
              </Link>
            </Button>
          ) : null}
        </div>
      </div>

      {alerts.length > 0 ? (
        <div role="status" aria-live="polite" className="flex flex-col gap-2">
          {alerts.map((a) => (
            <div
              key={a.id}
              className="flex items-center gap-3 rounded-lg border border-amber-300 bg-amber-50 px-4 py-2.5 text-sm"
            >
              <Bell aria-hidden className="size-4 text-amber-700" />
              <span className="flex-1">{t('repairs.queue.newAlert', { number: a.number })}</span>
              <Link
                to={`/office/repairs/${a.id}`}
                className="font-medium text-primary underline-offset-4 hover:underline"
              >
                {t('repairs.queue.view')}
              </Link>
              <button
                type="button"
                aria-label={t('common.closeMenu')}
                onClick={() => setAlerts((x) => x.filter((y) => y.id !== a.id))}
              >
                <X aria-hidden className="size-4" />
              </button>
            </div>
          ))}
        </div>
      ) : null}

      <nav aria-label={t('repairs.queue.statusFilter')} className="flex flex-wrap gap-2">
        {STATUS_CHIPS.map((s) => {
          const n = s === 'open' ? openTotal : s === 'all' ? null : (counts[s] ?? 0);
          return (
            <Link
              key={s}
              to={withParam('status', s === 'open' ? null : s)}
              aria-current={status === s ? 'page' : undefined}
              className={cn(
                'rounded-full border px-3 py-1 text-sm transition-colors',
                status === s
                  ? 'border-primary bg-primary text-primary-foreground'
                  : 'bg-background hover:bg-muted',
              )}
            >
              {t(
                s === 'open'
                  ? 'repairs.queue.open'
                  : s === 'all'
                    ? 'repairs.list.all'
                    : `repairs.status.${s}`,
              )}
              {n !== null ? <span className="ml-1 tabular-nums opacity-80">{n}</span> : null}
            </Link>
          );
        })}
        <Link
          to={withParam('overdue', filter.overdue ? null : '1')}
          aria-current={filter.overdue ? 'page' : undefined}
          className={cn(
            'flex items-center gap-1 rounded-full border px-3 py-1 text-sm',
            filter.overdue
              ? 'border-destructive bg-destructive text-white'
              : 'border-destructive/40 text-destructive',
          )}
        >
          <Siren aria-hidden className="size-3.5" />
          {t('repairs.queue.overdue')} <span className="tabular-nums">{counts.overdue}</span>
        </Link>
      </nav>

      <Form
        method="get"
        className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5"
        onChange={(e) => submit(e.currentTarget)}
      >
        {filter.status ? <input type="hidden" name="status" value={filter.status} /> : null}
        {filter.overdue ? <input type="hidden" name="overdue" value="1" /> : null}
        <NativeSelect
          name="community"
          defaultValue={filter.community ?? ''}
          aria-label={t('repairs.field.community')}
        >
          <option value="">{t('repairs.queue.allCommunities')}</option>
          {scope.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect
          name="category"
          defaultValue={filter.category ?? ''}
          aria-label={t('repairs.field.category')}
          disabled={categories.length === 0}
        >
          <option value="">{t('repairs.queue.allCategories')}</option>
          {categories.map((c) => (
            <option key={c.id} value={c.id}>
              {categoryName(c, locale)}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect
          name="building"
          defaultValue={filter.building ?? ''}
          aria-label={t('repairs.queue.building')}
          disabled={buildings.length === 0}
        >
          <option value="">{t('repairs.queue.allBuildings')}</option>
          {buildings.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </NativeSelect>
        <Input
          name="q"
          defaultValue={filter.q ?? ''}
          placeholder={t('repairs.queue.search')}
          aria-label={t('repairs.queue.search')}
        />
      </Form>

      {queue.items.length === 0 ? (
        <p className="rounded-xl border bg-card p-8 text-center text-muted-foreground">
          {t('repairs.queue.empty')}
        </p>
      ) : (
        <div className="overflow-x-auto rounded-xl border bg-card">
          <table className="w-full text-sm">
            <thead className="border-b bg-muted/50 text-left text-muted-foreground">
              <tr>
                <th className="px-4 py-2.5 font-medium">{t('repairs.field.number')}</th>
                <th className="px-4 py-2.5 font-medium">{t('repairs.field.category')}</th>
                <th className="px-4 py-2.5 font-medium">{t('repairs.field.place')}</th>
                <th className="px-4 py-2.5 font-medium">{t('repairs.field.status')}</th>
                <th className="px-4 py-2.5 font-medium">{t('repairs.field.technician')}</th>
                <th className="px-4 py-2.5 font-medium">{t('repairs.field.createdAt')}</th>
              </tr>
            </thead>
            <tbody>
              {queue.items.map((ticket) => (
                <tr key={ticket.id} className="border-b last:border-0 hover:bg-muted/40">
                  <td className="px-4 py-2.5">
                    <Link
                      to={`/office/repairs/${ticket.id}`}
                      className="font-medium text-primary underline-offset-4 hover:underline"
                    >
                      {ticket.number}
                    </Link>
                    {ticket.priority === 'urgent' ? (
                      <span className="ml-2 rounded bg-destructive/10 px-1.5 py-0.5 text-destructive text-xs">
                        {t('repairs.priority.urgent')}
                      </span>
                    ) : null}
                    {ticket.overdue ? (
                      <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-amber-800 text-xs">
                        {t('repairs.queue.overdue')}
                      </span>
                    ) : null}
                  </td>
                  <td className="px-4 py-2.5">
                    <span className="flex items-center gap-1.5">
                      <CategoryIcon icon={ticket.category.icon} className="size-4 text-muted-foreground" />
                      {categoryName(ticket.category, locale)}
                    </span>
                  </td>
                  <td className="px-4 py-2.5">
                    {scope.length > 1 ? (
                      <span className="text-muted-foreground">{ticket.communityName} · </span>
                    ) : null}
                    {ticket.place}
                  </td>
                  <td className="px-4 py-2.5">
                    <StatusBadge status={ticket.status} />
                  </td>
                  <td className="px-4 py-2.5">{ticket.assigneeName ?? '—'}</td>
                  <td className="whitespace-nowrap px-4 py-2.5 text-muted-foreground">
                    {formatDateTime(ticket.createdAt, locale)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="flex justify-between">
        <Button
          variant="outline"
          size="sm"
          disabled={queue.page <= 1}
          onClick={() =>
            setParams((p) => {
              p.set('page', String(queue.page - 1));
              return p;
            })
          }
        >
          {t('repairs.queue.previous')}
        </Button>
        <Button
          variant="outline"
          size="sm"
          disabled={!queue.hasMore}
          onClick={() =>
            setParams((p) => {
              p.set('page', String(queue.page + 1));
              return p;
            })
          }
        >
          {t('repairs.queue.next')}
        </Button>
      </div>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary homeHref="/office" />;
}
