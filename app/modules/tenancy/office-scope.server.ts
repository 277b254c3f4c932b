import type { Tx } from '~/lib/db.server';
import { withUser } from '~/lib/db.server';
import { requireUser } from '~/modules/auth/session.server';

/**
 * Where a staff member works in the back office: their companies (`?co=` picks one, default
 * the first) and, in it, the communities they may read, plus what they may do there. The
 * flags only shape the UI; every write is checked again by RLS and the SQL functions.
 */
export type OfficeScope = {
  companies: { id: string; name: string }[];
  company: { id: string; name: string };
  communities: { id: string; name: string }[];
  can: {
    staffRead: boolean;
    staffManage: boolean;
    roleManage: boolean;
    communityManage: boolean;
    unitManage: boolean;
    residentRead: boolean;
    residentVerify: boolean;
  };
};

export async function loadOfficeScope(tx: Tx, wantedCompanyId: string | null): Promise<OfficeScope | null> {
  const companies = await tx.query<{ id: string; name: string }>(
    `select c.id, coalesce(c.short_name, c.name) as name from public.companies c
     where c.id = any ((select private.member_company_ids())::uuid[]) and c.status = 'active'
     order by c.name`,
  );
  const company = companies.rows.find((c) => c.id === wantedCompanyId) ?? companies.rows[0];
  if (!company) return null;
  const { rows } = await tx.query<{
    communities: { id: string; name: string }[];
    staff_read: boolean;
    staff_manage: boolean;
    role_manage: boolean;
    community_manage: boolean;
    unit_manage: boolean;
    resident_read: boolean;
    resident_verify: boolean;
  }>(
    `select
       coalesce((select json_agg(json_build_object('id', m.id, 'name', m.name) order by m.name)
                 from public.communities m where m.company_id = $1), '[]') as communities,
       private.has_permission($1, 'staff.read')
         or exists (select 1 from public.communities m where m.company_id = $1
                    and m.id = any ((select private.communities_with_permission('staff.read'))::uuid[])) as staff_read,
       private.has_permission($1, 'staff.manage') as staff_manage,
       private.has_permission($1, 'role.manage') as role_manage,
       private.has_permission($1, 'community.manage') as community_manage,
       exists (select 1 from public.communities m where m.company_id = $1
               and m.id = any ((select private.communities_with_permission('unit.manage'))::uuid[])) as unit_manage,
       exists (select 1 from public.communities m where m.company_id = $1
               and m.id = any ((select private.communities_with_permission('resident.read'))::uuid[])) as resident_read,
       exists (select 1 from public.communities m where m.company_id = $1
               and m.id = any ((select private.communities_with_permission('resident.verify'))::uuid[])) as resident_verify`,
    [company.id],
  );
  const r = rows[0];
  return {
    companies: companies.rows,
    company,
    communities: r.communities,
    can: {
      staffRead: r.staff_read,
      staffManage: r.staff_manage,
      roleManage: r.role_manage,
      communityManage: r.community_manage,
      unitManage: r.unit_manage,
      residentRead: r.resident_read,
      residentVerify: r.resident_verify,
    },
  };
}

/** The signed-in staff member and their office scope; 403 when they have none. */
export async function requireOfficeScope(request: Request) {
  const auth = await requireUser(request, { surface: 'office' });
  const wanted = new URL(request.url).searchParams.get('co');
  const scope = await withUser(auth.user.claims, (tx) => loadOfficeScope(tx, wanted), { readOnly: true });
  if (!scope) throw new Response('Forbidden', { status: 403, headers: auth.headers });
  return { ...auth, scope };
}
