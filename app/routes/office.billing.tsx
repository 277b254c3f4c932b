import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, NavLink, Outlet, useLoaderData, useLocation } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import type { MessageKey } from '~/i18n/zh-CN';
import { authCacheHeaders } from '~/lib/supabase.server';
import { cn } from '~/lib/utils';
import { requireBillingScope } from '~/modules/billing/billing-routes.server';
import { withCommunity } from '~/modules/billing/components/links';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'office.nav.billing');
export const headers = authCacheHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const { communities, community, headers } = await requireBillingScope(request);
  return data({ communities, community }, { headers });
}

const TABS: { to: string; key: MessageKey }[] = [
  { to: 'bills', key: 'billing.office.tabs.bills' },
  { to: 'arrears', key: 'billing.office.tabs.arrears' },
  { to: 'runs', key: 'billing.office.tabs.runs' },
  { to: 'items', key: 'billing.office.tabs.items' },
  { to: 'readings', key: 'billing.office.tabs.readings' },
  { to: 'prepay', key: 'billing.office.tabs.prepay' },
  { to: 'payments', key: 'billing.office.tabs.payments' },
  { to: 'reports', key: 'billing.office.tabs.reports' },
];

/** 收费 in the back office: a community picker and tabs over the billing pages. */
export default function OfficeBillingLayout() {
  const t = useT();
  const { communities, community } = useLoaderData<typeof loader>();
  const location = useLocation();
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="font-semibold text-2xl tracking-tight">{t('office.nav.billing')}</h1>
        {communities.length > 1 ? (
          <Form method="get" action={location.pathname} className="flex items-center gap-2">
            <label htmlFor="billing-community" className="text-muted-foreground text-sm">
              {t('billing.common.community')}
            </label>
            <select
              id="billing-community"
              name="c"
              defaultValue={community?.id}
              onChange={(e) => e.currentTarget.form?.requestSubmit()}
              className="h-9 rounded-md border bg-background px-2 text-sm"
            >
              {communities.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            <noscript>
              <button type="submit" className="rounded-md border px-2 py-1 text-sm">
                OK
              </button>
            </noscript>
          </Form>
        ) : community ? (
          <span className="text-muted-foreground text-sm">{community.name}</span>
        ) : null}
      </div>
      {community ? (
        <>
          <nav aria-label={t('billing.office.title')} className="-mx-1 flex gap-1 overflow-x-auto border-b">
            {TABS.map((tab) => (
              <NavLink
                key={tab.to}
                to={withCommunity(`/office/billing/${tab.to}`, community.id)}
                className={({ isActive }) =>
                  cn(
                    'whitespace-nowrap border-b-2 px-3 py-2 text-sm',
                    isActive
                      ? 'border-primary font-medium text-primary'
                      : 'border-transparent text-muted-foreground hover:text-foreground',
                  )
                }
              >
                {t(tab.key)}
              </NavLink>
            ))}
          </nav>
          <Outlet />
        </>
      ) : (
        <p className="text-muted-foreground">{t('billing.common.noCommunity')}</p>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary homeHref="/office" />;
}
