import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { Card } from '~/components/ui/card';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { authCacheHeaders } from '~/lib/supabase.server';
import { requireUser } from '~/modules/auth/session.server';
import { ConsoleSearch } from '~/modules/tenancy/components/console-search';
import { NativeSelect } from '~/modules/tenancy/components/native-select';
import { listCommunitiesOverview, listCompaniesOverview } from '~/modules/tenancy/platform-overview.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'console.nav.communities');
export const headers = authCacheHeaders;

const querySchema = z.object({
  q: z.string().trim().max(50).catch('').default(''),
  company: z.string().uuid().optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request, { surface: 'console' });
  const query = querySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const page = await withUser(
    user.claims,
    async (tx) => ({
      companies: (await listCompaniesOverview(tx, '')).map((c) => ({ id: c.id, name: c.name })),
      communities: await listCommunitiesOverview(tx, query.q, query.company ?? null),
    }),
    { readOnly: true },
  );
  return data({ q: query.q, company: query.company ?? '', ...page }, { headers });
}

export default function ConsoleCommunitiesPage() {
  const t = useT();
  const { q, company, companies, communities } = useLoaderData<typeof loader>();
  return (
    <div className="flex flex-col gap-4">
      <h1 className="font-semibold text-xl tracking-tight">{t('console.nav.communities')}</h1>
      <ConsoleSearch q={q}>
        <NativeSelect name="company" defaultValue={company} aria-label={t('tenancy.company')}>
          <option value="">{t('tenancy.console.allCompanies')}</option>
          {companies.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </NativeSelect>
      </ConsoleSearch>
      <Card className="gap-0 overflow-x-auto py-0">
        <table className="w-full text-sm">
          <thead className="bg-muted/50 text-left text-muted-foreground text-xs">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">
                {t('tenancy.console.communities')}
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                {t('tenancy.console.companies')}
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                {t('tenancy.console.city')}
              </th>
              <th scope="col" className="px-4 py-2 text-right font-medium">
                {t('tenancy.console.buildings')}
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
            </tr>
          </thead>
          <tbody className="divide-y">
            {communities.map((c) => (
              <tr key={c.id}>
                <td className="px-4 py-2 font-medium">{c.name}</td>
                <td className="px-4 py-2">{c.companyName}</td>
                <td className="px-4 py-2 text-muted-foreground">
                  {[c.city, c.district].filter(Boolean).join(' ')}
                </td>
                <td className="px-4 py-2 text-right tabular-nums">{c.buildings}</td>
                <td className="px-4 py-2 text-right tabular-nums">{c.units}</td>
                <td className="px-4 py-2 text-right tabular-nums">{c.residents}</td>
                <td className="px-4 py-2 text-right tabular-nums">{c.staff}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {communities.length === 0 ? (
          <p className="px-4 py-6 text-center text-muted-foreground text-sm">{t('tenancy.console.empty')}</p>
        ) : null}
      </Card>
    </div>
  );
}
