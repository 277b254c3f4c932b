import { type ActionFunctionArgs, data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { UserPlus, X } from 'lucide-react';
import { Field, SubmitButton } from '~/components/forms';
import { Badge } from '~/components/ui/badge';
import { Card } from '~/components/ui/card';
import { Label } from '~/components/ui/label';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseIntentFormData } from '~/lib/form-errors';
import { authCacheHeaders } from '~/lib/supabase.server';
import { ActionStatus } from '~/modules/tenancy/components/action-status';
import { NativeSelect } from '~/modules/tenancy/components/native-select';
import { OfficeTabs } from '~/modules/tenancy/components/office-tabs';
import { requireOfficeScope } from '~/modules/tenancy/office-scope.server';
import { displayPhone } from '~/modules/tenancy/permissions';
import { staffFormSchemas } from '~/modules/tenancy/staff-admin.schema';
import {
  assignRole,
  inviteStaff,
  listRoles,
  listStaff,
  listStaffInvitations,
  removeAssignment,
  revokeStaffInvitation,
  setMemberStatus,
} from '~/modules/tenancy/staff-admin.server';
import {
  answerTenancyForm,
  invalidTenancyForm,
  type TenancyActionData,
} from '~/modules/tenancy/tenancy-routes.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'office.nav.staff');
export const headers = authCacheHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, scope, headers } = await requireOfficeScope(request);
  const page = await withUser(
    user.claims,
    async (tx) => ({
      staff: scope.can.staffRead ? await listStaff(tx, scope.company.id) : [],
      invitations: scope.can.staffRead ? await listStaffInvitations(tx, scope.company.id) : [],
      roles: (await listRoles(tx, scope.company.id)).map((r) => ({ id: r.id, name: r.name })),
    }),
    { readOnly: true },
  );
  return data({ scope, ...page }, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, headers } = await requireOfficeScope(request);
  const parsed = parseIntentFormData(await request.formData(), staffFormSchemas);
  if (!parsed.ok) return invalidTenancyForm(headers, parsed.intent, parsed.errors);
  return answerTenancyForm(headers, parsed.intent, () =>
    withUser(user.claims, async (tx) => {
      switch (parsed.intent) {
        case 'invite': {
          const { accepted } = await inviteStaff(tx, parsed.data);
          return {
            key: accepted ? 'tenancy.staff.invitedAccepted' : 'tenancy.staff.invited',
            vars: { phone: parsed.data.phone },
          };
        }
        case 'revokeInvitation':
          await revokeStaffInvitation(tx, parsed.data.invitationId);
          return { key: 'tenancy.saved' };
        case 'setStatus':
          await setMemberStatus(tx, parsed.data.memberId, parsed.data.status);
          return { key: 'tenancy.saved' };
        case 'assignRole':
          await assignRole(tx, parsed.data);
          return { key: 'tenancy.saved' };
        case 'removeAssignment':
          await removeAssignment(tx, parsed.data.assignmentId);
          return { key: 'tenancy.saved' };
      }
    }),
  );
}

function ScopeSelect({
  communities,
  id,
  name = 'communityId',
}: {
  communities: { id: string; name: string }[];
  id?: string;
  name?: string;
}) {
  const t = useT();
  return (
    <NativeSelect id={id} name={name} aria-label={t('tenancy.staff.scope')}>
      <option value="">{t('tenancy.staff.companyWide')}</option>
      {communities.map((c) => (
        <option key={c.id} value={c.id}>
          {c.name}
        </option>
      ))}
    </NativeSelect>
  );
}

