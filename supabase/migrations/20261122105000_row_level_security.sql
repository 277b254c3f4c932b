-- =====================================================================================
-- Row-level security for the tenancy tables (issue #4): grants and policies in one place
--
-- Reading this file should tell you who can do what. Rules of the house:
--   * Grants are explicit and minimal. anon gets nothing. authenticated gets the verbs a
--     policy exists for; INSERT/UPDATE are granted column by column, so tenant keys, ids,
--     audit stamps and workflow columns can never be written by API users.
--   * One policy per table and verb, `to authenticated`, with `using` and `with check`.
--   * Helpers are called as `(select private.fn(...))` so they run once per statement
--     (an InitPlan), never per row; row columns are compared against their result with
--     `= any (...)`. Per-row helper calls are only used on small, rarely written tables
--     (role assignments and role permissions), where the check depends on the row.
--   * The service role bypasses RLS (BYPASSRLS) and is for jobs, webhooks and the device
--     bridge only (app/lib/db.server.ts withServiceRoleDangerously).
-- The matrix in tests/rls/tenancy-matrix.integration.test.ts exercises every policy for
-- every persona.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- Extra helpers for staff directory scoping
-- -------------------------------------------------------------------------------------
create or replace function private.my_member_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(m.id), '{}') from public.company_members m where m.user_id = (select auth.uid())
$$;
comment on function private.my_member_ids() is 'The caller''s own company_members ids (any status).';

create or replace function private.member_ids_in_communities_with_permission(p_permission public.app_permission)
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(distinct a.member_id), '{}')
  from public.staff_role_assignments a
  where a.community_id = any (private.communities_with_permission(p_permission))
$$;
comment on function private.member_ids_in_communities_with_permission(public.app_permission) is
  'Staff assigned to a community where the caller holds the permission: a community manager sees the staff working there.';

-- Only the platform may suspend or reactivate a company; its own admins may not.
create or replace function private.guard_company_status()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.status is distinct from old.status
    and coalesce(current_setting('role', true), '') in ('authenticated', 'anon')
    and not private.has_permission(null, 'platform.company.manage') then
    raise exception using errcode = '42501', message = 'tenancy.forbidden',
      detail = 'only the platform can change a company''s status';
  end if;
  return new;
end
$$;
comment on function private.guard_company_status() is 'BEFORE UPDATE OF status on companies: only platform operators (or jobs) change it.';
create trigger companies_guard_status
  before update of status on public.companies
  for each row execute function private.guard_company_status();

revoke all on function private.my_member_ids() from public, anon;
revoke all on function private.member_ids_in_communities_with_permission(public.app_permission) from public, anon;
revoke all on function private.guard_company_status() from public, anon, authenticated;
grant execute on function private.my_member_ids() to authenticated, service_role;
grant execute on function private.member_ids_in_communities_with_permission(public.app_permission) to authenticated, service_role;

-- Staff entering an occupancy are its verifiers.
alter table public.occupancies alter column verified_by set default auth.uid();

-- =====================================================================================
-- Service role: full table access for jobs (it bypasses RLS); the audit log stays append-only.
-- =====================================================================================
grant select, insert, update, delete on
  public.companies, public.communities, public.buildings, public.units,
  public.profiles, public.role_templates, public.role_template_permissions,
  public.company_roles, public.company_role_permissions, public.company_members,
  public.staff_role_assignments, public.occupancies, public.unit_binding_requests,
  public.household_invitations
  to service_role;

-- =====================================================================================
-- companies
-- =====================================================================================
grant select on public.companies to authenticated;
grant insert (name, short_name, credit_code, contact_name, contact_phone, address, status) on public.companies to authenticated;
grant update (name, short_name, credit_code, contact_name, contact_phone, address, status) on public.companies to authenticated;

create policy companies_select on public.companies
  for select to authenticated
  using (
    id = any ((select private.member_company_ids())::uuid[])
    or id = any ((select private.resident_company_ids())::uuid[])
    or (select private.has_permission(null, 'community.read'))
  );
create policy companies_insert on public.companies
  for insert to authenticated
  with check ((select private.has_permission(null, 'platform.company.manage')));
create policy companies_update on public.companies
  for update to authenticated
  using (
    id = any ((select private.companies_with_permission('company.manage'))::uuid[])
    or (select private.has_permission(null, 'platform.company.manage'))
  )
  with check (
    id = any ((select private.companies_with_permission('company.manage'))::uuid[])
    or (select private.has_permission(null, 'platform.company.manage'))
  );

