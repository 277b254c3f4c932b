-- =====================================================================================
-- Staff, roles and permissions (issue #4)
--
-- Permissions are data:
--   public.app_permission              the permission vocabulary (enum)
--   public.role_templates (+ _permissions)   platform-wide default roles (权限模板)
--   public.company_roles (+ _permissions)    each company's own, editable copy
--   public.company_members             staff of a company (物业人员)
--   public.staff_role_assignments      member × role, company-wide or for one community
--   private.platform_role_permissions  what each platform role (app_metadata) may do
--
-- ONE function answers "may the caller do P in company C (and community M)?":
--   private.has_permission(company_id, permission, community_id default null)
-- RLS policies and server code both call it. For policies on large tables the set forms
-- private.communities_with_permission(p) / private.companies_with_permission(p) evaluate
-- has_permission once per candidate community/company, so a policy can compare a column
-- against a precomputed array (`col = any ((select …))`) instead of calling per row.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- Permission vocabulary
-- -------------------------------------------------------------------------------------
create type public.app_permission as enum (
  -- company level (meaningful when held company-wide)
  'company.manage',
  'role.manage',
  'staff.read',
  'staff.manage',
  'audit.read',
  'report.read',
  -- community level (may be held company-wide or for single communities)
  'community.read',
  'community.manage',
  'unit.read',
  'unit.manage',
  'resident.read',
  'resident.manage',
  'resident.verify',
  'repair.read',
  'repair.create',
  'repair.dispatch',
  'repair.work',
  'bill.read',
  'bill.manage',
  'payment.record',
  'payment.refund',
  'notice.publish',
  'complaint.read',
  'complaint.handle',
  'activity.manage',
  'service.manage',
  'visitor.manage',
  'device.read',
  'device.manage',
  -- platform level (only through platform roles, never in a company role)
  'platform.company.manage',
  'platform.settings.manage',
  'platform.metrics.read'
);
comment on type public.app_permission is
  'Permission vocabulary checked by private.has_permission(). Meanings are listed in docs/data-model.md. platform.* permissions are only granted through platform roles.';

-- -------------------------------------------------------------------------------------
-- Role templates (platform-wide defaults, 用户权限模板)
-- -------------------------------------------------------------------------------------
create table public.role_templates (
  code text primary key check (code ~ '^[a-z][a-z0-9_]{1,31}$'),
  name text not null check (char_length(name) between 1 and 32),
  description text check (char_length(description) <= 200),
  sort_order integer not null default 0,
  is_locked boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.role_templates is
  'Default staff roles (权限模板) maintained by the platform. Copied into company_roles when a company is created; later edits do not touch existing companies.';
comment on column public.role_templates.code is 'Stable identifier, e.g. community_manager; kept on the company copy as template_code.';
comment on column public.role_templates.is_locked is
  'The company copy cannot be renamed, deleted or have permissions removed by company staff (used for the company admin role).';

create table public.role_template_permissions (
  template_code text not null references public.role_templates (code) on update cascade on delete cascade,
  permission public.app_permission not null check (permission::text not like 'platform.%'),
  primary key (template_code, permission)
);
comment on table public.role_template_permissions is 'Permissions of each default role template.';

create trigger role_templates_touch_updated_at
  before update on public.role_templates
  for each row execute function private.touch_updated_at();
create trigger role_templates_audit
  after insert or update or delete on public.role_templates
  for each row execute function audit.capture_change('company_id');
create trigger role_template_permissions_audit
  after insert or update or delete on public.role_template_permissions
  for each row execute function audit.capture_change('company_id');

insert into public.role_templates (code, name, description, sort_order, is_locked) values
  ('company_admin', '公司管理员', 'Company administrator: every company permission.', 10, true),
  ('community_manager', '项目经理', 'Community manager: runs one or more communities.', 20, false),
  ('front_desk', '前台客服', 'Front desk: receives residents, verifies bindings, takes repair requests and payments.', 30, false),
  ('technician', '维修工', 'Technician: works on assigned repair orders.', 40, false),
  ('finance', '财务', 'Finance: bills, payments, refunds and reports.', 50, false),
  ('security', '保安', 'Security guard: visitors and access devices.', 60, false);

insert into public.role_template_permissions (template_code, permission)
select 'company_admin', p
from unnest(enum_range(null::public.app_permission)) as p
where p::text not like 'platform.%';

insert into public.role_template_permissions (template_code, permission)
select t.code, p::public.app_permission
from (values
  ('community_manager', array[
    'community.read', 'community.manage', 'unit.read', 'unit.manage',
    'resident.read', 'resident.manage', 'resident.verify', 'staff.read', 'staff.manage',
    'repair.read', 'repair.create', 'repair.dispatch', 'repair.work',
    'bill.read', 'payment.record', 'notice.publish', 'complaint.read', 'complaint.handle',
    'activity.manage', 'service.manage', 'visitor.manage', 'device.read', 'device.manage', 'report.read']),
  ('front_desk', array[
    'community.read', 'unit.read', 'resident.read', 'resident.verify',
    'repair.read', 'repair.create', 'repair.dispatch', 'bill.read', 'payment.record',
    'complaint.read', 'complaint.handle', 'visitor.manage']),
  ('technician', array['community.read', 'unit.read', 'repair.read', 'repair.work']),
  ('finance', array[
    'community.read', 'unit.read', 'resident.read', 'bill.read', 'bill.manage',
    'payment.record', 'payment.refund', 'report.read']),
  ('security', array['community.read', 'unit.read', 'visitor.manage', 'device.read'])
) as t (code, perms)
cross join lateral unnest(t.perms) as p;

-- -------------------------------------------------------------------------------------
-- Platform roles → permissions
-- -------------------------------------------------------------------------------------
create table private.platform_role_permissions (
  platform_role public.platform_role not null,
  permission public.app_permission not null,
  primary key (platform_role, permission)
);
comment on table private.platform_role_permissions is
  'What each platform role may do, in every company. Deliberately no resident.* permission: operators do not browse residents'' personal data; support work on it goes through audited service-role tooling.';
alter table private.platform_role_permissions enable row level security;
revoke all on private.platform_role_permissions from public, anon, authenticated;
grant select on private.platform_role_permissions to service_role;

insert into private.platform_role_permissions (platform_role, permission)
select r::public.platform_role, p::public.app_permission
from (values
  ('owner', array[
    'platform.company.manage', 'platform.settings.manage', 'platform.metrics.read',
    'community.read', 'unit.read', 'staff.read', 'audit.read', 'report.read']),
  ('admin', array[
    'platform.company.manage', 'platform.metrics.read', 'community.read', 'unit.read', 'staff.read', 'report.read']),
  ('support', array['platform.metrics.read', 'community.read', 'unit.read', 'staff.read'])
) as t (r, perms)
cross join lateral unnest(t.perms) as p;

-- -------------------------------------------------------------------------------------
-- Company roles (each company's copy of the templates)
-- -------------------------------------------------------------------------------------
create table public.company_roles (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies (id) on delete cascade,
  template_code text,
  name text not null check (char_length(name) between 1 and 32),
  description text check (char_length(description) <= 200),
  sort_order integer not null default 0,
  is_locked boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint company_roles_company_id_id_key unique (company_id, id),
  constraint company_roles_company_id_name_key unique (company_id, name),
  constraint company_roles_company_id_template_code_key unique (company_id, template_code)
);
comment on table public.company_roles is
  'Staff roles of one company: copies of the templates made at company creation, plus the company''s own roles. Editable by holders of role.manage.';
comment on column public.company_roles.template_code is
  'Template the role was copied from (null for custom roles). Plain text, not a foreign key, so templates can be retired.';
comment on column public.company_roles.is_locked is 'Copied from the template: staff cannot rename, delete or strip this role (company admin).';

create table public.company_role_permissions (
  company_id uuid not null,
  role_id uuid not null,
  permission public.app_permission not null check (permission::text not like 'platform.%'),
  created_at timestamptz not null default now(),
  primary key (role_id, permission),
  constraint company_role_permissions_role_fkey foreign key (company_id, role_id)
    references public.company_roles (company_id, id) on delete cascade
);
comment on table public.company_role_permissions is 'Permissions of a company role. Staff can only grant permissions they hold themselves.';
create index company_role_permissions_company_id_role_id_idx on public.company_role_permissions (company_id, role_id);

create trigger company_roles_touch_updated_at
  before update on public.company_roles
  for each row execute function private.touch_updated_at();
create trigger company_roles_guard_immutable
  before update on public.company_roles
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'template_code', 'is_locked');
create trigger company_roles_audit
  after insert or update or delete on public.company_roles
  for each row execute function audit.capture_change('company_id');
create trigger company_role_permissions_guard_immutable
  before update on public.company_role_permissions
  for each row execute function private.guard_immutable_columns('company_id', 'role_id');
create trigger company_role_permissions_audit
  after insert or update or delete on public.company_role_permissions
  for each row execute function audit.capture_change('company_id');

-- -------------------------------------------------------------------------------------
-- Company members (staff) and their role assignments
-- -------------------------------------------------------------------------------------
create type public.member_status as enum ('active', 'suspended');
comment on type public.member_status is 'Suspended members keep their history but hold no permission.';

create table public.company_members (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  job_title text check (char_length(job_title) <= 32),
  employee_no text check (char_length(employee_no) <= 32),
  status public.member_status not null default 'active',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint company_members_company_id_user_id_key unique (company_id, user_id),
  constraint company_members_company_id_id_key unique (company_id, id)
);
comment on table public.company_members is 'Staff (物业人员) of a company. What they may do comes from staff_role_assignments.';
comment on column public.company_members.job_title is 'Free-text job title (岗位) shown in the staff directory.';
comment on column public.company_members.employee_no is 'Company employee number (工号).';
-- Permission checks start from the caller: "which companies am I staff of?"
create index company_members_user_id_idx on public.company_members (user_id);

create table public.staff_role_assignments (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  member_id uuid not null,
  role_id uuid not null,
  community_id uuid,
  created_at timestamptz not null default now(),
  constraint staff_role_assignments_member_fkey foreign key (company_id, member_id)
    references public.company_members (company_id, id) on delete cascade,
  constraint staff_role_assignments_role_fkey foreign key (company_id, role_id)
    references public.company_roles (company_id, id) on delete cascade,
  constraint staff_role_assignments_community_fkey foreign key (company_id, community_id)
    references public.communities (company_id, id) on delete cascade,
  constraint staff_role_assignments_member_role_scope_key
    unique nulls not distinct (company_id, member_id, role_id, community_id)
);
comment on table public.staff_role_assignments is
  'Grants a company role to a member, company-wide (community_id null) or for one community. A member may hold several.';
comment on column public.staff_role_assignments.community_id is
  'Scope: null = every community of the company (and company-level permissions); otherwise that community only.';
create index staff_role_assignments_role_idx on public.staff_role_assignments (company_id, role_id);
create index staff_role_assignments_community_idx on public.staff_role_assignments (company_id, community_id);

create trigger company_members_touch_updated_at
  before update on public.company_members
  for each row execute function private.touch_updated_at();
create trigger company_members_guard_immutable
  before update on public.company_members
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'user_id');
create trigger company_members_status_transition
  before insert or update of status on public.company_members
  for each row execute function private.enforce_state_transition('member_status', 'status');
create trigger company_members_audit
  after insert or update or delete on public.company_members
  for each row execute function audit.capture_change('company_id');
create trigger staff_role_assignments_guard_immutable
  before update on public.staff_role_assignments
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'member_id');
create trigger staff_role_assignments_audit
  after insert or update or delete on public.staff_role_assignments
  for each row execute function audit.capture_change('company_id');