export default function OfficeStaffPage() {
  const t = useT();
  const { scope, staff, invitations, roles } = useLoaderData<typeof loader>();
  const actionData = useActionData<TenancyActionData>();
  const fieldErrors = actionData?.intent === 'invite' ? actionData.errors?.fields : undefined;
  return (
    <div className="flex flex-col gap-4">
      <h1 className="font-semibold text-xl tracking-tight">{t('office.nav.staff')}</h1>
      <OfficeTabs
        label={t('tenancy.staff.tabs')}
        current="/office/staff"
        tabs={[
          { to: '/office/staff', key: 'tenancy.staff.members' },
          { to: '/office/staff/roles', key: 'tenancy.staff.roles' },
        ]}
      />
      <ActionStatus data={actionData} />
      {!scope.can.staffRead ? (
        <p className="text-muted-foreground text-sm">{t('tenancy.staff.noAccess')}</p>
      ) : null}
      {scope.can.staffManage ? (
        <Card className="gap-3 px-5">
          <h2 className="flex items-center gap-2 font-medium">
            <UserPlus aria-hidden className="size-4" />
            {t('tenancy.staff.invite')}
          </h2>
          <p className="text-muted-foreground text-xs">{t('tenancy.staff.inviteHint')}</p>
          <Form method="post" className="grid gap-3 sm:grid-cols-3 lg:grid-cols-6 lg:items-end">
            <input type="hidden" name="companyId" value={scope.company.id} />
            <Field
              label={t('tenancy.staff.phone')}
              errors={fieldErrors?.phone}
              inputProps={{ name: 'phone', inputMode: 'tel', required: true, autoComplete: 'off' }}
            />
            <Field
              label={t('tenancy.staff.name')}
              errors={fieldErrors?.fullName}
              inputProps={{ name: 'fullName' }}
            />
            <Field
              label={t('tenancy.staff.jobTitle')}
              errors={fieldErrors?.jobTitle}
              inputProps={{ name: 'jobTitle' }}
            />
            <div className="flex flex-col gap-2">
              <Label htmlFor="invite-role">{t('tenancy.staff.role')}</Label>
              <NativeSelect id="invite-role" name="roleId" required>
                {roles.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <div className="flex flex-col gap-2">
              <Label htmlFor="invite-scope">{t('tenancy.staff.scope')}</Label>
              <ScopeSelect id="invite-scope" communities={scope.communities} />
            </div>
            <SubmitButton intent="invite">{t('tenancy.staff.invite')}</SubmitButton>
          </Form>
        </Card>
      ) : null}
      {invitations.length > 0 ? (
        <Card className="gap-2 px-5">
          <h2 className="font-medium text-sm">{t('tenancy.staff.pending')}</h2>
          <ul className="divide-y text-sm">
            {invitations.map((i) => (
              <li key={i.id} className="flex flex-wrap items-center gap-3 py-2">
                <span className="tabular-nums">{displayPhone(i.phone)}</span>
                <span>{i.name}</span>
                <Badge variant="secondary">
                  {i.roleName} · {i.communityName ?? t('tenancy.staff.companyWide')}
                </Badge>
                {scope.can.staffManage ? (
                  <Form method="post" className="ml-auto">
                    <input type="hidden" name="invitationId" value={i.id} />
                    <SubmitButton intent="revokeInvitation" size="sm" variant="outline">
                      {t('tenancy.staff.revoke')}
                    </SubmitButton>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      {scope.can.staffRead ? (
        <Card className="gap-0 overflow-x-auto py-0">
          <table className="w-full text-sm">
            <thead className="bg-muted/50 text-left text-muted-foreground text-xs">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  {t('tenancy.staff.name')}
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  {t('tenancy.staff.jobTitle')}
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  {t('tenancy.staff.rolesAndScope')}
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  {t('tenancy.staff.status')}
                </th>
              </tr>
            </thead>
            <tbody className="divide-y">
              {staff.map((m) => (
                <tr
                  key={m.memberId}
                  className={m.status === 'suspended' ? 'text-muted-foreground' : undefined}
                >
                  <td className="px-4 py-3 align-top">
                    <div className="font-medium">
                      {m.name || t('tenancy.none')}
                      {m.isMe ? (
                        <span className="ml-1 text-muted-foreground text-xs">({t('tenancy.staff.me')})</span>
                      ) : null}
                    </div>
                    <div className="text-muted-foreground text-xs tabular-nums">{displayPhone(m.phone)}</div>
                  </td>
                  <td className="px-4 py-3 align-top">{m.jobTitle ?? t('tenancy.none')}</td>
                  <td className="px-4 py-3 align-top">
                    <ul className="flex flex-wrap gap-1.5">
                      {m.assignments.map((a) => (
                        <li key={a.id}>
                          <Badge variant="secondary" className="gap-1">
                            {a.roleName} · {a.communityName ?? t('tenancy.staff.companyWide')}
                            {scope.can.staffManage ? (
                              <Form method="post" className="inline-flex">
                                <input type="hidden" name="assignmentId" value={a.id} />
                                <button
                                  type="submit"
                                  name="intent"
                                  value="removeAssignment"
                                  aria-label={t('tenancy.staff.removeRole', { role: a.roleName })}
                                  className="rounded hover:bg-muted"
                                >
                                  <X aria-hidden className="size-3" />
                                </button>
                              </Form>
                            ) : null}
                          </Badge>
                        </li>
                      ))}
                    </ul>
                    {scope.can.staffManage ? (
                      <Form method="post" className="mt-2 flex flex-wrap gap-2">
                        <input type="hidden" name="companyId" value={scope.company.id} />
                        <input type="hidden" name="memberId" value={m.memberId} />
                        <NativeSelect name="roleId" aria-label={t('tenancy.staff.role')} className="h-8">
                          {roles.map((r) => (
                            <option key={r.id} value={r.id}>
                              {r.name}
                            </option>
                          ))}
                        </NativeSelect>
                        <ScopeSelect communities={scope.communities} />
                        <SubmitButton intent="assignRole" size="sm" variant="outline">
                          {t('tenancy.staff.addRole')}
                        </SubmitButton>
                      </Form>
                    ) : null}
                  </td>
                  <td className="px-4 py-3 align-top">
                    <div className="flex flex-col items-start gap-2">
                      <Badge variant={m.status === 'active' ? 'default' : 'outline'}>
                        {t(`tenancy.staff.status.${m.status}`)}
                      </Badge>
                      {scope.can.staffManage && !m.isMe ? (
                        <Form method="post">
                          <input type="hidden" name="memberId" value={m.memberId} />
                          <input
                            type="hidden"
                            name="status"
                            value={m.status === 'active' ? 'suspended' : 'active'}
                          />
                          <SubmitButton intent="setStatus" size="sm" variant="outline">
                            {t(m.status === 'active' ? 'tenancy.staff.suspend' : 'tenancy.staff.activate')}
                          </SubmitButton>
                        </Form>
                      ) : null}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {staff.length === 0 ? (
            <p className="px-4 py-6 text-center text-muted-foreground text-sm">{t('tenancy.staff.empty')}</p>
          ) : null}
        </Card>
      ) : null}
    </div>
  );
}
