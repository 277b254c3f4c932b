import { type ActionFunctionArgs, data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { Building2, Download, FileUp, House, Plus } from 'lucide-react';
import { EmptyState } from '~/components/empty-state';
import { Field, SubmitButton } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { Card } from '~/components/ui/card';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseIntentFormData } from '~/lib/form-errors';
import { authCacheHeaders } from '~/lib/supabase.server';
import { cn } from '~/lib/utils';
import { ActionStatus } from '~/modules/tenancy/components/action-status';
import { requireOfficeScope } from '~/modules/tenancy/office-scope.server';
import { unitUseLabels } from '~/modules/tenancy/permissions';
import { housesQuerySchema, propertyFormSchemas } from '~/modules/tenancy/property-admin.schema';
import {
  createBuilding,
  createCommunity,
  listBuildings,
  listCommunities,
  listUnits,
  updateBuilding,
  updateCommunity,
} from '~/modules/tenancy/property-admin.server';
import {
  answerTenancyForm,
  invalidTenancyForm,
  type TenancyActionData,
} from '~/modules/tenancy/tenancy-routes.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'office.nav.houses');
export const headers = authCacheHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, scope, headers } = await requireOfficeScope(request);
  const query = housesQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const page = await withUser(
    user.claims,
    async (tx) => {
      const communities = await listCommunities(tx, scope.company.id);
      const community = communities.find((c) => c.id === query.community) ?? communities[0] ?? null;
      const buildings = community ? await listBuildings(tx, community.id) : [];
      const building = buildings.find((b) => b.id === query.building) ?? null;
      const units = building ? await listUnits(tx, building.id) : [];
      return { communities, community, buildings, building, units };
    },
    { readOnly: true },
  );
  return data({ scope, ...page }, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, scope, headers } = await requireOfficeScope(request);
  const parsed = parseIntentFormData(await request.formData(), propertyFormSchemas);
  if (!parsed.ok) return invalidTenancyForm(headers, parsed.intent, parsed.errors);
  return answerTenancyForm(headers, parsed.intent, () =>
    withUser(user.claims, async (tx) => {
      switch (parsed.intent) {
        case 'createCommunity':
          await createCommunity(tx, scope.company.id, parsed.data);
          break;
        case 'updateCommunity':
          await updateCommunity(tx, parsed.data.communityId, parsed.data);
          break;
        case 'createBuilding':
          await createBuilding(tx, parsed.data.communityId, parsed.data);
          break;
        case 'updateBuilding':
          await updateBuilding(tx, parsed.data.buildingId, parsed.data);
          break;
      }
      return { key: 'tenancy.saved' };
    }),
  );
}

function Count({ label, value }: { label: string; value: number }) {
  return (
    <div className="flex flex-col">
      <span className="font-semibold tabular-nums">{value}</span>
      <span className="text-muted-foreground text-xs">{label}</span>
    </div>
  );
}

