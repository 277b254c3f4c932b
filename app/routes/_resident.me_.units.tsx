import { type ActionFunctionArgs, data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { ArrowLeft, House, Plus, UserPlus } from 'lucide-react';
import { EmptyState } from '~/components/empty-state';
import { Field, SubmitButton } from '~/components/forms';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { Card } from '~/components/ui/card';
import { Label } from '~/components/ui/label';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseIntentFormData } from '~/lib/form-errors';
import { authCacheHeaders } from '~/lib/supabase.server';
import { requireUser } from '~/modules/auth/session.server';
import { listMyBindingRequests } from '~/modules/tenancy/binding.server';
import { ActionStatus } from '~/modules/tenancy/components/action-status';
import { NativeSelect } from '~/modules/tenancy/components/native-select';
import { householdFormSchemas, householdGrants } from '~/modules/tenancy/household.schema';
import {
  getMyHomes,
  inviteHouseholdMember,
  removeHouseholdMember,
  revokeHouseholdInvitation,
  setHouseholdGrants,
} from '~/modules/tenancy/household.server';
import { displayPhone, relationLabels, unitAddress } from '~/modules/tenancy/permissions';
import {
  answerTenancyForm,
  invalidTenancyForm,
  type TenancyActionData,
} from '~/modules/tenancy/tenancy-routes.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'tenancy.units.title');
export const headers = authCacheHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const page = await withUser(
    user.claims,
    async (tx) => ({
      homes: await getMyHomes(tx, user.id),
      pending: (await listMyBindingRequests(tx)).filter((r) => r.status === 'pending'),
    }),
    { readOnly: true },
  );
  return data(page, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const form = await request.formData();
  form.set('grants', form.getAll('grant').join(','));
  form.delete('grant');
  const parsed = parseIntentFormData(form, householdFormSchemas);
  if (!parsed.ok) return invalidTenancyForm(headers, parsed.intent, parsed.errors);
  return answerTenancyForm(headers, parsed.intent, () =>
    withUser(user.claims, async (tx) => {
      switch (parsed.intent) {
        case 'invite':
          await inviteHouseholdMember(tx, parsed.data);
          return { key: 'tenancy.household.invited', vars: { phone: parsed.data.phone } };
        case 'revokeInvitation':
          await revokeHouseholdInvitation(tx, parsed.data.invitationId);
          return { key: 'tenancy.saved' };
        case 'remove':
          await removeHouseholdMember(tx, parsed.data.occupancyId);
          return { key: 'tenancy.household.removed' };
        case 'setGrants':
          await setHouseholdGrants(tx, parsed.data.occupancyId, parsed.data.grants);
          return { key: 'tenancy.saved' };
      }
    }),
  );
}

