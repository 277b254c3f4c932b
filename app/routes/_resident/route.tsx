import { data, type LoaderFunctionArgs } from '@remix-run/node';
import { Link, NavLink, Outlet, useRouteLoaderData } from '@remix-run/react';
import type { ReactNode } from 'react';
import { BrandMark } from '~/components/brand';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { LanguageSwitch } from '~/components/language-switch';
import { useT } from '~/i18n/use-t';
import { authCacheHeaders } from '~/lib/supabase.server';
import { cn } from '~/lib/utils';
import { UserMenu } from '~/modules/auth/components/user-menu';
import { getOptionalUser, toViewer } from '~/modules/auth/session.server';
import type { Viewer } from '~/modules/auth/viewer';
import { LiveNotifications } from '~/modules/notifications/components/live-notifications';
import { NotificationBell } from '~/modules/notifications/components/notification-bell';
import { loadUnreadCount } from '~/modules/notifications/inbox.server';
import { residentNavItems } from './nav-items';

export const headers = authCacheHeaders;

/** Signed out is fine here (the home page welcomes visitors); pages with personal data require sign-in. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await getOptionalUser(request);
  const unread = user ? await loadUnreadCount(user.claims) : 0;
  return data({ viewer: user ? toViewer(user) : null, unread }, { headers });
}

/** Resident surface: a phone-width column with a bottom tab bar, also on desktop. */
function ResidentShell({
  viewer,
  unread = 0,
  children,
}: {
  viewer: Viewer | null;
  unread?: number;
  children: ReactNode;
}) {
  const t = useT();
  return (
    <div className="min-h-dvh bg-muted">
      <div className="relative mx-auto flex min-h-dvh max-w-md flex-col bg-background shadow-sm">
        <header className="sticky top-0 z-20 flex items-center justify-between gap-3 border-b bg-background/90 px-4 py-2.5 backdrop-blur">
          <Link to="/" className="rounded-md focus-visible:outline-2 focus-visible:outline-ring">
            <BrandMark />
          </Link>
          <div className="flex items-center gap-2">
            <LanguageSwitch />
            {viewer ? <NotificationBell count={unread} to="/me/notifications" /> : null}
            <UserMenu viewer={viewer} compact />
          </div>
        </header>
        <LiveNotifications userId={viewer?.id} />
        <main className="flex-1 px-4 pt-4 pb-24">{children}</main>
        <nav
          aria-label={t('common.mainNav')}
          className="fixed inset-x-0 bottom-0 z-20 mx-auto max-w-md border-t bg-background/95 pb-[env(safe-area-inset-bottom)] backdrop-blur"
        >
          <ul className="grid grid-cols-4">
            {residentNavItems.map(({ to, labelKey, icon: Icon }) => (
              <li key={to}>
                <NavLink
                  to={to}
                  end
                  prefetch="intent"
                  className={({ isActive }) =>
                    cn(
                      'flex flex-col items-center gap-0.5 py-2 text-xs transition-colors focus-visible:outline-2 focus-visible:outline-ring',
                      isActive ? 'font-medium text-primary' : 'text-muted-foreground hover:text-foreground',
                    )
                  }
                >
                  <Icon aria-hidden className="size-5" />
                  {t(labelKey)}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </div>
    </div>
  );
}

export default function ResidentLayout() {
  const layout = useRouteLoaderData<typeof loader>('routes/_resident');
  return (
    <ResidentShell viewer={layout?.viewer ?? null} unread={layout?.unread ?? 0}>
      <Outlet />
    </ResidentShell>
  );
}

export function ErrorBoundary() {
  return (
    <ResidentShell viewer={useRouteLoaderData<typeof loader>('routes/_resident')?.viewer ?? null}>
      <GeneralErrorBoundary />
    </ResidentShell>
  );
}
