import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { Badge } from '~/components/ui/badge';
import { Card } from '~/components/ui/card';
import { pageMeta } from '~/i18n/meta';
import { useLocale, useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { authCacheHeaders } from '~/lib/supabase.server';
import { requireUser } from '~/modules/auth/session.server';
import { formatDateTime } from '~/modules/notifications/components/format';
import { ConsoleSearch } from '~/modules/tenancy/components/console-search';
import { listCompaniesOverview } from '~/modules/tenancy/platform-overview.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'console.nav.companies');
export const headers = authCacheHeaders;

const querySchema = z.object({ q: z.string().trim().max(50).catch('').default('') });

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request, { surface: 'console' });
  const { q } = querySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const companies = await withUser(user.claims, (tx) => listCompaniesOverview(tx, q), { readOnly: true });
  return data({ q, companies }, { headers });
}

export default function ConsoleCompaniesPage() {
  const t = useT();
  const locale = useLocale();
  const { q, companies } = useLoaderData<typeof loader>();
  return (
    <div className="flex flex-col gap-4">
      <h1 className="font-semibold text-xl tracking-tight">{t('console.nav.companies')}</h1>
      <ConsoleSearch q={q} />
      <Card className="gap-0 overflow-x-auto py-0">
        <table className="w-full text-sm">
          <thead className="bg-muted/50 text-left text-muted-foreground text-xs">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">
                {t('tenancy.console.companies')}
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                {t('tenancy.console.status')}
              </th>
              <th scope="col" className="px-4 py-2 text-right font-medium">
                {t('tenancy.console.communities')}
              </th>
              <th scope="col" className="px-4 py-2 text-right font-medium">
                {t('tenancy.console.units')}
              </th>
              <th scope="col" className="px-4 py-2 text-right font-medium">
                {t('tenancy.console.residents')}
              </th>
              <th scope="col" className="px-4 py-2 text-right font-medium">
                {t('tenancy.console.staff')}
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                {t('tenancy.console.createdAt')}
              </th>
            </tr>
          </thead>
          <tbody className="divide-y">
            {companies.map((c) => (
              <tr key={c.id}>
                <td className="px-4 py-2">
                  <Link to={`/console/communities?company=${c.id}`} className="font-medium hover:underline">
                    {c.name}
                  </Link>
                  {c.shortName ? (
                    <span className="ml-2 text-muted-foreground text-xs">{c.shortName}</span>
                  ) : null}
                </td>
                <td className="px-4 py-2">
                  <Badge variant={c.status === 'active' ? 'secondary' : 'outline'}>
                    {t(`tenancy.console.status.${c.status}`)}
                  </Badge>
                </td>
                <td className="px-4 py-2 text-right tabular-nums">{c.communities}</td>
                <td className="px-4 py-2 text-right tabular-nums">{c.units}</td>
                <td className="px-4 py-2 text-right tabular-nums">{c.residents}</td>
                <td className="px-4 py-2 text-right tabular-nums">{c.staff}</td>
                <td className="px-4 py-2 text-muted-foreground text-xs">
                  {formatDateTime(c.createdAt, locale)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {companies.length === 0 ? (
          <p className="px-4 py-6 text-center text-muted-foreground text-sm">{t('tenancy.console.empty')}</p>
        ) : null}
      </Card>
    </div>
  );
}