-- =====================================================================================
-- communities
-- =====================================================================================
grant select, delete on public.communities to authenticated;
grant insert (company_id, name, code, province, city, district, address, contact_phone) on public.communities to authenticated;
grant update (name, code, province, city, district, address, contact_phone) on public.communities to authenticated;

create policy communities_select on public.communities
  for select to authenticated
  using (
    id = any ((select private.communities_with_permission('community.read'))::uuid[])
    or id = any ((select private.my_community_ids())::uuid[])
  );
create policy communities_insert on public.communities
  for insert to authenticated
  with check (company_id = any ((select private.companies_with_permission('community.manage'))::uuid[]));
create policy communities_update on public.communities
  for update to authenticated
  using (id = any ((select private.communities_with_permission('community.manage'))::uuid[]))
  with check (id = any ((select private.communities_with_permission('community.manage'))::uuid[]));
create policy communities_delete on public.communities
  for delete to authenticated
  using (company_id = any ((select private.companies_with_permission('community.manage'))::uuid[]));

-- =====================================================================================
-- buildings
-- =====================================================================================
grant select, delete on public.buildings to authenticated;
grant insert (company_id, community_id, name, sort_order, floor_count, entrance_count, note) on public.buildings to authenticated;
grant update (name, sort_order, floor_count, entrance_count, note) on public.buildings to authenticated;

create policy buildings_select on public.buildings
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('unit.read'))::uuid[])
    or community_id = any ((select private.my_community_ids())::uuid[])
  );
create policy buildings_insert on public.buildings
  for insert to authenticated
  with check (community_id = any ((select private.communities_with_permission('unit.manage'))::uuid[]));
create policy buildings_update on public.buildings
  for update to authenticated
  using (community_id = any ((select private.communities_with_permission('unit.manage'))::uuid[]))
  with check (community_id = any ((select private.communities_with_permission('unit.manage'))::uuid[]));
create policy buildings_delete on public.buildings
  for delete to authenticated
  using (community_id = any ((select private.communities_with_permission('unit.manage'))::uuid[]));

-- =====================================================================================
-- units (no DELETE: archive with deleted_at)
-- =====================================================================================
grant select on public.units to authenticated;
grant insert (company_id, community_id, building_id, entrance, floor, number, floor_area, use, note) on public.units to authenticated;
grant update (entrance, floor, number, floor_area, use, note, deleted_at) on public.units to authenticated;

create policy units_select on public.units
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('unit.read'))::uuid[])
    or (deleted_at is null and id = any ((select private.my_unit_ids())::uuid[]))
  );
create policy units_insert on public.units
  for insert to authenticated
  with check (community_id = any ((select private.communities_with_permission('unit.manage'))::uuid[]));
create policy units_update on public.units
  for update to authenticated
  using (community_id = any ((select private.communities_with_permission('unit.manage'))::uuid[]))
  with check (community_id = any ((select private.communities_with_permission('unit.manage'))::uuid[]));

-- =====================================================================================
-- profiles (created by trigger; only the owner edits, and only these columns)
-- =====================================================================================
grant select on public.profiles to authenticated;
grant update (full_name, avatar_path, emergency_contact_name, emergency_contact_phone, locale) on public.profiles to authenticated;

-- A profile is visible to its owner, and to whoever may see one of the person's live
-- occupancies or staff memberships: the subqueries run under those tables' own policies,
-- so the rules are stated once, there.
create policy profiles_select on public.profiles
  for select to authenticated
  using (
    id = (select auth.uid())
    or exists (select 1 from public.occupancies o where o.user_id = profiles.id and o.deleted_at is null)
    or exists (select 1 from public.company_members m where m.user_id = profiles.id)
  );
create policy profiles_update on public.profiles
  for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

-- =====================================================================================
-- role templates (platform settings: 用户权限模板)
-- =====================================================================================
grant select, delete on public.role_templates to authenticated;
grant insert (code, name, description, sort_order, is_locked) on public.role_templates to authenticated;
grant update (name, description, sort_order) on public.role_templates to authenticated;
grant select, insert, delete on public.role_template_permissions to authenticated;

-- Templates are reference data without personal or tenant content.
create policy role_templates_select on public.role_templates
  for select to authenticated
  using (true);
create policy role_templates_insert on public.role_templates
  for insert to authenticated
  with check ((select private.has_permission(null, 'platform.settings.manage')));
create policy role_templates_update on public.role_templates
  for update to authenticated
  using ((select private.has_permission(null, 'platform.settings.manage')))
  with check ((select private.has_permission(null, 'platform.settings.manage')));
