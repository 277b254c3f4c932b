import type { MetaFunction } from '@remix-run/node';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { pageMeta } from '~/i18n/meta';

// Unknown URLs under /console: a real 404 status, shown inside the console layout.
export function loader() {
  throw new Response('Not found', { status: 404 });
}

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'error.notFound.title');

// The loader always throws, so only the boundary renders (see routes/$.tsx).
export default function NotFound() {
  return <ErrorBoundary />;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary homeHref="/console" />;
}
