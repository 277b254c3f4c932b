import { data, type LoaderFunctionArgs } from '@remix-run/node';
import {
  isRouteErrorResponse,
  Link,
  NavLink,
  Outlet,
  useRouteError,
  useRouteLoaderData,
} from '@remix-run/react';
import type { ReactNode } from 'react';
import { BrandMark } from '~/components/brand';
import { CenteredShell } from '~/components/centered-shell';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { LanguageSwitch } from '~/components/language-switch';
import { Badge } from '~/components/ui/badge';
import { useT } from '~/i18n/use-t';
import { getPublicEnv } from '~/lib/public-env';
import { authCacheHeaders } from '~/lib/supabase.server';
import { cn } from '~/lib/utils';
import { Forbidden, isForbiddenData } from '~/modules/auth/components/forbidden';
import { UserMenu } from '~/modules/auth/components/user-menu';
import { requireUser, toViewer } from '~/modules/auth/session.server';
import type { Viewer } from '~/modules/auth/viewer';
import { SurfaceNotifications } from '~/modules/notifications/components/surface-notifications';
import { loadUnreadCount } from '~/modules/notifications/inbox.server';
import { consoleNavItems } from './nav-items';

export const headers = authCacheHeaders;

/** Platform operators only (`app_metadata.platform_role`): others signed in get a 403. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request, { surface: 'console' });
  return data({ viewer: toViewer(user), unread: await loadUnreadCount(user.claims) }, { headers });
}

/** Platform console surface: dark chrome and top tabs, so operators never mistake it for a tenant's back office. */
function ConsoleShell({ viewer, children }: { viewer: Viewer | null; children: ReactNode }) {
  const t = useT();
  const { APP_MODE } = getPublicEnv();
  return (
    <div className="min-h-dvh bg-slate-50">
      <header className="bg-console text-console-foreground">
        <div className="mx-auto flex max-w-6xl items-center gap-3 px-4 pt-3 lg:px-8">
          <Link
            to="/console"
            className="rounded-md focus-visible:outline-2 focus-visible:outline-console-accent"
          >
            <BrandMark tone="dark" />
          </Link>
          <Badge variant="outline" className="rounded-full border-console-accent/40 text-console-accent">
            {t('console.title')}
          </Badge>
          {APP_MODE === 'local' ? (
            <Badge
              variant="outline"
              className="hidden rounded-full border-transparent bg-white/10 text-console-muted sm:inline-flex"
            >
              {t('common.localMode')}
            </Badge>
          ) : null}
          <div className="ml-auto flex items-center gap-2">
            <LanguageSwitch tone="dark" />
            <SurfaceNotifications routeId="routes/console" to="/console/notifications" tone="dark" />
            <UserMenu viewer={viewer} tone="dark" />
          </div>
        </div>
        <nav aria-label={t('common.mainNav')} className="mx-auto max-w-6xl overflow-x-auto px-2 lg:px-6">
          <ul className="flex gap-1 pt-2">
            {consoleNavItems.map(({ to, labelKey, icon: Icon }) => (
              <li key={to}>
                <NavLink
                  to={to}
                  prefetch="intent"
                  className={({ isActive }) =>
                    cn(
                      'flex items-center gap-2 whitespace-nowrap border-b-2 px-3 py-2.5 text-sm transition-colors focus-visible:outline-2 focus-visible:outline-console-accent',
                      isActive
                        ? 'border-console-accent font-medium text-console-foreground'
                        : 'border-transparent text-console-muted hover:text-console-foreground',
                    )
                  }
                >
                  <Icon aria-hidden className="size-4" />
                  {t(labelKey)}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main className="mx-auto w-full max-w-6xl p-4 lg:p-8">{children}</main>
    </div>
  );
}

function useConsoleViewer() {
  return useRouteLoaderData<typeof loader>('routes/console')?.viewer ?? null;
}

export default function ConsoleLayout() {
  return (
    <ConsoleShell viewer={useConsoleViewer()}>
      <Outlet />
    </ConsoleShell>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const viewer = useConsoleViewer();
  if (isRouteErrorResponse(error) && error.status === 403 && isForbiddenData(error.data)) {
    return (
      <CenteredShell>
        <Forbidden data={error.data} />
      </CenteredShell>
    );
  }
  return (
    <ConsoleShell viewer={viewer}>
      <GeneralErrorBoundary homeHref="/console" />
    </ConsoleShell>
  );
}
