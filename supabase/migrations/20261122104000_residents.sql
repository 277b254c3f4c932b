-- =====================================================================================
-- Residents and households (issue #4)
--
--   occupancies             who lives in / owns / rents a unit (业主档案 and 住户), with
--                           move-in/out dates; soft-deleted only. An occupancy is the
--                           verified link between a person and a unit: it is created by
--                           staff, by approving a binding request, or by accepting an
--                           owner's invitation. Only these links open community data to a
--                           resident ("verified residents only").
--   unit_binding_requests   a user asks to be linked to a unit (relation, note, proof photo);
--                           staff with resident.verify approve or reject it with a reason.
--   household_invitations   an owner invites a household member by phone; accepted when a
--                           user with that phone signs in, or explicitly.
--
-- Household sharing: owners and tenants ("principals") see everything about their unit;
-- family members see what the principals allow, listed in occupancies.household_grants.
-- Later issues (bills, repairs, visitors) use private.household_unit_ids(<grant>).
-- =====================================================================================

create type public.occupant_relation as enum ('owner', 'tenant', 'family');
comment on type public.occupant_relation is
  'owner 业主 and tenant 租户 are household principals; family 家庭成员 see what the principals allow.';

create type public.household_grant as enum (
  'members.read', 'bills.read', 'bills.pay', 'repairs.read', 'repairs.create', 'visitors.manage'
);
comment on type public.household_grant is
  'What a family member may see or do for the household; principals (owner, tenant) hold all of them implicitly.';

create type public.occupancy_source as enum ('staff_entry', 'staff_review', 'owner_invitation', 'import');
comment on type public.occupancy_source is
  'How an occupancy was verified: entered by staff, approved binding request, accepted owner invitation, bulk import.';

create type public.binding_status as enum ('pending', 'approved', 'rejected', 'cancelled');
comment on type public.binding_status is 'Life cycle of a unit binding request; transitions in private.state_transitions (machine binding_request).';

create type public.invitation_status as enum ('pending', 'accepted', 'revoked', 'expired');
comment on type public.invitation_status is 'Life cycle of a household invitation; transitions in private.state_transitions (machine household_invitation).';

insert into private.state_transitions (machine, from_state, to_state) values
  ('binding_request', '', 'pending'),
  ('binding_request', 'pending', 'approved'),
  ('binding_request', 'pending', 'rejected'),
  ('binding_request', 'pending', 'cancelled'),
  ('household_invitation', '', 'pending'),
  ('household_invitation', 'pending', 'accepted'),
  ('household_invitation', 'pending', 'revoked'),
  ('household_invitation', 'pending', 'expired');

-- -------------------------------------------------------------------------------------
-- Shared triggers
-- -------------------------------------------------------------------------------------

-- Rows that hang off a unit take their tenant keys from the unit, never from the client:
-- a resident cannot read units before being verified, and must not be able to choose a
-- company. The composite foreign key then re-checks the result.
create or replace function private.fill_tenant_keys_from_unit()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  select u.company_id, u.community_id
    into new.company_id, new.community_id
  from public.units u
  where u.id = new.unit_id and u.deleted_at is null;
  if not found then
    raise exception using errcode = 'P0002', message = 'tenancy.unit_not_found';
  end if;
  return new;
end
$$;
comment on function private.fill_tenant_keys_from_unit() is
  'BEFORE INSERT trigger: copies company_id and community_id from the (live) unit named by unit_id.';

create or replace function private.normalize_phone_columns()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  col text;
begin
  foreach col in array tg_argv loop
    new := jsonb_populate_record(new, jsonb_build_object(col, private.normalize_phone(to_jsonb(new) ->> col)));
  end loop;
  return new;
end
$$;
comment on function private.normalize_phone_columns() is
  'BEFORE INSERT OR UPDATE trigger; arguments are phone columns to store digits-only with country code.';

revoke all on function private.fill_tenant_keys_from_unit() from public, anon, authenticated;
revoke all on function private.normalize_phone_columns() from public, anon, authenticated;

-- -------------------------------------------------------------------------------------
-- Occupancies
-- -------------------------------------------------------------------------------------
create table public.occupancies (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  unit_id uuid not null,
  user_id uuid references public.profiles (id) on delete set null,
  relation public.occupant_relation not null,
  name text not null check (char_length(name) between 1 and 64),
  phone text check (phone ~ '^[1-9][0-9]{6,14}$'),
  household_grants public.household_grant[] not null default '{}',
  move_in_date date,
  move_out_date date,
  verified_via public.occupancy_source not null default 'staff_entry',
  verified_by uuid,
  note text check (char_length(note) <= 500),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_by uuid,
  constraint occupancies_unit_fkey foreign key (company_id, community_id, unit_id)
    references public.units (company_id, community_id, id) on delete restrict,
  constraint occupancies_company_id_id_key unique (company_id, id),
  constraint occupancies_dates_check check (move_out_date is null or move_in_date is null or move_out_date >= move_in_date),
  constraint occupancies_grants_family_only check (relation = 'family' or household_grants = '{}')
);
comment on table public.occupancies is
  'Residents of a unit (业主/租户/家庭成员) with move-in/out dates. A row with user_id is a verified link that opens the community to that user. Soft-deleted only.';
comment on column public.occupancies.user_id is
  'The resident''s account; null for records staff keep for people without an account yet (matched on approval by phone).';
comment on column public.occupancies.name is 'Name as registered with the property office (may differ from the profile name).';
comment on column public.occupancies.phone is 'Contact phone as registered, digits with country code; used to match binding requests.';
comment on column public.occupancies.household_grants is
  'For family members: what the household principals let them see or do. Principals hold everything implicitly, so this stays empty for them.';
comment on column public.occupancies.move_out_date is 'Last day of residence; from the day after, the occupancy no longer grants access.';
comment on column public.occupancies.verified_via is 'How this link was verified.';
comment on column public.occupancies.verified_by is 'auth.uid() of the staff member or owner who verified it (plain uuid, survives account deletion).';
comment on column public.occupancies.deleted_at is 'Soft delete (entered by mistake); moving out is move_out_date, not deletion.';
comment on column public.occupancies.deleted_by is 'auth.uid() of who soft-deleted the row.';

-- Household view and the unit foreign key.
create index occupancies_unit_idx on public.occupancies (company_id, community_id, unit_id);
-- Resident directory (staff): a community's residents by name.
create index occupancies_directory_name_idx on public.occupancies (company_id, community_id, name)
  where deleted_at is null;
-- Resident directory (staff): search by phone, and matching binding requests by phone.
create index occupancies_phone_idx on public.occupancies (company_id, phone) where deleted_at is null;
-- "Which units am I in?" starts from the caller; also the user foreign key.
create index occupancies_user_id_idx on public.occupancies (user_id);
-- One live link per person and unit.
create unique index occupancies_one_live_link_key on public.occupancies (company_id, unit_id, user_id)
  where deleted_at is null and move_out_date is null and user_id is not null;

create trigger occupancies_fill_tenant_keys
  before insert on public.occupancies
  for each row execute function private.fill_tenant_keys_from_unit();
create trigger occupancies_normalize_phone
  before insert or update of phone on public.occupancies
  for each row execute function private.normalize_phone_columns('phone');
create trigger occupancies_touch_updated_at
  before update on public.occupancies
  for each row execute function private.touch_updated_at();
create trigger occupancies_guard_immutable
  before update on public.occupancies
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'community_id', 'unit_id');
create trigger occupancies_stamp_soft_delete
  before update of deleted_at on public.occupancies
  for each row execute function private.stamp_soft_delete();
