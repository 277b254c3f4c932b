import { Link, Outlet } from '@remix-run/react';
import type { ReactNode } from 'react';
import { BrandMark } from '~/components/brand';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { LanguageSwitch } from '~/components/language-switch';
import { useT } from '~/i18n/use-t';

/** Sign-in pages: their own centered frame, full-width on a phone, a card on larger screens. */
function AuthShell({ children }: { children: ReactNode }) {
  const t = useT();
  return (
    <div className="flex min-h-dvh flex-col bg-background sm:bg-gradient-to-br sm:from-teal-50 sm:via-background sm:to-emerald-50">
      <header className="flex items-center justify-between gap-3 px-5 py-3 sm:px-8 sm:py-5">
        <Link to="/" className="rounded-md focus-visible:outline-2 focus-visible:outline-ring">
          <BrandMark />
        </Link>
        <LanguageSwitch />
      </header>
      <main className="flex flex-1 justify-center px-5 pt-6 pb-10 sm:items-center sm:px-8 sm:pt-0">
        <div className="w-full max-w-sm sm:max-w-md">{children}</div>
      </main>
      <footer className="px-5 pb-[max(1.5rem,env(safe-area-inset-bottom))] text-center text-muted-foreground text-xs">
        {t('brand.name')} · {t('auth.layout.tagline')}
      </footer>
    </div>
  );
}

export default function AuthLayout() {
  return (
    <AuthShell>
      <Outlet />
    </AuthShell>
  );
}

export function ErrorBoundary() {
  return (
    <AuthShell>
      <GeneralErrorBoundary />
    </AuthShell>
  );
}
