import { type ActionFunctionArgs, data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { ArrowLeft, MapPin, Search } from 'lucide-react';
import { useState } from 'react';
import { Field, SubmitButton } from '~/components/forms';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { Card } from '~/components/ui/card';
import { Input } from '~/components/ui/input';
import { Label } from '~/components/ui/label';
import { pageMeta } from '~/i18n/meta';
import { useLocale, useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseIntentFormData } from '~/lib/form-errors';
import { authCacheHeaders } from '~/lib/supabase.server';
import { requireUser } from '~/modules/auth/session.server';
import { formatDateTime } from '~/modules/notifications/components/format';
import { bindFormSchemas, bindQuerySchema } from '~/modules/tenancy/binding.schema';
import {
  buildingsForBinding,
  cancelBindingRequest,
  communityForBinding,
  listMyBindingRequests,
  PROOF_BUCKET,
  requestBinding,
  searchCommunities,
  uploadImage,
} from '~/modules/tenancy/binding.server';
import { ActionStatus } from '~/modules/tenancy/components/action-status';
import { NativeSelect } from '~/modules/tenancy/components/native-select';
import { relationLabels, unitAddress } from '~/modules/tenancy/permissions';
import {
  answerTenancyForm,
  invalidTenancyForm,
  type TenancyActionData,
} from '~/modules/tenancy/tenancy-routes.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'tenancy.bind.title');
export const headers = authCacheHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const query = bindQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const page = await withUser(
    user.claims,
    async (tx) => {
      const community = query.community ? await communityForBinding(tx, query.community) : null;
      return {
        community,
        buildings: community ? await buildingsForBinding(tx, community.id) : [],
        results: !community && query.q ? await searchCommunities(tx, query.q) : [],
        requests: await listMyBindingRequests(tx),
      };
    },
    { readOnly: true },
  );
  return data({ ...page, q: query.q ?? '', defaultName: user.account.fullName }, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, supabase, headers } = await requireUser(request);
  const form = await request.formData();
  const parsed = parseIntentFormData(form, bindFormSchemas);
  if (!parsed.ok) return invalidTenancyForm(headers, parsed.intent, parsed.errors);
  return answerTenancyForm(headers, parsed.intent, async () => {
    if (parsed.intent === 'cancel') {
      await withUser(user.claims, (tx) => cancelBindingRequest(tx, parsed.data.requestId));
      return { key: 'tenancy.saved' };
    }
    const proof = form.get('proof');
    const proofPath = await uploadImage(
      supabase,
      PROOF_BUCKET,
      user.id,
      proof instanceof File ? proof : null,
    );
    try {
      await withUser(user.claims, (tx) => requestBinding(tx, { ...parsed.data, proofPath }));
    } catch (err) {
      // The request was not filed: its photo must not linger in Storage.
      if (proofPath) await supabase.storage.from(PROOF_BUCKET).remove([proofPath]);
      throw err;
    }
    return { key: 'tenancy.bind.submitted' };
  });
}

function entranceOptions(count: number | null | undefined): number[] {
  return Array.from({ length: count ?? 0 }, (_, i) => i + 1);
}

