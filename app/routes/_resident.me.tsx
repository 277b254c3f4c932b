import type { MetaFunction } from '@remix-run/node';
import { ComingSoonPage } from '~/components/coming-soon';
import { pageMeta } from '~/i18n/meta';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'resident.me.title');

export default function ResidentMePage() {
  return <ComingSoonPage titleKey="resident.me.title" />;
}
