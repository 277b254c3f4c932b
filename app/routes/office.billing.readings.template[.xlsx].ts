import type { LoaderFunctionArgs } from '@remix-run/node';
import { requireBillingScope } from '~/modules/billing/billing-routes.server';
import { readingsTemplate } from '~/modules/billing/readings-import.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const { headers } = await requireBillingScope(request);
  headers.set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  headers.set('Content-Disposition', `attachment; filename="meter-readings.xlsx"`);
  return new Response(new Blob([new Uint8Array(await readingsTemplate())]), { headers });
}
