import type { LoaderFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { withUser } from '~/lib/db.server';
import { requireOfficeScope } from '~/modules/tenancy/office-scope.server';
import { TenancyError } from '~/modules/tenancy/tenancy-errors';
import { exportUnits } from '~/modules/tenancy/unit-import.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireOfficeScope(request);
  const communityId = z.string().uuid().safeParse(new URL(request.url).searchParams.get('community'));
  if (!communityId.success) throw new Response('Not found', { status: 404, headers });
  try {
    const { name, file } = await withUser(user.claims, (tx) => exportUnits(tx, communityId.data), {
      readOnly: true,
    });
    headers.set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    headers.set(
      'Content-Disposition',
      `attachment; filename="units.xlsx"; filename*=UTF-8''${encodeURIComponent(`${name}-房屋.xlsx`)}`,
    );
    return new Response(new Blob([new Uint8Array(file)]), { headers });
  } catch (err) {
    if (err instanceof TenancyError) throw new Response('Not found', { status: 404, headers });
    throw err;
  }
}
