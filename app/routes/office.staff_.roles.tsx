import { type ActionFunctionArgs, data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { Lock } from 'lucide-react';
import { Field, SubmitButton } from '~/components/forms';
import { Badge } from '~/components/ui/badge';
import { Card } from '~/components/ui/card';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseIntentFormData } from '~/lib/form-errors';
import { authCacheHeaders } from '~/lib/supabase.server';
import { ActionStatus } from '~/modules/tenancy/components/action-status';
import { OfficeTabs } from '~/modules/tenancy/components/office-tabs';
import { requireOfficeScope } from '~/modules/tenancy/office-scope.server';
import { permissionGroups, permissionLabels } from '~/modules/tenancy/permissions';
import { roleFormSchemas } from '~/modules/tenancy/staff-admin.schema';
import { createRole, listRoles, saveRolePermissions } from '~/modules/tenancy/staff-admin.server';
import {
  answerTenancyForm,
  invalidTenancyForm,
  type TenancyActionData,
} from '~/modules/tenancy/tenancy-routes.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'tenancy.staff.roles');
export const headers = authCacheHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, scope, headers } = await requireOfficeScope(request);
  const roles = await withUser(user.claims, (tx) => listRoles(tx, scope.company.id), { readOnly: true });
  return data({ scope, roles }, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, headers } = await requireOfficeScope(request);
  const form = await request.formData();
  // Checkboxes arrive as repeated `permission` fields; the schema takes them joined.
  form.set('permissions', form.getAll('permission').join(','));
  form.delete('permission');
  const parsed = parseIntentFormData(form, roleFormSchemas);
  if (!parsed.ok) return invalidTenancyForm(headers, parsed.intent, parsed.errors);
  return answerTenancyForm(headers, parsed.intent, () =>
    withUser(user.claims, async (tx) => {
      if (parsed.intent === 'savePermissions')
        await saveRolePermissions(tx, parsed.data.roleId, parsed.data.permissions);
      else await createRole(tx, parsed.data);
      return { key: 'tenancy.saved' };
    }),
  );
}

export default function OfficeRolesPage() {
  const t = useT();
  const { scope, roles } = useLoaderData<typeof loader>();
  const actionData = useActionData<TenancyActionData>();
  return (
    <div className="flex flex-col gap-4">
      <h1 className="font-semibold text-xl tracking-tight">{t('office.nav.staff')}</h1>
      <OfficeTabs
        label={t('tenancy.staff.tabs')}
        current="/office/staff/roles"
        tabs={[
          { to: '/office/staff', key: 'tenancy.staff.members' },
          { to: '/office/staff/roles', key: 'tenancy.staff.roles' },
        ]}
      />
      <p className="text-muted-foreground text-sm">{t('tenancy.roles.hint')}</p>
      <ActionStatus data={actionData} />
      {scope.can.roleManage ? (
        <Card className="px-5">
          <Form method="post" className="grid gap-3 sm:grid-cols-[1fr_2fr_auto] sm:items-end">
            <input type="hidden" name="companyId" value={scope.company.id} />
            <Field
              label={t('tenancy.roles.name')}
              errors={actionData?.intent === 'createRole' ? actionData.errors?.fields?.name : undefined}
              inputProps={{ name: 'name', required: true }}
            />
            <Field label={t('tenancy.roles.description')} inputProps={{ name: 'description' }} />
            <SubmitButton intent="createRole">{t('tenancy.roles.create')}</SubmitButton>
          </Form>
        </Card>
      ) : null}
      <div className="grid gap-4 xl:grid-cols-2">
        {roles.map((role) => {
          const editable = scope.can.roleManage && !role.isLocked;
          return (
            <Card key={role.id} className="gap-3 px-5">
              <div className="flex flex-wrap items-center gap-2">
                <h2 className="font-medium">{role.name}</h2>
                <Badge variant="secondary">{t('tenancy.roles.members', { count: role.memberCount })}</Badge>
                {role.isLocked ? (
                  <span className="flex items-center gap-1 text-muted-foreground text-xs">
                    <Lock aria-hidden className="size-3" />
                    {t('tenancy.roles.locked')}
                  </span>
                ) : null}
              </div>
              {role.description ? <p className="text-muted-foreground text-xs">{role.description}</p> : null}
              <Form method="post" className="flex flex-col gap-3">
                <input type="hidden" name="roleId" value={role.id} />
                {permissionGroups.map((group) => (
                  <fieldset key={group.key} className="flex flex-col gap-1.5">
                    <legend className="mb-1 font-medium text-muted-foreground text-xs">{t(group.key)}</legend>
                    <div className="flex flex-wrap gap-x-4 gap-y-1.5">
                      {group.permissions.map((p) => (
                        <label key={p} className="flex items-center gap-1.5 text-sm">
                          <input
                            type="checkbox"
                            name="permission"
                            value={p}
                            defaultChecked={role.permissions.includes(p)}
                            disabled={!editable}
                            className="size-4 accent-primary"
                          />
                          {t(permissionLabels[p])}
                        </label>
                      ))}
                    </div>
                  </fieldset>
                ))}
                {editable ? (
                  <SubmitButton intent="savePermissions" size="sm" className="self-start">
                    {t('tenancy.roles.savePermissions')}
                  </SubmitButton>
                ) : null}
              </Form>
            </Card>
          );
        })}
      </div>
    </div>
  );
}