insert into private.state_transitions (machine, from_state, to_state) values
  ('member_status', '', 'active'),
  ('member_status', 'active', 'suspended'),
  ('member_status', 'suspended', 'active');

alter table public.role_templates enable row level security;
alter table public.role_template_permissions enable row level security;
alter table public.company_roles enable row level security;
alter table public.company_role_permissions enable row level security;
alter table public.company_members enable row level security;
alter table public.staff_role_assignments enable row level security;
revoke all on public.role_templates, public.role_template_permissions, public.company_roles,
  public.company_role_permissions, public.company_members, public.staff_role_assignments
  from public, anon, authenticated;

-- =====================================================================================
-- The permission check
-- =====================================================================================
create or replace function private.has_permission(
  p_company_id uuid,
  p_permission public.app_permission,
  p_community_id uuid default null
)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select
    -- Platform operators: the permission comes with their platform role, in every company.
    exists (
      select 1
      from private.platform_role_permissions prp
      where prp.platform_role = (select private.platform_role())
        and prp.permission = p_permission
    )
    -- Staff: an active member of an active company holding a role with the permission,
    -- assigned company-wide or (when a community is asked about) for that community.
    or exists (
      select 1
      from public.company_members m
      join public.companies c on c.id = m.company_id and c.status = 'active'
      join public.staff_role_assignments a on a.company_id = m.company_id and a.member_id = m.id
      join public.company_role_permissions rp on rp.role_id = a.role_id and rp.permission = p_permission
      where m.user_id = (select auth.uid())
        and m.company_id = p_company_id
        and m.status = 'active'
        and (a.community_id is null or a.community_id = p_community_id)
    )
