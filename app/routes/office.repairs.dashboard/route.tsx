import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useSubmit } from '@remix-run/react';
import { ArrowLeft, Download } from 'lucide-react';
import { z } from 'zod';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Button } from '~/components/ui/button';
import { Card } from '~/components/ui/card';
import { Input } from '~/components/ui/input';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { Lines, StackedBars } from '~/modules/repairs/components/charts';
import { NativeSelect } from '~/modules/repairs/components/textarea';
import { repairTopics, useRepairChannel } from '~/modules/repairs/components/use-repair-channel';
import { requireRepairScope } from '~/modules/repairs/repairs-routes.server';
import { loadDashboard } from '~/modules/repairs/repairs-stats.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'repairs.dashboard.title');

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const filterSchema = z.object({
  community: z.string().uuid().optional().catch(undefined),
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .catch(() => day(-29)),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .catch(() => day(0)),
  bucket: z.enum(['day', 'week']).catch('day'),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers, scope } = await requireRepairScope(request);
  const filter = filterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const ids =
    filter.community && scope.some((c) => c.id === filter.community)
      ? [filter.community]
      : scope.map((c) => c.id);
  const dashboard = await withUser(user.claims, (tx) => loadDashboard(tx, ids, filter), { readOnly: true });
  return data({ dashboard, filter, scope }, { headers });
}

function Stat({ label, value, tone }: { label: string; value: string | number; tone?: 'warn' }) {
  return (
    <Card className="gap-1 px-5 py-4">
      <span className="text-muted-foreground text-sm">{label}</span>
      <span
        className={tone === 'warn' ? 'font-semibold text-2xl text-destructive' : 'font-semibold text-2xl'}
      >
        {value}
      </span>
    </Card>
  );
}

