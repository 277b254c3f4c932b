import { type ActionFunctionArgs, data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useFetcher, useLoaderData, useSubmit } from '@remix-run/react';
import { ArrowLeft, Trash2 } from 'lucide-react';
import { type ReactNode, useId } from 'react';
import { z } from 'zod';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { FormErrors, SubmitButton } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { Card } from '~/components/ui/card';
import { Input } from '~/components/ui/input';
import { pageMeta } from '~/i18n/meta';
import { useLocale, useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseIntentFormData } from '~/lib/form-errors';
import { CategoryIcon, categoryName } from '~/modules/repairs/components/category-icon';
import { NativeSelect } from '~/modules/repairs/components/textarea';
import {
  CATEGORY_ICONS,
  categoryFormSchema,
  locationSettingsSchema,
  ruleFormSchema,
} from '~/modules/repairs/repairs.schema';
import type { CategoryDTO } from '~/modules/repairs/repairs.server';
import {
  type CommunitySettingsDTO,
  deleteRule,
  getCommunitySettings,
  listBuildings,
  listCategories,
  listRules,
  listTechnicians,
  saveCategory,
  saveCommunitySettings,
  saveRule,
} from '~/modules/repairs/repairs-office.server';
import {
  answerForm,
  invalidForm,
  type RepairActionData,
  requireRepairScope,
} from '~/modules/repairs/repairs-routes.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'repairs.settings.title');

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers, scope } = await requireRepairScope(request);
  const managed = scope.filter((c) => c.canManage || c.canDispatch);
  if (managed.length === 0) throw data(null, { status: 403, headers });
  const wanted = new URL(request.url).searchParams.get('community');
  const community = managed.find((c) => c.id === wanted) ?? managed[0];
  const result = await withUser(
    user.claims,
    async (tx) => ({
      categories: await listCategories(tx, community.id),
      rules: await listRules(tx, community.id),
      technicians: await listTechnicians(tx, community.id),
      buildings: await listBuildings(tx, [community.id]),
      settings: await getCommunitySettings(tx, community.id),
    }),
    { readOnly: true },
  );
  return data({ ...result, community, communities: managed }, { headers });
}

const intents = {
  category: categoryFormSchema,
  rule: ruleFormSchema,
  deleteRule: z.object({ ruleId: z.string().uuid() }),
  location: locationSettingsSchema,
};

export async function action({ request }: ActionFunctionArgs) {
  const { user, headers } = await requireRepairScope(request);
  const submission = parseIntentFormData(await request.formData(), intents);
  if (!submission.ok) return invalidForm(headers, submission.errors);
  const s = submission;
  return answerForm(headers, () =>
    withUser(user.claims, (tx): Promise<unknown> => {
      switch (s.intent) {
        case 'category':
          return saveCategory(tx, s.data);
        case 'rule':
          return saveRule(tx, s.data);
        case 'deleteRule':
          return deleteRule(tx, s.data.ruleId);
        case 'location':
          return saveCommunitySettings(tx, s.data);
      }
    }),
  );
}