$$;
comment on function private.has_permission(uuid, public.app_permission, uuid) is
  'THE permission check, used by RLS and server code. p_community_id null asks about the company level (only company-wide assignments count); p_company_id null asks about platform permissions only.';

create or replace function private.communities_with_permission(p_permission public.app_permission)
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(c.id order by c.id), '{}')
  from public.communities c
  where (
      c.company_id in (
        select m.company_id from public.company_members m
        where m.user_id = (select auth.uid()) and m.status = 'active'
      )
      or exists (
        select 1 from private.platform_role_permissions prp
        where prp.platform_role = (select private.platform_role()) and prp.permission = p_permission
      )
    )
    and private.has_permission(c.company_id, p_permission, c.id)
$$;
comment on function private.communities_with_permission(public.app_permission) is
  'Communities where has_permission(company, p, community) holds, as an array for policies of the form community_id = any ((select …)).';

create or replace function private.companies_with_permission(p_permission public.app_permission)
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(c.id order by c.id), '{}')
  from public.companies c
  where (
      c.id in (
        select m.company_id from public.company_members m
        where m.user_id = (select auth.uid()) and m.status = 'active'
      )
      or exists (
        select 1 from private.platform_role_permissions prp
        where prp.platform_role = (select private.platform_role()) and prp.permission = p_permission
      )
    )
    and private.has_permission(c.id, p_permission)
