import type { MetaFunction } from '@remix-run/node';
import { ComingSoonPage } from '~/components/coming-soon';
import { pageMeta } from '~/i18n/meta';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'console.nav.companies');

export default function ConsoleCompaniesPage() {
  return <ComingSoonPage titleKey="console.nav.companies" />;
}