create trigger occupancies_audit
  after insert or update or delete on public.occupancies
  for each row execute function audit.capture_change('company_id');

-- -------------------------------------------------------------------------------------
-- Unit binding requests
-- -------------------------------------------------------------------------------------
create table public.unit_binding_requests (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  unit_id uuid not null,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  relation public.occupant_relation not null,
  applicant_name text not null check (char_length(applicant_name) between 1 and 64),
  note text check (char_length(note) <= 500),
  proof_path text check (proof_path is null or (char_length(proof_path) <= 512 and proof_path !~ '(^/|\.\.)')),
  status public.binding_status not null default 'pending',
  reviewed_by uuid,
  reviewed_at timestamptz,
  review_reason text check (char_length(review_reason) <= 500),
  occupancy_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint unit_binding_requests_unit_fkey foreign key (company_id, community_id, unit_id)
    references public.units (company_id, community_id, id) on delete restrict,
  constraint unit_binding_requests_occupancy_fkey foreign key (company_id, occupancy_id)
    references public.occupancies (company_id, id),
  constraint unit_binding_requests_rejection_reason check (status <> 'rejected' or char_length(btrim(review_reason)) > 0),
  constraint unit_binding_requests_approval_link check (status <> 'approved' or occupancy_id is not null),
  constraint unit_binding_requests_review_stamp check (status not in ('approved', 'rejected') or reviewed_by is not null)
);
comment on table public.unit_binding_requests is
  'A user''s request to be linked to a unit (房屋认证). Approved or rejected by staff holding resident.verify, through private.approve_binding_request / private.reject_binding_request.';