export default function RepairSettingsPage() {
  const t = useT();
  const { categories, rules, technicians, buildings, settings, community, communities } =
    useLoaderData<typeof loader>();
  const submit = useSubmit();
  return (
    <div className="flex flex-col gap-5">
      <div className="flex flex-wrap items-center gap-3">
        <Button asChild variant="ghost" size="icon" aria-label={t('repairs.common.back')}>
          <Link to="/office/repairs">
            <ArrowLeft />
          </Link>
        </Button>
        <h1 className="font-semibold text-2xl tracking-tight">{t('repairs.settings.title')}</h1>
        <Form method="get" className="ml-auto" onChange={(e) => submit(e.currentTarget)}>
          <NativeSelect
            name="community"
            defaultValue={community.id}
            aria-label={t('repairs.field.community')}
          >
            {communities.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </NativeSelect>
        </Form>
      </div>

      {community.canManage ? (
        <Card className="px-5">
          <h2 className="font-medium">{t('repairs.settings.categories')}</h2>
          <p className="text-muted-foreground text-sm">{t('repairs.settings.categoriesHint')}</p>
          <ul className="flex flex-col gap-2">
            {categories.map((c) => (
              <li key={c.id}>
                <CategoryForm communityId={community.id} category={c} />
              </li>
            ))}
            <li>
              <CategoryForm communityId={community.id} />
            </li>
          </ul>
        </Card>
      ) : null}

      {community.canDispatch ? (
        <Card className="px-5">
          <h2 className="font-medium">{t('repairs.settings.rules')}</h2>
          <p className="text-muted-foreground text-sm">{t('repairs.settings.rulesHint')}</p>
          <RuleList rules={rules} technicians={technicians} />
          <RuleForm
            communityId={community.id}
            categories={categories}
            buildings={buildings}
            technicians={technicians}
          />
        </Card>
      ) : null}

      {community.canManage ? <LocationForm settings={settings} /> : null}
    </div>
  );
}

function CategoryForm({ communityId, category }: { communityId: string; category?: CategoryDTO }) {
  const t = useT();
  const locale = useLocale();
  const fetcher = useFetcher<RepairActionData>();
  return (
    <fetcher.Form
      method="post"
      className="grid grid-cols-2 items-end gap-2 rounded-lg border p-3 text-sm md:grid-cols-[auto_8rem_8rem_7rem_6rem_6rem_auto_auto]"
      aria-label={category ? categoryName(category, locale) : t('repairs.settings.addCategory')}
    >
      <input type="hidden" name="communityId" value={communityId} />
      {category ? <input type="hidden" name="id" value={category.id} /> : null}
      <span className="grid size-9 place-items-center rounded-full bg-primary/10 text-primary">
        <CategoryIcon icon={category?.icon ?? 'wrench'} className="size-4" />
      </span>
      <Labeled label={t('repairs.settings.name')}>
        {(id) => <Input id={id} name="name" required maxLength={16} defaultValue={category?.name ?? ''} />}
      </Labeled>
      <Labeled label={t('repairs.settings.nameEn')}>
        {(id) => <Input id={id} name="nameEn" maxLength={32} defaultValue={category?.nameEn ?? ''} />}
      </Labeled>
      <Labeled label={t('repairs.settings.icon')}>
        {(id) => (
          <NativeSelect id={id} name="icon" defaultValue={category?.icon ?? 'wrench'}>
            {CATEGORY_ICONS.map((i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </NativeSelect>
        )}
      </Labeled>
      <Labeled label={t('repairs.settings.responseMinutes')}>
        {(id) => (
          <Input
            id={id}
            name="responseMinutes"
            type="number"
            min={5}
            max={10080}
            required
            defaultValue={category?.responseMinutes ?? 120}
          />
        )}
      </Labeled>
      <Labeled label={t('repairs.settings.resolveHours')}>
        {(id) => (
          <Input
            id={id}
            name="resolveHours"
            type="number"
            min={1}
            max={720}
            required
            defaultValue={category?.resolveHours ?? 48}
          />
        )}
      </Labeled>
      <div className="flex flex-col gap-1 text-xs">
        <label className="flex items-center gap-1.5">
          <input type="checkbox" name="forHome" defaultChecked={category?.forHome ?? true} />{' '}
          {t('repairs.area.home')}
        </label>
        <label className="flex items-center gap-1.5">
          <input type="checkbox" name="forPublic" defaultChecked={category?.forPublic ?? true} />{' '}
          {t('repairs.area.public')}
        </label>
        <label className="flex items-center gap-1.5">
          <input type="checkbox" name="active" defaultChecked={category?.active ?? true} />{' '}
          {t('repairs.settings.active')}
        </label>
      </div>
      <div className="flex flex-col gap-1">
        <FormErrors errors={fetcher.data?.errors?.form} />
        <SubmitButton
          intent="category"
          size="sm"
          variant={category ? 'outline' : 'default'}
          pending={fetcher.state !== 'idle'}
        >
          {category ? t('repairs.office.save') : t('repairs.settings.addCategory')}
        </SubmitButton>
      </div>
    </fetcher.Form>
  );
}

type Tech = { memberId: string; name: string };

function RuleList({
  rules,
  technicians,
}: {
  rules: {
    id: string;
    categoryName: string | null;
    buildingName: string | null;
    strategy: 'technician' | 'least_loaded';
    technicianId: string | null;
  }[];
  technicians: Tech[];
}) {
  const t = useT();
  const fetcher = useFetcher<RepairActionData>();
  if (rules.length === 0)
    return <p className="text-muted-foreground text-sm">{t('repairs.settings.noRules')}</p>;
  return (
    <ul className="flex flex-col gap-1.5">
      {rules.map((r) => (
        <li key={r.id} className="flex items-center gap-3 rounded-lg border px-3 py-2 text-sm">
          <span className="flex-1">
            {r.categoryName ?? t('repairs.settings.anyCategory')} ·{' '}
            {r.buildingName ?? t('repairs.settings.anyBuilding')} →{' '}
            {r.strategy === 'technician'
              ? (technicians.find((x) => x.memberId === r.technicianId)?.name ?? '—')
              : t('repairs.settings.leastLoaded')}
          </span>
          <fetcher.Form method="post">
            <input type="hidden" name="ruleId" value={r.id} />
            <Button
              type="submit"
              name="intent"
              value="deleteRule"
              variant="ghost"
              size="icon"
              aria-label={t('repairs.settings.deleteRule')}
            >
              <Trash2 />
            </Button>
          </fetcher.Form>
        </li>
      ))}
    </ul>
  );
}

function RuleForm({
  communityId,
  categories,
  buildings,
  technicians,
}: {
  communityId: string;
  categories: CategoryDTO[];
  buildings: { id: string; name: string }[];
  technicians: Tech[];
}) {
  const t = useT();
  const locale = useLocale();
  const fetcher = useFetcher<RepairActionData>();
  return (
    <fetcher.Form
      method="post"
      className="grid items-end gap-2 sm:grid-cols-5"
      aria-label={t('repairs.settings.addRule')}
    >
      <input type="hidden" name="communityId" value={communityId} />
      <NativeSelect name="categoryId" aria-label={t('repairs.field.category')}>
        <option value="">{t('repairs.settings.anyCategory')}</option>
        {categories.map((c) => (
          <option key={c.id} value={c.id}>
            {categoryName(c, locale)}
          </option>
        ))}
      </NativeSelect>
      <NativeSelect name="buildingId" aria-label={t('repairs.queue.building')}>
        <option value="">{t('repairs.settings.anyBuilding')}</option>
        {buildings.map((b) => (
          <option key={b.id} value={b.id}>
            {b.name}
          </option>
        ))}
      </NativeSelect>
      <NativeSelect name="strategy" aria-label={t('repairs.settings.strategy')} defaultValue="least_loaded">
        <option value="least_loaded">{t('repairs.settings.leastLoaded')}</option>
        <option value="technician">{t('repairs.settings.named')}</option>
      </NativeSelect>
      <NativeSelect name="technicianId" aria-label={t('repairs.field.technician')}>
        <option value="">—</option>
        {technicians.map((x) => (
          <option key={x.memberId} value={x.memberId}>
            {x.name}
          </option>
        ))}
      </NativeSelect>
      <SubmitButton intent="rule" pending={fetcher.state !== 'idle'}>
        {t('repairs.settings.addRule')}
      </SubmitButton>
      <FormErrors errors={fetcher.data?.errors?.form} className="sm:col-span-5" />
    </fetcher.Form>
  );
}

function LocationForm({ settings }: { settings: CommunitySettingsDTO }) {
  const t = useT();
  const fetcher = useFetcher<RepairActionData>();
  return (
    <Card className="px-5">
      <h2 className="font-medium">{t('repairs.settings.location')}</h2>
      <p className="text-muted-foreground text-sm">{t('repairs.settings.locationHint')}</p>
      <fetcher.Form
        method="post"
        className="grid items-end gap-3 sm:grid-cols-4"
        aria-label={t('repairs.settings.location')}
      >
        <input type="hidden" name="communityId" value={settings.communityId} />
        <Labeled label={t('repairs.settings.latitude')}>
          {(id) => (
            <Input id={id} name="latitude" inputMode="decimal" defaultValue={settings.latitude ?? ''} />
          )}
        </Labeled>
        <Labeled label={t('repairs.settings.longitude')}>
          {(id) => (
            <Input id={id} name="longitude" inputMode="decimal" defaultValue={settings.longitude ?? ''} />
          )}
        </Labeled>
        <Labeled label={t('repairs.settings.speed')}>
          {(id) => (
            <Input
              id={id}
              name="travelSpeedKmh"
              type="number"
              min={1}
              max={120}
              step="0.5"
              required
              defaultValue={settings.travelSpeedKmh}
            />
          )}
        </Labeled>
        <SubmitButton intent="location" pending={fetcher.state !== 'idle'}>
          {t('repairs.office.save')}
        </SubmitButton>
        <FormErrors errors={fetcher.data?.errors?.form} className="sm:col-span-4" />
        {fetcher.data?.ok ? (
          <p role="status" className="text-emerald-700 text-sm sm:col-span-4">
            {t('repairs.settings.saved')}
          </p>
        ) : null}
      </fetcher.Form>
    </Card>
  );
}

/** A label above its control, wired by id (the kit's Field fits single inputs in a column; these sit in a grid). */
function Labeled({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-muted-foreground text-xs">
        {label}
      </label>
      {children(id)}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary homeHref="/office/repairs" />;
}
