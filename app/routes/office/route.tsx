import { Link, Outlet } from '@remix-run/react';
import { Menu } from 'lucide-react';
import { type ReactNode, useState } from 'react';
import { BrandMark } from '~/components/brand';
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
import { OfficeSideNav } from './side-nav';

/** Back office surface: fixed side navigation on desktop, a slide-in sheet below `lg`. */
function OfficeShell({ children }: { children: ReactNode }) {
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
          <LanguageSwitch className="ml-auto" />
        </header>
        <main className="mx-auto w-full max-w-6xl flex-1 p-4 lg:p-8">{children}</main>
      </div>
    </div>
  );
}

export default function OfficeLayout() {
  return (
    <OfficeShell>
      <Outlet />
    </OfficeShell>
  );
}

export function ErrorBoundary() {
  return (
    <OfficeShell>
      <GeneralErrorBoundary homeHref="/office" />
    </OfficeShell>
  );
}
