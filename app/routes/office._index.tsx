import type { MetaFunction } from '@remix-run/node';
import { ComingSoonPage } from '~/components/coming-soon';
import { pageMeta } from '~/i18n/meta';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'office.nav.dashboard');

export default function OfficeDashboardPage() {
  return <ComingSoonPage titleKey="office.nav.dashboard" />;
}
