import type { MetaFunction } from '@remix-run/node';
import { CenteredShell } from '~/components/centered-shell';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { pageMeta } from '~/i18n/meta';

// Unknown top-level URLs: a real 404 status, rendered by the localized error page.
export function loader() {
  throw new Response('Not found', { status: 404 });
}

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'error.notFound.title');

// The loader always throws, so only the boundary renders; the component exists so the
// router treats this as a page (not a resource route) and never renders an empty outlet.
export default function NotFound() {
  return <ErrorBoundary />;
}

export function ErrorBoundary() {
  return (
    <CenteredShell>
      <GeneralErrorBoundary />
    </CenteredShell>
  );
}