comment on column public.unit_binding_requests.company_id is 'Copied from the unit by trigger; clients cannot choose it.';
comment on column public.unit_binding_requests.user_id is 'The requesting user (defaults to the caller).';
comment on column public.unit_binding_requests.relation is 'The relation the applicant claims (owner/tenant/family).';
comment on column public.unit_binding_requests.applicant_name is 'Name the applicant gives; becomes the occupancy name on approval.';
comment on column public.unit_binding_requests.proof_path is
  'Object path of the proof photo (房产证/租赁合同) in the Storage bucket "binding-proofs", under the applicant''s user id folder.';
comment on column public.unit_binding_requests.review_reason is 'Reason given by staff; required when rejecting.';
comment on column public.unit_binding_requests.occupancy_id is 'The occupancy created or linked on approval.';

create index unit_binding_requests_unit_idx on public.unit_binding_requests (company_id, community_id, unit_id);
-- Staff review queue: a community's pending requests, oldest first.
create index unit_binding_requests_queue_idx on public.unit_binding_requests (company_id, community_id, status, created_at);
create index unit_binding_requests_occupancy_idx on public.unit_binding_requests (company_id, occupancy_id);
create index unit_binding_requests_user_id_idx on public.unit_binding_requests (user_id);
-- One open request per person and unit.
create unique index unit_binding_requests_one_pending_key on public.unit_binding_requests (company_id, unit_id, user_id)
  where status = 'pending';

create trigger unit_binding_requests_fill_tenant_keys
  before insert on public.unit_binding_requests
  for each row execute function private.fill_tenant_keys_from_unit();
create trigger unit_binding_requests_status_transition
  before insert or update of status on public.unit_binding_requests
  for each row execute function private.enforce_state_transition('binding_request', 'status');
create trigger unit_binding_requests_touch_updated_at
  before update on public.unit_binding_requests
  for each row execute function private.touch_updated_at();
create trigger unit_binding_requests_guard_immutable
  before update on public.unit_binding_requests
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'community_id', 'unit_id', 'user_id');
create trigger unit_binding_requests_audit
  after insert or update or delete on public.unit_binding_requests
  for each row execute function audit.capture_change('company_id');

