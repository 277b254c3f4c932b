import { Link } from '@remix-run/react';
import type { ReactNode } from 'react';
import { BrandMark } from '~/components/brand';
import { LanguageSwitch } from '~/components/language-switch';

/** Minimal frame for pages outside any surface (root errors, unknown top-level URLs). */
export function CenteredShell({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="flex items-center justify-between gap-3 border-b bg-card px-4 py-3 sm:px-6">
        <Link to="/" className="rounded-md focus-visible:outline-2 focus-visible:outline-ring">
          <BrandMark />
        </Link>
        <LanguageSwitch />
      </header>
      <main className="flex flex-1 items-center justify-center">{children}</main>
    </div>
  );
}
