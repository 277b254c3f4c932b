import { data } from '@remix-run/node';
import { withUser } from '~/lib/db.server';
import { requireUser } from '~/modules/auth/session.server';
import { staffListFilterSchema } from './notices.schema';
import { listNoticesForStaff, listPublishingCommunities } from './notices.server';

/** Loader of /office/notices: the caller's publishing communities and their notices by state. */
export async function loadStaffNoticeList(request: Request) {
  const { user, headers } = await requireUser(request, { surface: 'office' });
  const filter = staffListFilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const page = await withUser(
    user.claims,
    async (tx) => ({
      communities: await listPublishingCommunities(tx),
      notices: await listNoticesForStaff(tx, { status: filter.status, communityId: filter.community }),
    }),
    { readOnly: true },
  );
  return data({ ...page, status: filter.status ?? null }, { headers });
}