export default function OfficeHousesPage() {
  const t = useT();
  const { scope, communities, community, buildings, building, units } = useLoaderData<typeof loader>();
  const actionData = useActionData<TenancyActionData>();
  const [params] = useSearchParams();
  const link = (next: Record<string, string | null>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    return `?${p.toString()}`;
  };
  const errorsOf = (intent: string) =>
    actionData?.intent === intent ? actionData.errors?.fields : undefined;
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="font-semibold text-xl tracking-tight">{t('office.nav.houses')}</h1>
        <div className="flex flex-wrap gap-2">
          {community && scope.can.unitManage ? (
            <Button asChild variant="outline">
              <Link to={`/office/houses/import?community=${community.id}`}>
                <FileUp aria-hidden />
                {t('tenancy.houses.import')}
              </Link>
            </Button>
          ) : null}
          {community ? (
            <Button asChild variant="outline">
              <a href={`/office/houses/export.xlsx?community=${community.id}`} download>
                <Download aria-hidden />
                {t('tenancy.houses.export')}
              </a>
            </Button>
          ) : null}
        </div>
      </div>
      <ActionStatus data={actionData} />
      {communities.length === 0 ? (
        <Card className="shadow-none">
          <EmptyState icon={House} title={t('tenancy.houses.empty')} body="" />
        </Card>
      ) : (
        <nav
          aria-label={t('tenancy.houses.communities')}
          className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4"
        >
          {communities.map((c) => (
            <Link
              key={c.id}
              to={link({ community: c.id, building: null })}
              aria-current={community?.id === c.id ? 'page' : undefined}
              className={cn(
                'flex flex-col gap-3 rounded-xl border bg-card p-4 transition-colors hover:bg-muted/50',
                community?.id === c.id && 'border-primary ring-1 ring-primary',
              )}
            >
              <div>
                <p className="font-medium">{c.name}</p>
                <p className="text-muted-foreground text-xs">
                  {[c.city, c.district, c.address].filter(Boolean).join(' ')}
                </p>
              </div>
              <div className="flex gap-6">
                <Count label={t('tenancy.houses.buildings')} value={c.buildingCount} />
                <Count label={t('tenancy.houses.units')} value={c.unitCount} />
                <Count label={t('tenancy.houses.residents')} value={c.residentCount} />
              </div>
            </Link>
          ))}
        </nav>
      )}
      {scope.can.communityManage ? (
        <details className="rounded-lg border bg-card p-4 text-sm">
          <summary className="cursor-pointer font-medium">
            <Plus aria-hidden className="mr-1 inline size-4" />
            {t('tenancy.community.new')}
          </summary>
          <Form method="post" className="mt-3 grid gap-3 sm:grid-cols-3 lg:grid-cols-6 lg:items-end">
            <input type="hidden" name="companyId" value={scope.company.id} />
            <Field
              label={t('tenancy.community.name')}
              errors={errorsOf('createCommunity')?.name}
              inputProps={{ name: 'name', required: true }}
            />
            <Field
              label={t('tenancy.community.code')}
              errors={errorsOf('createCommunity')?.code}
              inputProps={{ name: 'code' }}
            />
            <Field label={t('tenancy.community.city')} inputProps={{ name: 'city' }} />
            <Field label={t('tenancy.community.district')} inputProps={{ name: 'district' }} />
            <Field label={t('tenancy.community.address')} inputProps={{ name: 'address' }} />
            <SubmitButton intent="createCommunity">{t('tenancy.save')}</SubmitButton>
          </Form>
        </details>
      ) : null}
      {community ? (
        <div className="grid gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
          <Card className="gap-0 overflow-x-auto py-0">
            <div className="flex items-center justify-between px-4 py-3">
              <h2 className="flex items-center gap-2 font-medium">
                <Building2 aria-hidden className="size-4" />
                {community.name} · {t('tenancy.houses.buildings')}
              </h2>
            </div>
            <table className="w-full text-sm">
              <thead className="bg-muted/50 text-left text-muted-foreground text-xs">
                <tr>
                  <th scope="col" className="px-4 py-2 font-medium">
                    {t('tenancy.building.name')}
                  </th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">
                    {t('tenancy.houses.floors')}
                  </th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">
                    {t('tenancy.houses.units')}
                  </th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">
                    {t('tenancy.houses.occupied')}
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y">
                {buildings.map((b) => (
                  <tr key={b.id} className={cn(building?.id === b.id && 'bg-primary/5')}>
                    <td className="px-4 py-2">
                      <Link
                        to={link({ building: b.id })}
                        className="font-medium hover:underline"
                        aria-current={building?.id === b.id ? 'page' : undefined}
                      >
                        {b.name}
                      </Link>
                    </td>
                    <td className="px-4 py-2 text-right tabular-nums">{b.floorCount ?? t('tenancy.none')}</td>
                    <td className="px-4 py-2 text-right tabular-nums">{b.unitCount}</td>
                    <td className="px-4 py-2 text-right tabular-nums">{b.occupiedCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {scope.can.unitManage ? (
              <Form method="post" className="flex flex-wrap items-end gap-2 border-t px-4 py-3">
                <input type="hidden" name="communityId" value={community.id} />
                <Field
                  className="w-28"
                  label={t('tenancy.building.name')}
                  errors={errorsOf('createBuilding')?.name}
                  inputProps={{ name: 'name', required: true }}
                />
                <Field
                  className="w-20"
                  label={t('tenancy.houses.floors')}
                  inputProps={{ name: 'floorCount', inputMode: 'numeric' }}
                />
                <Field
                  className="w-20"
                  label={t('tenancy.houses.entrances')}
                  inputProps={{ name: 'entranceCount', inputMode: 'numeric' }}
                />
                <SubmitButton intent="createBuilding" variant="outline">
                  {t('tenancy.building.new')}
                </SubmitButton>
              </Form>
            ) : null}
          </Card>
          <Card className="gap-0 overflow-x-auto py-0">
            {building ? (
              <>
                <div className="flex flex-wrap items-center justify-between gap-2 px-4 py-3">
                  <h2 className="font-medium">
                    {building.name} · {t('tenancy.houses.units')} ({units.length})
                  </h2>
                  {scope.can.unitManage ? (
                    <details className="text-sm">
                      <summary className="cursor-pointer text-muted-foreground">
                        {t('tenancy.building.edit')}
                      </summary>
                      <Form method="post" className="mt-2 flex flex-wrap items-end gap-2">
                        <input type="hidden" name="buildingId" value={building.id} />
                        <Field
                          className="w-28"
                          label={t('tenancy.building.name')}
                          inputProps={{ name: 'name', defaultValue: building.name, required: true }}
                        />
                        <Field
                          className="w-20"
                          label={t('tenancy.houses.floors')}
                          inputProps={{ name: 'floorCount', defaultValue: building.floorCount ?? '' }}
                        />
                        <Field
                          className="w-20"
                          label={t('tenancy.houses.entrances')}
                          inputProps={{ name: 'entranceCount', defaultValue: building.entranceCount ?? '' }}
                        />
                        <SubmitButton intent="updateBuilding" size="sm">
                          {t('tenancy.save')}
                        </SubmitButton>
                      </Form>
                    </details>
                  ) : null}
                </div>
                <table className="w-full text-sm">
                  <thead className="bg-muted/50 text-left text-muted-foreground text-xs">
                    <tr>
                      <th scope="col" className="px-4 py-2 font-medium">
                        {t('tenancy.houses.entrance')}
                      </th>
                      <th scope="col" className="px-4 py-2 font-medium">
                        {t('tenancy.houses.floor')}
                      </th>
                      <th scope="col" className="px-4 py-2 font-medium">
                        {t('tenancy.houses.number')}
                      </th>
                      <th scope="col" className="px-4 py-2 text-right font-medium">
                        {t('tenancy.houses.area')}
                      </th>
                      <th scope="col" className="px-4 py-2 font-medium">
                        {t('tenancy.houses.use')}
                      </th>
                      <th scope="col" className="px-4 py-2 text-right font-medium">
                        {t('tenancy.houses.residents')}
                      </th>
                    </tr>
                  </thead>
                  <tbody className="divide-y">
                    {units.map((u) => (
                      <tr key={u.id}>
                        <td className="px-4 py-1.5 tabular-nums">{u.entrance ?? t('tenancy.none')}</td>
                        <td className="px-4 py-1.5 tabular-nums">{u.floor}</td>
                        <td className="px-4 py-1.5 font-medium tabular-nums">{u.number}</td>
                        <td className="px-4 py-1.5 text-right tabular-nums">
                          {u.floorArea ?? t('tenancy.none')}
                        </td>
                        <td className="px-4 py-1.5">{t(unitUseLabels[u.use])}</td>
                        <td className="px-4 py-1.5 text-right tabular-nums">{u.residentCount}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {units.length === 0 ? (
                  <p className="px-4 py-6 text-center text-muted-foreground text-sm">
                    {t('tenancy.houses.noUnits')}
                  </p>
                ) : null}
              </>
            ) : (
              <p className="px-4 py-10 text-center text-muted-foreground text-sm">
                {t('tenancy.houses.pickBuilding')}
              </p>
            )}
          </Card>
        </div>
      ) : null}
    </div>
  );
}