-- -------------------------------------------------------------------------------------
-- Household invitations
-- -------------------------------------------------------------------------------------
create table public.household_invitations (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  unit_id uuid not null,
  invited_by uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  phone text not null check (phone ~ '^[1-9][0-9]{6,14}$'),
  invitee_name text check (char_length(invitee_name) <= 64),
  relation public.occupant_relation not null default 'family' check (relation in ('family', 'tenant')),
  household_grants public.household_grant[] not null default '{members.read,repairs.read,repairs.create}',
  status public.invitation_status not null default 'pending',
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_by uuid,
  accepted_at timestamptz,
  occupancy_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint household_invitations_unit_fkey foreign key (company_id, community_id, unit_id)
    references public.units (company_id, community_id, id) on delete restrict,
  constraint household_invitations_occupancy_fkey foreign key (company_id, occupancy_id)
    references public.occupancies (company_id, id),
  constraint household_invitations_grants_family_only check (relation = 'family' or household_grants = '{}'),
  constraint household_invitations_acceptance_link check (status <> 'accepted' or occupancy_id is not null)
);
comment on table public.household_invitations is
  'An owner invites a household member (家庭成员/租户) by phone. Accepted automatically when a user with that verified phone signs in, or explicitly.';
comment on column public.household_invitations.invited_by is 'The inviting owner (defaults to the caller).';
comment on column public.household_invitations.phone is 'Invitee phone, stored digits-only with country code (normalised by trigger).';
comment on column public.household_invitations.household_grants is 'Grants the family member receives on acceptance (empty for tenants, who are principals).';
comment on column public.household_invitations.expires_at is 'After this moment the invitation cannot be accepted (a job marks it expired).';
comment on column public.household_invitations.accepted_by is 'auth.uid() of the accepting user (plain uuid).';
comment on column public.household_invitations.occupancy_id is 'The occupancy created on acceptance.';

create index household_invitations_unit_idx on public.household_invitations (company_id, community_id, unit_id);
create index household_invitations_occupancy_idx on public.household_invitations (company_id, occupancy_id);
create index household_invitations_invited_by_idx on public.household_invitations (invited_by);
-- Acceptance looks pending invitations up by the signing-in user's phone, across tenants.
create index household_invitations_pending_phone_idx on public.household_invitations (phone) where status = 'pending';
create unique index household_invitations_one_pending_key on public.household_invitations (company_id, unit_id, phone)
  where status = 'pending';

create trigger household_invitations_fill_tenant_keys
  before insert on public.household_invitations
  for each row execute function private.fill_tenant_keys_from_unit();
create trigger household_invitations_normalize_phone
  before insert or update of phone on public.household_invitations
  for each row execute function private.normalize_phone_columns('phone');
create trigger household_invitations_status_transition
  before insert or update of status on public.household_invitations
  for each row execute function private.enforce_state_transition('household_invitation', 'status');
create trigger household_invitations_touch_updated_at
  before update on public.household_invitations
  for each row execute function private.touch_updated_at();
create trigger household_invitations_guard_immutable
  before update on public.household_invitations
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'community_id', 'unit_id', 'invited_by', 'phone');
create trigger household_invitations_audit
  after insert or update or delete on public.household_invitations
  for each row execute function audit.capture_change('company_id');

alter table public.occupancies enable row level security;
alter table public.unit_binding_requests enable row level security;
alter table public.household_invitations enable row level security;
revoke all on public.occupancies, public.unit_binding_requests, public.household_invitations from public, anon, authenticated;

-- =====================================================================================
-- Resident helpers for policies
-- =====================================================================================

-- The single definition of "an occupancy that currently grants access".
create or replace function private.my_live_occupancies()
returns table (
  company_id uuid,
  community_id uuid,
  unit_id uuid,
  relation public.occupant_relation,
  household_grants public.household_grant[]
)
language sql
stable
security definer
set search_path = ''
as $$
  select o.company_id, o.community_id, o.unit_id, o.relation, o.household_grants
  from public.occupancies o
  where o.user_id = (select auth.uid())
    and o.deleted_at is null
    and (o.move_out_date is null or o.move_out_date >= current_date)
$$;
comment on function private.my_live_occupancies() is
  'The caller''s occupancies that grant access today: not soft-deleted, not moved out before today.';

create or replace function private.my_unit_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(distinct o.unit_id), '{}') from private.my_live_occupancies() o
$$;
comment on function private.my_unit_ids() is 'Units the caller currently lives in / owns / rents (any relation).';

