import { data, type LoaderFunctionArgs } from '@remix-run/node';
import { isRouteErrorResponse, Link, Outlet, useRouteError, useRouteLoaderData } from '@remix-run/react';
import { Menu } from 'lucide-react';
import { type ReactNode, useState } from 'react';
import { BrandMark } from '~/components/brand';
import { CenteredShell } from '~/components/centered-shell';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { LanguageSwitch } from '~/components/language-switch';
import { Button } from '~/components/ui/button';
import {
  Sheet,
  SheetContent,
  SheetDescription,
  SheetHeader,
  SheetTitle,
  SheetTrigger,
} from '~/components/ui/sheet';
import { useT } from '~/i18n/use-t';
import { authCacheHeaders } from '~/lib/supabase.server';
import { Forbidden, isForbiddenData } from '~/modules/auth/components/forbidden';
import { UserMenu } from '~/modules/auth/components/user-menu';
import { requireUser, toViewer } from '~/modules/auth/session.server';
import type { Viewer } from '~/modules/auth/viewer';
import { SurfaceNotifications } from '~/modules/notifications/components/surface-notifications';
import { loadUnreadCount } from '~/modules/notifications/inbox.server';
import { OfficeSideNav } from './side-nav';

export const headers = authCacheHeaders;

/** Staff of a property company only: others signed in get a 403, visitors the sign-in page. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request, { surface: 'office' });
  return data({ viewer: toViewer(user), unread: await loadUnreadCount(user.claims) }, { headers });
}

/** Back office surface: fixed side navigation on desktop, a slide-in sheet below `lg`. */
function OfficeShell({ viewer, children }: { viewer: Viewer | null; children: ReactNode }) {
  const t = useT();
  const [menuOpen, setMenuOpen] = useState(false);
  return (
    <div className="min-h-dvh bg-muted/40 lg:grid lg:grid-cols-[15rem_1fr]">
      <aside className="sticky top-0 hidden h-dvh flex-col gap-4 border-r bg-card py-4 lg:flex">
        <Link to="/office" className="mx-6 rounded-md focus-visible:outline-2 focus-visible:outline-ring">
          <BrandMark />
        </Link>
        <OfficeSideNav />
      </aside>
      <div className="flex min-h-dvh min-w-0 flex-col">
        <header className="sticky top-0 z-30 flex h-14 items-center gap-3 border-b bg-background/90 px-4 backdrop-blur lg:px-8">
          <Sheet open={menuOpen} onOpenChange={setMenuOpen}>
            <SheetTrigger asChild>
              <Button variant="ghost" size="icon" className="lg:hidden" aria-label={t('common.openMenu')}>
                <Menu />
              </Button>
            </SheetTrigger>
            <SheetContent side="left" closeLabel={t('common.closeMenu')}>
              <SheetHeader>
                <SheetTitle>
                  <BrandMark />
                </SheetTitle>
                <SheetDescription className="sr-only">{t('office.title')}</SheetDescription>
              </SheetHeader>
              <OfficeSideNav onNavigate={() => setMenuOpen(false)} />
            </SheetContent>
          </Sheet>
          <Link
            to="/office"
            className="rounded-md focus-visible:outline-2 focus-visible:outline-ring lg:hidden"
          >
            <BrandMark />
          </Link>
          <span className="hidden font-medium text-sm lg:inline">{t('office.title')}</span>
          <div className="ml-auto flex items-center gap-2">
            <LanguageSwitch />
            <SurfaceNotifications routeId="routes/office" to="/office/notifications" />
            <UserMenu viewer={viewer} />
          </div>
        </header>
        <main className="mx-auto w-full max-w-6xl flex-1 p-4 lg:p-8">{children}</main>
      </div>
    </div>
  );
}

function useOfficeViewer() {
  return useRouteLoaderData<typeof loader>('routes/office')?.viewer ?? null;
}

export default function OfficeLayout() {
  return (
    <OfficeShell viewer={useOfficeViewer()}>
      <Outlet />
    </OfficeShell>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const viewer = useOfficeViewer();
  // Turned away by this layout: not staff, so no back-office chrome around the explanation.
  if (isRouteErrorResponse(error) && error.status === 403 && isForbiddenData(error.data)) {
    return (
      <CenteredShell>
        <Forbidden data={error.data} />
      </CenteredShell>
    );
  }
  return (
    <OfficeShell viewer={viewer}>
      <GeneralErrorBoundary homeHref="/office" />
    </OfficeShell>
  );
}
