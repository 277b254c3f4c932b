import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { ComingSoonPage } from '~/components/coming-soon';
import { pageMeta } from '~/i18n/meta';
import { authCacheHeaders } from '~/lib/supabase.server';
import { requireUser } from '~/modules/auth/session.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'resident.repairs.title');

export const headers = authCacheHeaders;

/** Personal data: signed-in residents only. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { headers } = await requireUser(request);
  return data(null, { headers });
}

export default function ResidentRepairsPage() {
  return <ComingSoonPage titleKey="resident.repairs.title" />;
}