create or replace function private.my_community_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(distinct o.community_id), '{}') from private.my_live_occupancies() o
$$;
comment on function private.my_community_ids() is 'Communities where the caller is a verified resident.';

create or replace function private.resident_company_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(distinct o.company_id), '{}') from private.my_live_occupancies() o
$$;
comment on function private.resident_company_ids() is 'Companies managing a community where the caller is a verified resident.';

create or replace function private.household_unit_ids(p_grant public.household_grant)
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(distinct o.unit_id), '{}')
  from private.my_live_occupancies() o
  where o.relation in ('owner', 'tenant') or p_grant = any (o.household_grants)
$$;
comment on function private.household_unit_ids(public.household_grant) is
  'Units where the caller may use a household grant: as a principal (owner/tenant), or as a family member holding it.';

create or replace function private.owned_unit_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(distinct o.unit_id), '{}') from private.my_live_occupancies() o where o.relation = 'owner'
$$;
comment on function private.owned_unit_ids() is 'Units the caller currently owns (业主): they may invite household members and set their grants.';

create or replace function private.my_phone()
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select u.phone from auth.users u
  where u.id = (select auth.uid()) and u.phone_confirmed_at is not null and u.phone <> ''
$$;
comment on function private.my_phone() is 'The caller''s verified phone from auth.users (not from JWT claims, which can be stale).';

-- =====================================================================================
-- Workflows
-- =====================================================================================

create or replace function private.approve_binding_request(p_request_id uuid, p_move_in_date date default null)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  r public.unit_binding_requests;
  v_phone text;
  v_occupancy_id uuid;
begin
  select * into r from public.unit_binding_requests where id = p_request_id for update;
  if not found or not private.has_permission(r.company_id, 'resident.verify', r.community_id) then
    raise exception using errcode = '42501', message = 'tenancy.forbidden';
  end if;
  if r.status <> 'pending' then
    raise exception using errcode = 'P0001', message = 'tenancy.binding_request_not_pending';
  end if;
  select u.phone into v_phone from auth.users u where u.id = r.user_id;

  -- Already linked (e.g. entered by staff meanwhile): reuse the live link.
  select o.id into v_occupancy_id
  from public.occupancies o
  where o.company_id = r.company_id and o.unit_id = r.unit_id and o.user_id = r.user_id
    and o.deleted_at is null and o.move_out_date is null;

  -- A record staff keep for this person without an account (same unit, relation, phone): claim it.
  if v_occupancy_id is null and v_phone is not null then
    update public.occupancies o
      set user_id = r.user_id, verified_via = 'staff_review', verified_by = (select auth.uid())
    where o.id = (
      select o2.id from public.occupancies o2
      where o2.company_id = r.company_id and o2.unit_id = r.unit_id and o2.user_id is null
        and o2.relation = r.relation and o2.phone = v_phone
        and o2.deleted_at is null and o2.move_out_date is null
      order by o2.created_at
      limit 1
    )
    returning o.id into v_occupancy_id;
  end if;

  if v_occupancy_id is null then
    insert into public.occupancies (
      unit_id, user_id, relation, name, phone, household_grants, move_in_date, verified_via, verified_by
    ) values (
      r.unit_id, r.user_id, r.relation, r.applicant_name, nullif(v_phone, ''),
      case when r.relation = 'family' then '{members.read,repairs.read,repairs.create}'::public.household_grant[] else '{}' end,
      coalesce(p_move_in_date, current_date), 'staff_review', (select auth.uid())
    )
    returning id into v_occupancy_id;
  end if;

  update public.unit_binding_requests
    set status = 'approved', reviewed_by = (select auth.uid()), reviewed_at = now(), occupancy_id = v_occupancy_id
  where id = r.id;
  return v_occupancy_id;
end
$$;
comment on function private.approve_binding_request(uuid, date) is
  'Staff with resident.verify in the request''s community approve a pending binding request: atomically links or creates the occupancy and closes the request. Returns the occupancy id.';