export default function RepairsDashboardPage() {
  const t = useT();
  const { dashboard: d, filter, scope } = useLoaderData<typeof loader>();
  const submit = useSubmit();
  useRepairChannel(scope.slice(0, 30).map((c) => repairTopics.community(c.id)));
  const openTotal = Object.values(d.openByStatus).reduce((a, b) => a + (b ?? 0), 0);
  const dash = (v: number | null, unit: string) => (v === null ? '—' : `${v} ${unit}`);
  return (
    <div className="flex flex-col gap-5">
      <div className="flex flex-wrap items-center gap-3">
        <Button asChild variant="ghost" size="icon" aria-label={t('repairs.common.back')}>
          <Link to="/office/repairs">
            <ArrowLeft />
          </Link>
        </Button>
        <h1 className="font-semibold text-2xl tracking-tight">{t('repairs.dashboard.title')}</h1>
        <Button asChild variant="outline" size="sm" className="ml-auto">
          <a
            href={`/office/repairs/export?${new URLSearchParams({ from: filter.from, to: filter.to, ...(filter.community ? { community: filter.community } : {}) })}`}
            download
          >
            <Download aria-hidden />
            {t('repairs.export.button')}
          </a>
        </Button>
      </div>
      <Form method="get" className="flex flex-wrap gap-3" onChange={(e) => submit(e.currentTarget)}>
        <NativeSelect
          name="community"
          defaultValue={filter.community ?? ''}
          className="w-auto"
          aria-label={t('repairs.field.community')}
        >
          <option value="">{t('repairs.queue.allCommunities')}</option>
          {scope.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </NativeSelect>
        <Input
          type="date"
          name="from"
          defaultValue={filter.from}
          className="w-auto"
          aria-label={t('repairs.dashboard.from')}
        />
        <Input
          type="date"
          name="to"
          defaultValue={filter.to}
          className="w-auto"
          aria-label={t('repairs.dashboard.to')}
        />
        <NativeSelect
          name="bucket"
          defaultValue={filter.bucket}
          className="w-auto"
          aria-label={t('repairs.dashboard.bucket')}
        >
          <option value="day">{t('repairs.dashboard.byDay')}</option>
          <option value="week">{t('repairs.dashboard.byWeek')}</option>
        </NativeSelect>
      </Form>

      <section
        className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4"
        aria-label={t('repairs.dashboard.summary')}
      >
        <Stat label={t('repairs.dashboard.open')} value={openTotal} />
        <Stat
          label={t('repairs.dashboard.openOverdue')}
          value={d.openOverdue}
          tone={d.openOverdue > 0 ? 'warn' : undefined}
        />
        <Stat label={t('repairs.dashboard.created')} value={d.created} />
        <Stat label={t('repairs.dashboard.completed')} value={d.completed} />
        <Stat
          label={t('repairs.dashboard.responseBreaches')}
          value={d.responseBreaches}
          tone={d.responseBreaches > 0 ? 'warn' : undefined}
        />
        <Stat
          label={t('repairs.dashboard.resolveBreaches')}
          value={d.resolveBreaches}
          tone={d.resolveBreaches > 0 ? 'warn' : undefined}
        />
        <Stat
          label={t('repairs.dashboard.avgResponse')}
          value={dash(d.avgResponseMinutes, t('repairs.unit.minutes'))}
        />
        <Stat
          label={t('repairs.dashboard.avgCompletion')}
          value={dash(d.avgCompletionHours, t('repairs.unit.hours'))}
        />
      </section>

      <Card className="px-5">
        <h2 className="font-medium">{t('repairs.dashboard.openByStatus')}</h2>
        <ul className="flex flex-wrap gap-4 text-sm">
          {(['pending', 'accepted', 'dispatched', 'in_progress', 'paused'] as const).map((s) => (
            <li key={s}>
              <Link to={`/office/repairs?status=${s}`} className="hover:underline">
                {t(`repairs.status.${s}`)}{' '}
                <span className="font-semibold tabular-nums">{d.openByStatus[s] ?? 0}</span>
              </Link>
            </li>
          ))}
        </ul>
      </Card>

      <div className="grid gap-5 lg:grid-cols-2">
        <Card className="px-5">
          <h2 className="font-medium">{t('repairs.dashboard.byCategory')}</h2>
          <StackedBars series={d.byCategory} label={t('repairs.dashboard.byCategory')} />
        </Card>
        <Card className="px-5">
          <h2 className="font-medium">{t('repairs.dashboard.byTechnician')}</h2>
          <Lines series={d.byTechnician} label={t('repairs.dashboard.byTechnician')} />
        </Card>
      </div>

      <Card className="px-5">
        <h2 className="font-medium">{t('repairs.dashboard.performance')}</h2>
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead className="text-left text-muted-foreground">
              <tr>
                <th className="py-2 pr-4 font-medium">{t('repairs.field.technician')}</th>
                <th className="py-2 pr-4 font-medium">{t('repairs.dashboard.assigned')}</th>
                <th className="py-2 pr-4 font-medium">{t('repairs.dashboard.completed')}</th>
                <th className="py-2 pr-4 font-medium">{t('repairs.dashboard.open')}</th>
                <th className="py-2 pr-4 font-medium">{t('repairs.dashboard.avgCompletion')}</th>
                <th className="py-2 pr-4 font-medium">{t('repairs.dashboard.ratings')}</th>
                <th className="py-2 pr-4 font-medium">{t('repairs.rate.speed')}</th>
                <th className="py-2 pr-4 font-medium">{t('repairs.rate.quality')}</th>
                <th className="py-2 pr-4 font-medium">{t('repairs.rate.attitude')}</th>
              </tr>
            </thead>
            <tbody>
              {d.technicians.length === 0 ? (
                <tr>
                  <td colSpan={9} className="py-4 text-center text-muted-foreground">
                    {t('repairs.dashboard.noData')}
                  </td>
                </tr>
              ) : null}
              {d.technicians.map((p) => (
                <tr key={p.memberId} className="border-t">
                  <td className="py-2 pr-4">{p.name}</td>
                  <td className="py-2 pr-4 tabular-nums">{p.assigned}</td>
                  <td className="py-2 pr-4 tabular-nums">{p.completed}</td>
                  <td className="py-2 pr-4 tabular-nums">{p.open}</td>
                  <td className="py-2 pr-4 tabular-nums">
                    {dash(p.avgCompletionHours, t('repairs.unit.hours'))}
                  </td>
                  <td className="py-2 pr-4 tabular-nums">{p.ratings}</td>
                  <td className="py-2 pr-4 tabular-nums">{p.avgSpeed ?? '—'}</td>
                  <td className="py-2 pr-4 tabular-nums">{p.avgQuality ?? '—'}</td>
                  <td className="py-2 pr-4 tabular-nums">{p.avgAttitude ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary homeHref="/office/repairs" />;
}
