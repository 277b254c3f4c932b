import { data, type LoaderFunctionArgs } from '@remix-run/node';
import { withUser } from '~/lib/db.server';
import { collectionReport } from '~/modules/billing/billing.server';
import { requireBillingScope, requireCommunity } from '~/modules/billing/billing-routes.server';
import { reportToPdf, reportToXlsx } from '~/modules/billing/report-export.server';

/** /office/billing/reports/export.xlsx|pdf?c=&year= — the collection report as a download. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, community: picked, headers } = await requireBillingScope(request);
  const community = requireCommunity(picked, headers);
  const format = params.format;
  if (format !== 'xlsx' && format !== 'pdf') throw data(null, { status: 404, headers });
  const year = Number(new URL(request.url).searchParams.get('year')) || new Date().getUTCFullYear();
  const report = await withUser(user.claims, (tx) => collectionReport(tx, community.id, year), {
    readOnly: true,
  });
  const name = `collection-${year}.${format}`;
  headers.set('Content-Disposition', `attachment; filename="${name}"`);
  if (format === 'xlsx') {
    headers.set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    return new Response(new Blob([new Uint8Array(await reportToXlsx(report, community.name))]), { headers });
  }
  headers.set('Content-Type', 'application/pdf');
  return new Response(new Blob([new Uint8Array(await reportToPdf(report, community.name))]), { headers });
}
