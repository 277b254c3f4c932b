import type { MetaFunction } from '@remix-run/node';
import { ComingSoonPage } from '~/components/coming-soon';
import { pageMeta } from '~/i18n/meta';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'resident.bills.title');

export default function ResidentBillsPage() {
  return <ComingSoonPage titleKey="resident.bills.title" />;
}
