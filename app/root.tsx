import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteLoaderData } from '@remix-run/react';
import type { ReactNode } from 'react';
import { CenteredShell } from '~/components/centered-shell';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { defaultLocale } from '~/i18n/config';
import { getLocale } from '~/i18n/locale.server';
import { pageMeta } from '~/i18n/meta';
import { publicEnv } from '~/lib/env.server';
import { serializePublicEnv } from '~/lib/public-env';
import { AuthSessionSync } from '~/modules/auth/components/session-sync';
import stylesheet from '~/styles/tailwind.css?url';

// Inline icon so browsers do not request /favicon.ico (which would hit the 404 route).
const favicon =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='8' fill='%230d9488'/%3E%3Cpath d='M9 24V11l7-4 7 4v13h-5v-6h-4v6z' fill='white'/%3E%3C/svg%3E";

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'icon', type: 'image/svg+xml', href: favicon },
];

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'brand.tagline');

export async function loader({ request }: LoaderFunctionArgs) {
  return { locale: getLocale(request), ENV: publicEnv() };
}

export function Layout({ children }: { children: ReactNode }) {
  // Undefined when the root loader itself failed; the error page then renders in the default locale.
  const data = useRouteLoaderData<typeof loader>('root');
  return (
    <html lang={data?.locale ?? defaultLocale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
        <meta name="theme-color" content="#0d9488" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        {data ? (
          <script
            // biome-ignore lint/security/noDangerouslySetInnerHtml: whitelisted env, escaped by serializePublicEnv
            dangerouslySetInnerHTML={{ __html: `window.ENV = ${serializePublicEnv(data.ENV)};` }}
          />
        ) : null}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return (
    <>
      <Outlet />
      <AuthSessionSync />
    </>
  );
}

export function ErrorBoundary() {
  return (
    <CenteredShell>
      <GeneralErrorBoundary />
    </CenteredShell>
  );
}