create policy role_templates_delete on public.role_templates
  for delete to authenticated
  using ((select private.has_permission(null, 'platform.settings.manage')));

create policy role_template_permissions_select on public.role_template_permissions
  for select to authenticated
  using (true);
create policy role_template_permissions_insert on public.role_template_permissions
  for insert to authenticated
  with check ((select private.has_permission(null, 'platform.settings.manage')));
create policy role_template_permissions_delete on public.role_template_permissions
  for delete to authenticated
  using ((select private.has_permission(null, 'platform.settings.manage')));

-- =====================================================================================
-- company roles and their permissions (权限模板 of one company)
-- =====================================================================================
grant select, delete on public.company_roles to authenticated;
grant insert (company_id, name, description, sort_order) on public.company_roles to authenticated;
grant update (name, description, sort_order) on public.company_roles to authenticated;
grant select, delete on public.company_role_permissions to authenticated;
grant insert (company_id, role_id, permission) on public.company_role_permissions to authenticated;

create policy company_roles_select on public.company_roles
  for select to authenticated
  using (
    company_id = any ((select private.member_company_ids())::uuid[])
    or (select private.has_permission(null, 'staff.read'))
  );
create policy company_roles_insert on public.company_roles
  for insert to authenticated
  with check (company_id = any ((select private.companies_with_permission('role.manage'))::uuid[]));
create policy company_roles_update on public.company_roles
  for update to authenticated
  using (company_id = any ((select private.companies_with_permission('role.manage'))::uuid[]) and not is_locked)
  with check (company_id = any ((select private.companies_with_permission('role.manage'))::uuid[]) and not is_locked);
create policy company_roles_delete on public.company_roles
  for delete to authenticated
  using (company_id = any ((select private.companies_with_permission('role.manage'))::uuid[]) and not is_locked);

-- Granting or removing a permission needs role.manage, an unlocked role, and holding the
-- permission yourself (nobody hands out more than they have).
create policy company_role_permissions_select on public.company_role_permissions
  for select to authenticated
  using (
    company_id = any ((select private.member_company_ids())::uuid[])
    or (select private.has_permission(null, 'staff.read'))
  );
create policy company_role_permissions_insert on public.company_role_permissions
  for insert to authenticated
  with check (
    company_id = any ((select private.companies_with_permission('role.manage'))::uuid[])
    and private.has_permission(company_id, permission)
    and exists (
      select 1 from public.company_roles r
      where r.company_id = company_role_permissions.company_id and r.id = company_role_permissions.role_id
        and not r.is_locked
    )
  );
create policy company_role_permissions_delete on public.company_role_permissions
  for delete to authenticated
  using (
    company_id = any ((select private.companies_with_permission('role.manage'))::uuid[])
    and private.has_permission(company_id, permission)
    and exists (
      select 1 from public.company_roles r
      where r.company_id = company_role_permissions.company_id and r.id = company_role_permissions.role_id
        and not r.is_locked
    )
  );

-- =====================================================================================
-- company members (staff) and role assignments
-- =====================================================================================
grant select, delete on public.company_members to authenticated;
grant insert (company_id, user_id, job_title, employee_no, status) on public.company_members to authenticated;
grant update (job_title, employee_no, status) on public.company_members to authenticated;
grant select, delete on public.staff_role_assignments to authenticated;
grant insert (company_id, member_id, role_id, community_id) on public.staff_role_assignments to authenticated;
grant update (role_id, community_id) on public.staff_role_assignments to authenticated;

create policy company_members_select on public.company_members
  for select to authenticated
  using (
    user_id = (select auth.uid())
    or company_id = any ((select private.companies_with_permission('staff.read'))::uuid[])
    or id = any ((select private.member_ids_in_communities_with_permission('staff.read'))::uuid[])
  );
create policy company_members_insert on public.company_members
  for insert to authenticated
  with check (company_id = any ((select private.companies_with_permission('staff.manage'))::uuid[]));
create policy company_members_update on public.company_members
  for update to authenticated
  using (company_id = any ((select private.companies_with_permission('staff.manage'))::uuid[]))
  with check (company_id = any ((select private.companies_with_permission('staff.manage'))::uuid[]));
create policy company_members_delete on public.company_members
  for delete to authenticated
  using (company_id = any ((select private.companies_with_permission('staff.manage'))::uuid[]));

create policy staff_role_assignments_select on public.staff_role_assignments
  for select to authenticated
  using (
    member_id = any ((select private.my_member_ids())::uuid[])
    or company_id = any ((select private.companies_with_permission('staff.read'))::uuid[])
    or community_id = any ((select private.communities_with_permission('staff.read'))::uuid[])
  );
