import type { Enums } from '~/lib/database.types';
import type { Tx } from '~/lib/db.server';
import type { CompanyPermission } from './permissions';
import { guarded, TenancyError } from './tenancy-errors';

/**
 * Staff and roles of a company (员工与权限). Reads and writes run as the signed-in staff member:
 * staff.read / staff.manage / role.manage are enforced by RLS and by private.invite_staff /
 * private.can_grant_role (nobody grants more than they hold).
 */

export type StaffAssignment = {
  id: string;
  roleId: string;
  roleName: string;
  communityId: string | null;
  communityName: string | null;
};
export type StaffMember = {
  memberId: string;
  userId: string;
  name: string;
  phone: string | null;
  jobTitle: string | null;
  status: Enums<'member_status'>;
  isMe: boolean;
  assignments: StaffAssignment[];
};
export type StaffInvitation = {
  id: string;
  phone: string;
  name: string | null;
  roleName: string;
  communityName: string | null;
  createdAt: string;
};

export async function listStaff(tx: Tx, companyId: string): Promise<StaffMember[]> {
  const { rows } = await tx.query<{
    member_id: string;
    user_id: string;
    name: string | null;
    phone: string | null;
    job_title: string | null;
    status: Enums<'member_status'>;
    is_me: boolean;
    assignments: StaffAssignment[];
  }>(
    `select m.id as member_id, m.user_id, p.full_name as name, p.phone, m.job_title, m.status,
            m.user_id = (select auth.uid()) as is_me,
            coalesce(json_agg(json_build_object('id', a.id, 'roleId', a.role_id, 'roleName', r.name,
                       'communityId', a.community_id, 'communityName', c.name) order by r.sort_order, c.name)
                     filter (where a.id is not null), '[]') as assignments
     from public.company_members m
     left join public.profiles p on p.id = m.user_id
     left join public.staff_role_assignments a on a.company_id = m.company_id and a.member_id = m.id
     left join public.company_roles r on r.company_id = a.company_id and r.id = a.role_id
     left join public.communities c on c.company_id = a.company_id and c.id = a.community_id
     where m.company_id = $1
     group by m.id, p.full_name, p.phone
     order by m.status, p.full_name collate "C", m.id`,
    [companyId],
  );
  return rows.map((r) => ({
    memberId: r.member_id,
    userId: r.user_id,
    name: r.name ?? '',
    phone: r.phone,
    jobTitle: r.job_title,
    status: r.status,
    isMe: r.is_me,
    assignments: r.assignments,
  }));
}

export async function listStaffInvitations(tx: Tx, companyId: string): Promise<StaffInvitation[]> {
  const { rows } = await tx.query<{
    id: string;
    phone: string;
    full_name: string | null;
    role_name: string;
    community_name: string | null;
    created_at: string;
  }>(
    `select i.id, i.phone, i.full_name, r.name as role_name, c.name as community_name, i.created_at
     from public.staff_invitations i
     join public.company_roles r on r.company_id = i.company_id and r.id = i.role_id
     left join public.communities c on c.company_id = i.company_id and c.id = i.community_id
     where i.company_id = $1 and i.status = 'pending' and i.expires_at > now()
     order by i.created_at desc`,
    [companyId],
  );
  return rows.map((r) => ({
    id: r.id,
    phone: r.phone,
    name: r.full_name,
    roleName: r.role_name,
    communityName: r.community_name,
    createdAt: r.created_at,
  }));
}

export type InviteStaffInput = {
  companyId: string;
  phone: string;
  fullName: string;
  jobTitle: string;
  roleId: string;
  communityId: string | null;
};

/** Invites by phone; `accepted` when an account with that phone existed and got the membership at once. */
export async function inviteStaff(
  tx: Tx,
  input: InviteStaffInput,
): Promise<{ invitationId: string; accepted: boolean }> {
  return guarded(async () => {
    const { rows } = await tx.query<{ invitation_id: string; accepted: boolean }>(
      'select * from private.invite_staff($1, $2, $3, $4, $5, $6)',
      [input.companyId, input.phone, input.fullName, input.jobTitle, input.roleId, input.communityId],
    );
    return { invitationId: rows[0].invitation_id, accepted: rows[0].accepted };
  });
}

export async function revokeStaffInvitation(tx: Tx, invitationId: string): Promise<void> {
  await guarded(() => tx.query('select private.revoke_staff_invitation($1)', [invitationId]));
}