$$;
comment on function private.companies_with_permission(public.app_permission) is
  'Companies where the caller holds p company-wide (has_permission with no community), as an array for policies.';

create or replace function private.member_company_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(m.company_id order by m.company_id), '{}')
  from public.company_members m
  where m.user_id = (select auth.uid()) and m.status = 'active'
$$;
comment on function private.member_company_ids() is 'Companies where the caller is an active staff member, whatever their roles.';

-- Anti-escalation: a role may only be granted (or taken away) at a scope by someone who
-- manages staff there and already holds every permission of that role at that scope.
create or replace function private.can_grant_role(p_company_id uuid, p_role_id uuid, p_community_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select private.has_permission(p_company_id, 'staff.manage', p_community_id)
    and not exists (
      select 1
      from public.company_role_permissions rp
      where rp.company_id = p_company_id
        and rp.role_id = p_role_id
        and not private.has_permission(p_company_id, rp.permission, p_community_id)
    )
$$;
comment on function private.can_grant_role(uuid, uuid, uuid) is
  'True when the caller may assign or revoke the role at that scope: staff.manage there, and every permission of the role held there.';

-- -------------------------------------------------------------------------------------
-- Company onboarding
-- -------------------------------------------------------------------------------------
create or replace function private.copy_role_templates()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.company_roles (company_id, template_code, name, description, sort_order, is_locked)
  select new.id, t.code, t.name, t.description, t.sort_order, t.is_locked
  from public.role_templates t;

  insert into public.company_role_permissions (company_id, role_id, permission)
  select new.id, r.id, tp.permission
  from public.company_roles r
  join public.role_template_permissions tp on tp.template_code = r.template_code
  where r.company_id = new.id;
  return null;
end
$$;
comment on function private.copy_role_templates() is 'AFTER INSERT on companies: gives the new company its own copy of every role template.';

create trigger companies_copy_role_templates
  after insert on public.companies
  for each row execute function private.copy_role_templates();

create or replace function private.create_company(
  p_name text,
  p_admin_user_id uuid,
  p_short_name text default null,
  p_credit_code text default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_company_id uuid;
  v_member_id uuid;
begin
  -- Platform operators with the permission, or a server job running as the service role
  -- (the `role` setting is the caller's, even inside this security definer function).
  if not (private.has_permission(null, 'platform.company.manage') or current_setting('role', true) = 'service_role') then
    raise exception using errcode = '42501', message = 'tenancy.forbidden';
  end if;
  insert into public.companies (name, short_name, credit_code)
  values (p_name, p_short_name, p_credit_code)
  returning id into v_company_id;

  insert into public.company_members (company_id, user_id, job_title)
  values (v_company_id, p_admin_user_id, '公司管理员')
  returning id into v_member_id;

  insert into public.staff_role_assignments (company_id, member_id, role_id, community_id)
  select v_company_id, v_member_id, r.id, null
  from public.company_roles r
  where r.company_id = v_company_id and r.template_code = 'company_admin';
  return v_company_id;
end
$$;
comment on function private.create_company(text, uuid, text, text) is
  'Platform onboarding in one transaction: creates the company (roles are copied by trigger) and makes p_admin_user_id its company admin. Needs platform.company.manage or the service role.';

-- For later migrations that add a permission to the vocabulary: adds it to a template and
-- to every locked company role copied from it (the company admin role must stay complete).
-- Unlocked company roles are the companies' own to edit and are left alone.
create or replace function private.add_template_permission(p_template_code text, p_permission public.app_permission)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.role_template_permissions (template_code, permission)
  values (p_template_code, p_permission)
  on conflict do nothing;
  insert into public.company_role_permissions (company_id, role_id, permission)
  select r.company_id, r.id, p_permission
  from public.company_roles r
  where r.template_code = p_template_code and r.is_locked
  on conflict do nothing;
$$;
comment on function private.add_template_permission(text, public.app_permission) is
  'Migration helper: adds a permission to a role template and to the locked company roles copied from it.';

revoke all on function private.has_permission(uuid, public.app_permission, uuid) from public, anon;
revoke all on function private.communities_with_permission(public.app_permission) from public, anon;
revoke all on function private.companies_with_permission(public.app_permission) from public, anon;
revoke all on function private.member_company_ids() from public, anon;
revoke all on function private.can_grant_role(uuid, uuid, uuid) from public, anon;
revoke all on function private.create_company(text, uuid, text, text) from public, anon;
revoke all on function private.copy_role_templates() from public, anon, authenticated;
revoke all on function private.add_template_permission(text, public.app_permission) from public, anon, authenticated;
grant execute on function private.has_permission(uuid, public.app_permission, uuid) to authenticated, service_role;
grant execute on function private.communities_with_permission(public.app_permission) to authenticated, service_role;
grant execute on function private.companies_with_permission(public.app_permission) to authenticated, service_role;
grant execute on function private.member_company_ids() to authenticated, service_role;
grant execute on function private.can_grant_role(uuid, uuid, uuid) to authenticated, service_role;
grant execute on function private.create_company(text, uuid, text, text) to authenticated, service_role;
