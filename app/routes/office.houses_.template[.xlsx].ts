import type { LoaderFunctionArgs } from '@remix-run/node';
import { requireOfficeScope } from '~/modules/tenancy/office-scope.server';
import { unitsTemplate } from '~/modules/tenancy/unit-import.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const { headers } = await requireOfficeScope(request);
  headers.set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  headers.set('Content-Disposition', `attachment; filename="units-template.xlsx"`);
  return new Response(new Blob([new Uint8Array(await unitsTemplate())]), { headers });
}