/** Suspends (停用) or reactivates a member; nobody suspends themselves. */
export async function setMemberStatus(
  tx: Tx,
  memberId: string,
  status: Enums<'member_status'>,
): Promise<void> {
  const { rowCount } = await guarded(() =>
    tx.query(
      `update public.company_members set status = $2::public.member_status
       where id = $1 and (user_id <> (select auth.uid()) or $2::public.member_status = 'active')`,
      [memberId, status],
    ),
  );
  if (rowCount !== 1) throw new TenancyError('tenancy.forbidden');
}

export async function assignRole(
  tx: Tx,
  input: { companyId: string; memberId: string; roleId: string; communityId: string | null },
): Promise<void> {
  await guarded(() =>
    tx.query(
      `insert into public.staff_role_assignments (company_id, member_id, role_id, community_id)
       values ($1, $2, $3, $4)`,
      [input.companyId, input.memberId, input.roleId, input.communityId],
    ),
  );
}

export async function removeAssignment(tx: Tx, assignmentId: string): Promise<void> {
  const { rowCount } = await guarded(() =>
    tx.query('delete from public.staff_role_assignments where id = $1', [assignmentId]),
  );
  if (rowCount !== 1) throw new TenancyError('tenancy.forbidden');
}

export type CompanyRole = {
  id: string;
  name: string;
  description: string | null;
  isLocked: boolean;
  templateCode: string | null;
  permissions: CompanyPermission[];
  memberCount: number;
};

export async function listRoles(tx: Tx, companyId: string): Promise<CompanyRole[]> {
  const { rows } = await tx.query<{
    id: string;
    name: string;
    description: string | null;
    is_locked: boolean;
    template_code: string | null;
    permissions: CompanyPermission[];
    member_count: number;
  }>(
    `select r.id, r.name, r.description, r.is_locked, r.template_code,
            coalesce((select array_agg(p.permission::text order by p.permission)
                      from public.company_role_permissions p where p.role_id = r.id), '{}') as permissions,
            (select count(distinct a.member_id) from public.staff_role_assignments a
              where a.company_id = r.company_id and a.role_id = r.id)::int as member_count
     from public.company_roles r
     where r.company_id = $1
     order by r.sort_order, r.name`,
    [companyId],
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    isLocked: r.is_locked,
    templateCode: r.template_code,
    permissions: r.permissions,
    memberCount: r.member_count,
  }));
}

/**
 * Replaces an unlocked role's permission set. RLS lets a change through only for role.manage
 * holders who hold each added or removed permission themselves; anything refused rolls the
 * whole change back.
 */
export async function saveRolePermissions(tx: Tx, roleId: string, permissions: string[]): Promise<void> {
  const role = await tx.query<{ company_id: string; is_locked: boolean; current: string[] }>(
    `select r.company_id, r.is_locked,
            coalesce((select array_agg(p.permission::text) from public.company_role_permissions p where p.role_id = r.id), '{}') as current
     from public.company_roles r where r.id = $1`,
    [roleId],
  );
  const r = role.rows[0];
  if (!r) throw new TenancyError('tenancy.not_found');
  if (r.is_locked) throw new TenancyError('tenancy.role_locked');
  const wanted = new Set(permissions);
  const removed = r.current.filter((p) => !wanted.has(p));
  const added = [...wanted].filter((p) => !r.current.includes(p));
  await guarded(async () => {
    if (removed.length) {
      const del = await tx.query(
        'delete from public.company_role_permissions where role_id = $1 and permission = any ($2::public.app_permission[])',
        [roleId, removed],
      );
      if (del.rowCount !== removed.length) throw new TenancyError('tenancy.forbidden');
    }
    if (added.length) {
      await tx.query(
        `insert into public.company_role_permissions (company_id, role_id, permission)
         select $1, $2, p from unnest($3::public.app_permission[]) p`,
        [r.company_id, roleId, added],
      );
    }
  });
}

export async function createRole(
  tx: Tx,
  input: { companyId: string; name: string; description: string },
): Promise<string> {
  return guarded(async () => {
    const { rows } = await tx.query<{ id: string }>(
      `insert into public.company_roles (company_id, name, description, sort_order)
       values ($1, $2, nullif($3, ''), 1000) returning id`,
      [input.companyId, input.name, input.description],
    );
    return rows[0].id;
  });
}
