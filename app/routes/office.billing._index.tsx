import { type LoaderFunctionArgs, redirect } from '@remix-run/node';
import { requireBillingScope } from '~/modules/billing/billing-routes.server';
import { withCommunity } from '~/modules/billing/components/links';

export async function loader({ request }: LoaderFunctionArgs) {
  const { community, headers } = await requireBillingScope(request);
  if (!community) return null;
  throw redirect(withCommunity('/office/billing/bills', community.id), { headers });
}

export default function OfficeBillingIndex() {
  return null;
}
