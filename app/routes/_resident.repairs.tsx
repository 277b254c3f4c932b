import type { MetaFunction } from '@remix-run/node';
import { ComingSoonPage } from '~/components/coming-soon';
import { pageMeta } from '~/i18n/meta';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'resident.repairs.title');

export default function ResidentRepairsPage() {
  return <ComingSoonPage titleKey="resident.repairs.title" />;
}
