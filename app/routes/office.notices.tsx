import type { MetaFunction } from '@remix-run/node';
import { ComingSoonPage } from '~/components/coming-soon';
import { pageMeta } from '~/i18n/meta';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'office.nav.notices');

export default function OfficeNoticesPage() {
  return <ComingSoonPage titleKey="office.nav.notices" />;
}