create or replace function private.reject_binding_request(p_request_id uuid, p_reason text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  r public.unit_binding_requests;
begin
  select * into r from public.unit_binding_requests where id = p_request_id for update;
  if not found or not private.has_permission(r.company_id, 'resident.verify', r.community_id) then
    raise exception using errcode = '42501', message = 'tenancy.forbidden';
  end if;
  if r.status <> 'pending' then
    raise exception using errcode = 'P0001', message = 'tenancy.binding_request_not_pending';
  end if;
  if char_length(btrim(coalesce(p_reason, ''))) = 0 then
    raise exception using errcode = '22023', message = 'tenancy.rejection_reason_required';
  end if;
  update public.unit_binding_requests
    set status = 'rejected', reviewed_by = (select auth.uid()), reviewed_at = now(), review_reason = btrim(p_reason)
  where id = r.id;
end
$$;
comment on function private.reject_binding_request(uuid, text) is
  'Staff with resident.verify in the request''s community reject a pending binding request with a reason.';

-- Internal: accept one invitation for a given user. Not executable by API roles; the
-- public entry points below check who is calling.
create or replace function private.accept_invitation_for(p_invitation_id uuid, p_user_id uuid)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  inv public.household_invitations;
  v_phone text;
  v_name text;
  v_occupancy_id uuid;
begin
  select * into inv from public.household_invitations where id = p_invitation_id for update;
  select u.phone into v_phone from auth.users u
  where u.id = p_user_id and u.phone_confirmed_at is not null;
  if not found or inv.id is null or v_phone is distinct from inv.phone then
    raise exception using errcode = '42501', message = 'tenancy.forbidden';
  end if;
  if inv.status <> 'pending' or inv.expires_at <= now() then
    raise exception using errcode = 'P0001', message = 'tenancy.invitation_not_pending';
  end if;
  -- The inviter must still be an owner of the unit.
  if not exists (
    select 1 from public.occupancies o
    where o.company_id = inv.company_id and o.unit_id = inv.unit_id and o.user_id = inv.invited_by
      and o.relation = 'owner' and o.deleted_at is null
      and (o.move_out_date is null or o.move_out_date >= current_date)
  ) then
    raise exception using errcode = 'P0001', message = 'tenancy.invitation_inviter_left';
  end if;

  select o.id into v_occupancy_id
  from public.occupancies o
  where o.company_id = inv.company_id and o.unit_id = inv.unit_id and o.user_id = p_user_id
    and o.deleted_at is null and o.move_out_date is null;
  if v_occupancy_id is null then
    select coalesce(nullif(inv.invitee_name, ''), nullif(p.full_name, ''), inv.phone) into v_name
    from public.profiles p where p.id = p_user_id;
    insert into public.occupancies (
      unit_id, user_id, relation, name, phone, household_grants, move_in_date, verified_via, verified_by
    ) values (
      inv.unit_id, p_user_id, inv.relation, coalesce(v_name, inv.phone), inv.phone, inv.household_grants,
      current_date, 'owner_invitation', inv.invited_by
    )
    returning id into v_occupancy_id;
  end if;

  update public.household_invitations
    set status = 'accepted', accepted_by = p_user_id, accepted_at = now(), occupancy_id = v_occupancy_id
  where id = inv.id;
  return v_occupancy_id;
end
$$;
comment on function private.accept_invitation_for(uuid, uuid) is
  'Internal: accepts an invitation on behalf of a user whose verified phone matches. Called by the functions below and the sign-in trigger only.';

create or replace function private.accept_household_invitation(p_invitation_id uuid)
returns uuid
language sql
security definer
set search_path = ''
as $$
  select private.accept_invitation_for(p_invitation_id, (select auth.uid()))
$$;
comment on function private.accept_household_invitation(uuid) is
  'The caller accepts an invitation sent to their verified phone. Returns the new occupancy id.';

create or replace function private.accept_pending_invitations_for(p_user_id uuid)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_phone text;
  v_id uuid;
  v_count integer := 0;
begin
  select u.phone into v_phone from auth.users u
  where u.id = p_user_id and u.phone_confirmed_at is not null and u.phone <> '';
  if v_phone is null then
    return 0;
  end if;
  for v_id in
    select i.id from public.household_invitations i
    where i.phone = v_phone and i.status = 'pending' and i.expires_at > now()
    order by i.created_at
  loop
    begin
      perform private.accept_invitation_for(v_id, p_user_id);
      v_count := v_count + 1;
    exception when others then
      -- One stale invitation (inviter moved out, …) must not block the others.
      raise warning 'household invitation % not accepted: %', v_id, sqlerrm;
    end;
  end loop;
  return v_count;
end
$$;
comment on function private.accept_pending_invitations_for(uuid) is
  'Internal: accepts every acceptable pending invitation for the user''s verified phone; returns how many.';

create or replace function private.accept_my_household_invitations()
returns integer
language sql
security definer
set search_path = ''
as $$
  select private.accept_pending_invitations_for((select auth.uid()))
$$;
comment on function private.accept_my_household_invitations() is
  'The caller accepts every pending invitation sent to their verified phone (e.g. from the "join household" screen).';

-- Accept on sign-in: Auth updates last_sign_in_at (and phone_confirmed_at on first OTP).
-- Failures only warn: signing in must never fail because of an invitation.
create or replace function private.handle_user_sign_in()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  begin
    perform private.accept_pending_invitations_for(new.id);
  exception when others then
    raise warning 'accepting household invitations on sign-in failed: %', sqlerrm;
  end;
  return null;
end
$$;
comment on function private.handle_user_sign_in() is 'AFTER INSERT/UPDATE on auth.users with a verified phone: accepts pending household invitations.';

create trigger on_auth_user_signed_in
  after update of last_sign_in_at, phone_confirmed_at, phone on auth.users
  for each row when (new.phone_confirmed_at is not null and new.phone is not null)
  execute function private.handle_user_sign_in();
create trigger on_auth_user_created_with_phone
  after insert on auth.users
  for each row when (new.phone_confirmed_at is not null and new.phone is not null)
  execute function private.handle_user_sign_in();

create or replace function private.set_household_grants(p_occupancy_id uuid, p_grants public.household_grant[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  o public.occupancies;
begin
  select * into o from public.occupancies where id = p_occupancy_id for update;
  if not found or not (o.unit_id = any (private.owned_unit_ids())) then
    raise exception using errcode = '42501', message = 'tenancy.forbidden';
  end if;
  if o.relation <> 'family' or o.deleted_at is not null then
    raise exception using errcode = 'P0001', message = 'tenancy.grants_family_only';
  end if;
  update public.occupancies
    set household_grants = (select coalesce(array_agg(distinct g order by g), '{}') from unnest(p_grants) g)
  where id = o.id;
end
$$;
comment on function private.set_household_grants(uuid, public.household_grant[]) is
  'An owner of the unit sets what a family member of the household may see or do.';

create or replace function private.expire_household_invitations()
returns integer
language sql
security definer
set search_path = ''
as $$
  with expired as (
    update public.household_invitations set status = 'expired'
    where status = 'pending' and expires_at <= now()
    returning 1
  )
  select count(*)::integer from expired
$$;
comment on function private.expire_household_invitations() is 'Job: marks pending invitations past expires_at as expired; returns how many.';

-- -------------------------------------------------------------------------------------
-- Finding a unit before being verified
-- -------------------------------------------------------------------------------------
-- Unverified users cannot read communities or units. These two functions return just
-- enough to fill in a binding request: community names by search, and a unit by its
-- exact address (no listing, so the unit register cannot be enumerated).
create or replace function private.search_communities_for_binding(p_query text)
returns table (id uuid, name text, city text, district text, company_name text)
language sql
stable
security definer
set search_path = ''
as $$
  select c.id, c.name, c.city, c.district, co.name
  from public.communities c
  join public.companies co on co.id = c.company_id and co.status = 'active'
  where char_length(btrim(p_query)) >= 2
    and (select auth.uid()) is not null
    and c.name like '%' || replace(replace(replace(btrim(p_query), '\', '\\'), '%', '\%'), '_', '\_') || '%'
  order by c.name
  limit 20
$$;
comment on function private.search_communities_for_binding(text) is
  'For the binding form: up to 20 communities whose name contains the query (at least 2 characters).';

create or replace function private.find_unit_for_binding(
  p_community_id uuid,
  p_building_name text,
  p_entrance smallint,
  p_number text
)
returns table (unit_id uuid, building_name text, entrance smallint, floor smallint, number text)
language sql
stable
security definer
set search_path = ''
as $$
  select u.id, b.name, u.entrance, u.floor, u.number
  from public.units u
  join public.buildings b on b.company_id = u.company_id and b.community_id = u.community_id and b.id = u.building_id
  where (select auth.uid()) is not null
    and u.community_id = p_community_id
    and b.name = btrim(p_building_name)
    and u.entrance is not distinct from p_entrance
    and u.number = btrim(p_number)
    and u.deleted_at is null
$$;
comment on function private.find_unit_for_binding(uuid, text, smallint, text) is
  'For the binding form: the live unit at an exact address (building name, entrance, number) in a community, or nothing.';

revoke all on function private.my_live_occupancies() from public, anon;
revoke all on function private.my_unit_ids() from public, anon;
revoke all on function private.my_community_ids() from public, anon;
revoke all on function private.resident_company_ids() from public, anon;
revoke all on function private.household_unit_ids(public.household_grant) from public, anon;
revoke all on function private.owned_unit_ids() from public, anon;
revoke all on function private.my_phone() from public, anon;
revoke all on function private.approve_binding_request(uuid, date) from public, anon;
revoke all on function private.reject_binding_request(uuid, text) from public, anon;
revoke all on function private.accept_invitation_for(uuid, uuid) from public, anon, authenticated;
revoke all on function private.accept_household_invitation(uuid) from public, anon;
revoke all on function private.accept_pending_invitations_for(uuid) from public, anon, authenticated;
revoke all on function private.accept_my_household_invitations() from public, anon;
revoke all on function private.handle_user_sign_in() from public, anon, authenticated;
revoke all on function private.set_household_grants(uuid, public.household_grant[]) from public, anon;
revoke all on function private.expire_household_invitations() from public, anon, authenticated;
revoke all on function private.search_communities_for_binding(text) from public, anon;
revoke all on function private.find_unit_for_binding(uuid, text, smallint, text) from public, anon;

grant execute on function private.my_live_occupancies() to authenticated, service_role;
grant execute on function private.my_unit_ids() to authenticated, service_role;
grant execute on function private.my_community_ids() to authenticated, service_role;
grant execute on function private.resident_company_ids() to authenticated, service_role;
grant execute on function private.household_unit_ids(public.household_grant) to authenticated, service_role;
grant execute on function private.owned_unit_ids() to authenticated, service_role;
grant execute on function private.my_phone() to authenticated, service_role;
grant execute on function private.approve_binding_request(uuid, date) to authenticated, service_role;
grant execute on function private.reject_binding_request(uuid, text) to authenticated, service_role;
grant execute on function private.accept_household_invitation(uuid) to authenticated, service_role;
grant execute on function private.accept_my_household_invitations() to authenticated, service_role;
grant execute on function private.set_household_grants(uuid, public.household_grant[]) to authenticated, service_role;
grant execute on function private.expire_household_invitations() to service_role;
grant execute on function private.accept_pending_invitations_for(uuid) to service_role;
grant execute on function private.search_communities_for_binding(text) to authenticated, service_role;
grant execute on function private.find_unit_for_binding(uuid, text, smallint, text) to authenticated, service_role;
