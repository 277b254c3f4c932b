import { data, type LoaderFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { withUser } from '~/lib/db.server';
import { requireUser } from '~/modules/auth/session.server';
import { unitOptions } from '~/modules/notices/notices.server';

/** Units of one building for the notice audience picker (`?building=<id>`). */
export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request, { surface: 'office' });
  const building = z.string().uuid().safeParse(new URL(request.url).searchParams.get('building'));
  if (!building.success) return data({ units: [] }, { status: 400, headers });
  const units = await withUser(user.claims, (tx) => unitOptions(tx, building.data), { readOnly: true });
  return data({ units }, { headers });
}
