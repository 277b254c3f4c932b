import { data, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, useLoaderData } from '@remix-run/react';
import { Download } from 'lucide-react';
import { Button } from '~/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '~/components/ui/card';
import { Input } from '~/components/ui/input';
import { useT } from '~/i18n/use-t';
import type { MessageKey } from '~/i18n/zh-CN';
import { withUser } from '~/lib/db.server';
import { type CollectionRow, collectionReport } from '~/modules/billing/billing.server';
import { requireBillingScope, requireCommunity } from '~/modules/billing/billing-routes.server';
import { CollectionChart } from '~/modules/billing/components/charts';
import { withCommunity } from '~/modules/billing/components/links';
import { Yuan } from '~/modules/billing/components/money';

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, community: picked, headers } = await requireBillingScope(request);
  const community = requireCommunity(picked, headers);
  const yearParam = Number(new URL(request.url).searchParams.get('year'));
  const year =
    Number.isInteger(yearParam) && yearParam > 2000 && yearParam < 2100
      ? yearParam
      : new Date().getUTCFullYear();
  const report = await withUser(user.claims, (tx) => collectionReport(tx, community.id, year), {
    readOnly: true,
  });
  return data({ report, community }, { headers });
}

const rate = (r: CollectionRow) => (r.dueFen > 0 ? `${((r.paidFen / r.dueFen) * 100).toFixed(1)}%` : '—');

function ReportTable({
  title,
  rows,
  label,
}: {
  title: string;
  rows: CollectionRow[];
  label: (r: CollectionRow) => string;
}) {
  const t = useT();
  return (
    <Card className="gap-2 py-4">
      <CardHeader>
        <CardTitle className="text-base">{title}</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        <CollectionChart
          label={title}
          labels={rows.map(label)}
          due={rows.map((r) => r.dueFen)}
          paid={rows.map((r) => r.paidFen)}
          names={{
            due: t('billing.office.reports.due'),
            paid: t('billing.office.reports.paid'),
            rate: t('billing.office.reports.rate'),
          }}
        />
        <table className="w-full text-sm" aria-label={title}>
          <thead className="text-left text-muted-foreground text-xs">
            <tr>
              <th className="py-1" />
              <th className="py-1 text-right">{t('billing.office.reports.due')}</th>
              <th className="py-1 text-right">{t('billing.office.reports.paid')}</th>
              <th className="py-1 text-right">{t('billing.office.reports.refunded')}</th>
              <th className="py-1 text-right">{t('billing.office.reports.rate')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} className="border-t">
                <td className="py-1">{label(r)}</td>
                <td className="py-1 text-right">
                  <Yuan fen={r.dueFen} />
                </td>
                <td className="py-1 text-right">
                  <Yuan fen={r.paidFen} />
                </td>
                <td className="py-1 text-right">{r.refundedFen ? <Yuan fen={r.refundedFen} /> : '—'}</td>
                <td className="py-1 text-right">{rate(r)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </CardContent>
    </Card>
  );
}

export default function OfficeReportsPage() {
  const t = useT();
  const { report, community } = useLoaderData<typeof loader>();
  const exportHref = (format: 'xlsx' | 'pdf') =>
    withCommunity(`/office/billing/reports/export.${format}?year=${report.year}`, community.id);
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end gap-2">
        <Form method="get" className="flex items-end gap-2">
          <input type="hidden" name="c" value={community.id} />
          <div className="flex flex-col gap-1 text-xs">
            <label htmlFor="report-year">{t('billing.office.reports.year')}</label>
            <Input id="report-year" type="number" name="year" defaultValue={report.year} className="w-28" />
          </div>
          <Button type="submit" variant="outline">
            {t('billing.common.filter')}
          </Button>
        </Form>
        <div className="ml-auto flex gap-2">
          <Button asChild variant="outline" size="sm">
            <a href={exportHref('xlsx')}>
              <Download aria-hidden />
              {t('billing.office.reports.exportExcel')}
            </a>
          </Button>
          <Button asChild variant="outline" size="sm">
            <a href={exportHref('pdf')}>
              <Download aria-hidden />
              {t('billing.office.reports.exportPdf')}
            </a>
          </Button>
        </div>
      </div>
      <section
        className="grid grid-cols-2 gap-3 md:grid-cols-4"
        aria-label={t('billing.office.reports.title')}
      >
        <div className="rounded-lg border bg-card p-3">
          <div className="text-muted-foreground text-xs">{t('billing.office.reports.due')}</div>
          <Yuan fen={report.totals.dueFen} className="font-semibold text-lg" />
        </div>
        <div className="rounded-lg border bg-card p-3">
          <div className="text-muted-foreground text-xs">{t('billing.office.reports.paid')}</div>
          <Yuan fen={report.totals.paidFen} className="font-semibold text-lg" />
          {report.totals.refundedFen ? (
            <div className="text-sky-700 text-xs" data-testid="refunded-total">
              {t('billing.office.reports.refunded')} <Yuan fen={report.totals.refundedFen} />
            </div>
          ) : null}
        </div>
        <div className="rounded-lg border bg-card p-3">
          <div className="text-muted-foreground text-xs">{t('billing.office.reports.rate')}</div>
          <div className="font-semibold text-lg" data-testid="collection-rate">
            {rate(report.totals)}
          </div>
        </div>
        <div className="rounded-lg border bg-card p-3">
          <div className="text-muted-foreground text-xs">{t('billing.office.arrears.bills')}</div>
          <div className="font-semibold text-lg">
            {report.totals.paidBills} / {report.totals.bills}
          </div>
        </div>
      </section>
      <ReportTable
        title={t('billing.office.reports.byKind')}
        rows={report.byKind}
        label={(r) => t(`billing.kind.${r.key}` as MessageKey)}
      />
      <ReportTable title={t('billing.office.reports.byMonth')} rows={report.byMonth} label={(r) => r.label} />
      <ReportTable
        title={t('billing.office.reports.byBuilding')}
        rows={report.byBuilding}
        label={(r) => r.label}
      />
    </div>
  );
}