-- Anti-escalation (private.can_grant_role): staff.manage at the scope, and every
-- permission of the role held there. Checked on the old row (using) and the new row (with check).
create policy staff_role_assignments_insert on public.staff_role_assignments
  for insert to authenticated
  with check (private.can_grant_role(company_id, role_id, community_id));
create policy staff_role_assignments_update on public.staff_role_assignments
  for update to authenticated
  using (private.can_grant_role(company_id, role_id, community_id))
  with check (private.can_grant_role(company_id, role_id, community_id));
create policy staff_role_assignments_delete on public.staff_role_assignments
  for delete to authenticated
  using (private.can_grant_role(company_id, role_id, community_id));

-- =====================================================================================
-- occupancies (no DELETE: soft delete with deleted_at, move out with move_out_date)
-- =====================================================================================
grant select on public.occupancies to authenticated;
grant insert (unit_id, user_id, relation, name, phone, household_grants, move_in_date, move_out_date, note)
  on public.occupancies to authenticated;
grant update (user_id, relation, name, phone, household_grants, move_in_date, move_out_date, note, deleted_at)
  on public.occupancies to authenticated;

create policy occupancies_select on public.occupancies
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('resident.read'))::uuid[])
    or (
      deleted_at is null
      and (user_id = (select auth.uid()) or unit_id = any ((select private.household_unit_ids('members.read'))::uuid[]))
    )
  );
create policy occupancies_insert on public.occupancies
  for insert to authenticated
  with check (community_id = any ((select private.communities_with_permission('resident.manage'))::uuid[]));
create policy occupancies_update on public.occupancies
  for update to authenticated
  using (community_id = any ((select private.communities_with_permission('resident.manage'))::uuid[]))
  with check (community_id = any ((select private.communities_with_permission('resident.manage'))::uuid[]));

-- =====================================================================================
-- unit binding requests (staff decide through private.approve/reject_binding_request)
-- =====================================================================================
grant select on public.unit_binding_requests to authenticated;
grant insert (unit_id, relation, applicant_name, note, proof_path) on public.unit_binding_requests to authenticated;
grant update (relation, applicant_name, note, proof_path, status) on public.unit_binding_requests to authenticated;

create policy unit_binding_requests_select on public.unit_binding_requests
  for select to authenticated
  using (
    user_id = (select auth.uid())
    or community_id = any ((select private.communities_with_permission('resident.verify'))::uuid[])
    or community_id = any ((select private.communities_with_permission('resident.read'))::uuid[])
  );
create policy unit_binding_requests_insert on public.unit_binding_requests
  for insert to authenticated
  with check (user_id = (select auth.uid()) and status = 'pending');
-- The applicant may edit or cancel their own request while it is pending.
create policy unit_binding_requests_update on public.unit_binding_requests
  for update to authenticated
  using (user_id = (select auth.uid()) and status = 'pending')
  with check (user_id = (select auth.uid()) and status in ('pending', 'cancelled'));

-- =====================================================================================
-- household invitations (accepted through private.accept_household_invitation)
-- =====================================================================================
grant select on public.household_invitations to authenticated;
grant insert (unit_id, phone, invitee_name, relation, household_grants) on public.household_invitations to authenticated;
grant update (status) on public.household_invitations to authenticated;

create policy household_invitations_select on public.household_invitations
  for select to authenticated
  using (
    invited_by = (select auth.uid())
    or unit_id = any ((select private.owned_unit_ids())::uuid[])
    or phone = (select private.my_phone())
    or community_id = any ((select private.communities_with_permission('resident.read'))::uuid[])
  );
create policy household_invitations_insert on public.household_invitations
  for insert to authenticated
  with check (
    invited_by = (select auth.uid())
    and unit_id = any ((select private.owned_unit_ids())::uuid[])
    and status = 'pending'
  );
-- Owners of the unit may revoke a pending invitation.
create policy household_invitations_update on public.household_invitations
  for update to authenticated
  using (unit_id = any ((select private.owned_unit_ids())::uuid[]) and status = 'pending')
  with check (unit_id = any ((select private.owned_unit_ids())::uuid[]) and status in ('pending', 'revoked'));

-- =====================================================================================
-- audit.log (read-only; written by audit.capture_change)
-- =====================================================================================
grant select on audit.log to authenticated;

create policy log_select on audit.log
  for select to authenticated
  using (
    company_id = any ((select private.companies_with_permission('audit.read'))::uuid[])
    or (company_id is null and (select private.has_permission(null, 'audit.read')))
  );
