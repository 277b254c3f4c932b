import {
  type ErrorResponse,
  isRouteErrorResponse,
  Link,
  useLocation,
  useParams,
  useRouteError,
} from '@remix-run/react';
import { CircleAlert, SearchX, ShieldX } from 'lucide-react';
import type { ReactNode } from 'react';
import { Button } from '~/components/ui/button';
import { useT } from '~/i18n/use-t';

type StatusHandler = (info: {
  error: ErrorResponse;
  params: Record<string, string | undefined>;
}) => ReactNode;

/**
 * The one error boundary every route uses. Thrown responses are rendered by status
 * (404 and 403 have their own localized text); anything else is an unexpected error.
 * Details stay in the server log (see entry.server.tsx), never on screen.
 */
export function GeneralErrorBoundary({
  statusHandlers,
  homeHref = '/',
}: {
  statusHandlers?: Record<number, StatusHandler>;
  homeHref?: string;
}) {
  const error = useRouteError();
  const params = useParams();

  if (isRouteErrorResponse(error)) {
    const handler = statusHandlers?.[error.status];
    return handler ? handler({ error, params }) : <StatusMessage status={error.status} homeHref={homeHref} />;
  }
  return <StatusMessage status={500} homeHref={homeHref} />;
}

function StatusMessage({ status, homeHref }: { status: number; homeHref: string }) {
  const t = useT();
  const { pathname } = useLocation();

  const content =
    status === 404
      ? {
          icon: SearchX,
          title: t('error.notFound.title'),
          body: t('error.notFound.body', { path: pathname }),
        }
      : status === 403
        ? { icon: ShieldX, title: t('error.forbidden.title'), body: t('error.forbidden.body') }
        : { icon: CircleAlert, title: t('error.generic.title'), body: t('error.generic.body') };
  const Icon = content.icon;

  return (
    <div role="alert" className="mx-auto flex max-w-md flex-col items-center gap-3 px-4 py-16 text-center">
      <span
        aria-hidden
        className="grid size-14 place-items-center rounded-full bg-secondary text-secondary-foreground"
      >
        <Icon className="size-7" />
      </span>
      <p className="font-mono text-muted-foreground text-xs">{t('error.status', { status })}</p>
      <h1 className="font-semibold text-2xl tracking-tight">{content.title}</h1>
      <p className="break-all text-muted-foreground text-sm">{content.body}</p>
      <Button asChild className="mt-2">
        <Link to={homeHref}>{t('common.backHome')}</Link>
      </Button>
    </div>
  );
}