export default function BindUnitPage() {
  const t = useT();
  const locale = useLocale();
  const { community, buildings, results, requests, q, defaultName } = useLoaderData<typeof loader>();
  const actionData = useActionData<TenancyActionData>();
  const [buildingId, setBuildingId] = useState('');
  const building = buildings.find((b) => b.id === buildingId);
  // Before a building is picked (or without JavaScript) offer every entrance of the community.
  const entrances = entranceOptions(
    building ? building.entranceCount : Math.max(0, ...buildings.map((b) => b.entranceCount ?? 0)),
  );
  const fields = actionData?.intent === 'request' ? actionData.errors?.fields : undefined;
  const submitted = actionData?.intent === 'request' && actionData.ok;
  return (
    <div className="flex flex-col gap-4">
      <Link to="/me/units" className="flex items-center gap-1 text-muted-foreground text-sm">
        <ArrowLeft aria-hidden className="size-4" />
        {t('tenancy.units.title')}
      </Link>
      <h1 className="font-semibold text-xl tracking-tight">{t('tenancy.bind.title')}</h1>
      <ActionStatus data={actionData} />
      {!community ? (
        <Card className="gap-3 px-5">
          <Form method="get" role="search" className="flex flex-col gap-2">
            <Label htmlFor="community-search">{t('tenancy.bind.searchCommunity')}</Label>
            <div className="flex gap-2">
              <Input
                id="community-search"
                name="q"
                type="search"
                defaultValue={q}
                placeholder={t('tenancy.bind.searchHint')}
                minLength={2}
                required
              />
              <Button type="submit" variant="outline" aria-label={t('tenancy.search')}>
                <Search aria-hidden />
              </Button>
            </div>
          </Form>
          {q && results.length === 0 ? (
            <p className="text-muted-foreground text-sm">{t('tenancy.bind.noCommunity')}</p>
          ) : null}
          <ul className="divide-y">
            {results.map((c) => (
              <li key={c.id}>
                <Link
                  to={`?community=${c.id}`}
                  className="flex items-center gap-3 py-3 text-sm hover:bg-muted/50"
                >
                  <MapPin aria-hidden className="size-4 text-muted-foreground" />
                  <span className="flex flex-col">
                    <span className="font-medium">{c.name}</span>
                    <span className="text-muted-foreground text-xs">
                      {[c.city, c.district, c.companyName].filter(Boolean).join(' · ')}
                    </span>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </Card>
      ) : submitted ? null : (
        <Card className="gap-3 px-5">
          <div className="flex items-center justify-between gap-2">
            <div>
              <p className="text-muted-foreground text-xs">{t('tenancy.bind.community')}</p>
              <p className="font-medium">{community.name}</p>
            </div>
            <Button asChild variant="ghost" size="sm">
              <Link to=".">{t('tenancy.bind.changeCommunity')}</Link>
            </Button>
          </div>
          <Form method="post" encType="multipart/form-data" className="flex flex-col gap-3">
            <input type="hidden" name="communityId" value={community.id} />
            <div className="grid grid-cols-2 gap-3">
              <div className="flex flex-col gap-2">
                <Label htmlFor="bind-building">{t('tenancy.bind.building')}</Label>
                <NativeSelect
                  id="bind-building"
                  name="buildingId"
                  required
                  value={buildingId}
                  onChange={(e) => setBuildingId(e.currentTarget.value)}
                  aria-invalid={fields?.buildingId ? true : undefined}
                >
                  <option value="">{t('tenancy.bind.pickBuilding')}</option>
                  {buildings.map((b) => (
                    <option key={b.id} value={b.id}>
                      {b.name}
                    </option>
                  ))}
                </NativeSelect>
              </div>
              <div className="flex flex-col gap-2">
                <Label htmlFor="bind-entrance">{t('tenancy.bind.entrance')}</Label>
                <NativeSelect id="bind-entrance" name="entrance" key={buildingId}>
                  {entrances.map((n) => (
                    <option key={n} value={n}>
                      {locale === 'en' ? n : `${n}单元`}
                    </option>
                  ))}
                  <option value="">{t('tenancy.bind.noEntrance')}</option>
                </NativeSelect>
              </div>
            </div>
            <Field
              label={t('tenancy.bind.number')}
              description={t('tenancy.bind.numberHint')}
              errors={fields?.number}
              inputProps={{ name: 'number', required: true, inputMode: 'text', autoComplete: 'off' }}
            />
            <div className="flex flex-col gap-2">
              <Label htmlFor="bind-relation">{t('tenancy.bind.relation')}</Label>
              <NativeSelect id="bind-relation" name="relation" defaultValue="owner">
                {(['owner', 'tenant', 'family'] as const).map((r) => (
                  <option key={r} value={r}>
                    {t(relationLabels[r])}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <Field
              label={t('tenancy.bind.applicantName')}
              errors={fields?.applicantName}
              inputProps={{
                name: 'applicantName',
                required: true,
                defaultValue: defaultName,
                autoComplete: 'name',
              }}
            />
            <Field
              label={t('tenancy.bind.note')}
              errors={fields?.note}
              inputProps={{ name: 'note', maxLength: 500 }}
            />
            <Field
              label={t('tenancy.bind.proof')}
              description={t('tenancy.bind.proofHint')}
              inputProps={{
                name: 'proof',
                type: 'file',
                accept: 'image/jpeg,image/png,image/webp',
                className: 'h-auto py-2 text-sm',
              }}
            />
            <SubmitButton intent="request">{t('tenancy.bind.submit')}</SubmitButton>
          </Form>
        </Card>
      )}
      {requests.length > 0 ? (
        <Card className="gap-2 px-5">
          <h2 className="font-medium">{t('tenancy.bind.myRequests')}</h2>
          <ul className="divide-y text-sm">
            {requests.map((r) => (
              <li key={r.id} className="flex flex-col gap-1 py-2.5">
                <div className="flex items-center justify-between gap-2">
                  <span className="font-medium">
                    {r.communityName} {unitAddress(r)}
                  </span>
                  <Badge
                    variant={
                      r.status === 'approved' ? 'default' : r.status === 'rejected' ? 'outline' : 'secondary'
                    }
                  >
                    {t(`tenancy.bind.status.${r.status}`)}
                  </Badge>
                </div>
                <span className="text-muted-foreground text-xs">
                  {t(relationLabels[r.relation])} · {formatDateTime(r.createdAt, locale)}
                </span>
                {r.status === 'rejected' && r.reviewReason ? (
                  <span className="text-destructive text-xs">
                    {t('tenancy.bind.rejectReason', { reason: r.reviewReason })}
                  </span>
                ) : null}
                {r.status === 'pending' ? (
                  <Form method="post" className="self-end">
                    <input type="hidden" name="requestId" value={r.id} />
                    <SubmitButton intent="cancel" size="sm" variant="ghost" className="h-7">
                      {t('tenancy.bind.cancelRequest')}
                    </SubmitButton>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
    </div>
  );
}