export default function MyUnitsPage() {
  const t = useT();
  const { homes, pending } = useLoaderData<typeof loader>();
  const actionData = useActionData<TenancyActionData>();
  return (
    <div className="flex flex-col gap-4">
      <Link to="/me" className="flex items-center gap-1 text-muted-foreground text-sm">
        <ArrowLeft aria-hidden className="size-4" />
        {t('resident.me.title')}
      </Link>
      <div className="flex items-center justify-between gap-2">
        <h1 className="font-semibold text-xl tracking-tight">{t('tenancy.units.title')}</h1>
        <Button asChild size="sm">
          <Link to="/me/units/bind">
            <Plus aria-hidden />
            {t('tenancy.units.bind')}
          </Link>
        </Button>
      </div>
      <ActionStatus data={actionData} />
      {pending.length > 0 ? (
        <Card className="gap-2 px-5">
          <h2 className="font-medium text-sm">{t('tenancy.bind.myRequests')}</h2>
          <ul className="divide-y text-sm">
            {pending.map((r) => (
              <li key={r.id} className="flex items-center justify-between gap-2 py-2">
                <span>
                  {r.communityName} {unitAddress(r)}
                </span>
                <Badge variant="secondary">{t('tenancy.bind.status.pending')}</Badge>
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      {homes.length === 0 ? (
        <Card className="shadow-none">
          <EmptyState icon={House} title={t('tenancy.units.empty')} body={t('tenancy.units.emptyBody')} />
        </Card>
      ) : (
        homes.map((home) => (
          <Card
            key={home.unitId}
            className="gap-3 px-5"
            aria-label={`${home.communityName} ${unitAddress(home)}`}
          >
            <div>
              <p className="text-muted-foreground text-xs">{home.communityName}</p>
              <h2 className="font-semibold text-lg">{unitAddress(home)}</h2>
              <p className="text-muted-foreground text-sm">
                {t('tenancy.units.myRelation', { relation: t(relationLabels[home.myRelation]) })}
                {home.floorArea ? ` · ${t('tenancy.units.area', { area: home.floorArea })}` : ''}
              </p>
            </div>
            <div className="border-t pt-3">
              <h3 className="mb-2 font-medium text-sm">{t('tenancy.units.members')}</h3>
              {home.canSeeMembers ? (
                <ul className="flex flex-col gap-2">
                  {home.members.map((m) => (
                    <li key={m.occupancyId} className="flex flex-col gap-2 rounded-lg bg-muted/40 px-3 py-2">
                      <div className="flex items-center gap-2 text-sm">
                        <span className="font-medium">{m.name}</span>
                        <Badge variant="secondary">{t(relationLabels[m.relation])}</Badge>
                        {m.isMe ? (
                          <span className="text-muted-foreground text-xs">{t('tenancy.units.me')}</span>
                        ) : null}
                        {!m.hasAccount ? (
                          <span className="text-muted-foreground text-xs">
                            {t('tenancy.units.noAccount')}
                          </span>
                        ) : null}
                        {home.isOwner && !m.isMe && m.relation !== 'owner' ? (
                          <Form method="post" className="ml-auto">
                            <input type="hidden" name="occupancyId" value={m.occupancyId} />
                            <SubmitButton
                              intent="remove"
                              size="sm"
                              variant="ghost"
                              className="h-7 text-destructive"
                            >
                              {t('tenancy.household.remove')}
                            </SubmitButton>
                          </Form>
                        ) : null}
                      </div>
                      {home.isOwner && m.relation === 'family' ? (
                        <Form method="post" className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs">
                          <input type="hidden" name="occupancyId" value={m.occupancyId} />
                          <span className="text-muted-foreground">{t('tenancy.household.grants')}</span>
                          {householdGrants.map((g) => (
                            <label key={g} className="flex items-center gap-1">
                              <input
                                type="checkbox"
                                name="grant"
                                value={g}
                                defaultChecked={m.grants.includes(g)}
                                className="accent-primary"
                              />
                              {t(`tenancy.grant.${g}`)}
                            </label>
                          ))}
                          <SubmitButton intent="setGrants" size="sm" variant="outline" className="h-7">
                            {t('tenancy.household.saveGrants')}
                          </SubmitButton>
                        </Form>
                      ) : null}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="text-muted-foreground text-sm">{t('tenancy.units.membersHidden')}</p>
              )}
              {home.invitations.length > 0 ? (
                <ul className="mt-2 flex flex-col gap-1 text-sm">
                  {home.invitations.map((i) => (
                    <li key={i.id} className="flex items-center gap-2">
                      <span className="text-muted-foreground">
                        {t('tenancy.household.pending', { phone: displayPhone(i.phone) ?? '' })}{' '}
                        {i.name ?? ''}
                      </span>
                      <Form method="post" className="ml-auto">
                        <input type="hidden" name="invitationId" value={i.id} />
                        <SubmitButton intent="revokeInvitation" size="sm" variant="ghost" className="h-7">
                          {t('tenancy.household.revoke')}
                        </SubmitButton>
                      </Form>
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
            {home.isOwner ? (
              <details className="border-t pt-3">
                <summary className="flex cursor-pointer items-center gap-1 font-medium text-primary text-sm">
                  <UserPlus aria-hidden className="size-4" />
                  {t('tenancy.household.invite')}
                </summary>
                <Form method="post" className="mt-3 flex flex-col gap-3">
                  <input type="hidden" name="unitId" value={home.unitId} />
                  <p className="text-muted-foreground text-xs">{t('tenancy.household.inviteHint')}</p>
                  <Field
                    label={t('tenancy.staff.phone')}
                    errors={actionData?.intent === 'invite' ? actionData.errors?.fields?.phone : undefined}
                    inputProps={{ name: 'phone', inputMode: 'tel', required: true }}
                  />
                  <Field label={t('tenancy.household.name')} inputProps={{ name: 'name' }} />
                  <div className="flex flex-col gap-2">
                    <Label htmlFor={`relation-${home.unitId}`}>{t('tenancy.household.relation')}</Label>
                    <NativeSelect id={`relation-${home.unitId}`} name="relation" defaultValue="family">
                      <option value="family">{t('tenancy.relation.family')}</option>
                      <option value="tenant">{t('tenancy.relation.tenant')}</option>
                    </NativeSelect>
                  </div>
                  <SubmitButton intent="invite" className="self-start">
                    {t('tenancy.household.invite')}
                  </SubmitButton>
                </Form>
              </details>
            ) : null}
          </Card>
        ))
      )}
    </div>
  );
}
