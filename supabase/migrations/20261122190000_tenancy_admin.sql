-- =====================================================================================
-- Tenancy administration screens (issue #4, part 7)
--
-- What the back office, resident and console screens need beyond the tenancy core:
--   * public.staff_invitations   a company invites a person to its staff by phone, with a
--                                role and a scope; accepted when an account with that verified
--                                phone exists (at once) or signs in (trigger on auth.users).
--   * household member removal   an owner ends a family member's or tenant's link (move-out),
--                                which occupancies' policies reserve for staff.
--   * binding form helper        the buildings of a community, for the resident's binding form
--                                (building names are on the gates; units stay unlistable:
--                                the unit is still found by exact address, 20261122104000).
--   * platform overview          companies and communities with counts for the console; the
--                                counts are aggregates, so platform roles see no personal data.
--   * Storage buckets            "avatars" (profiles.avatar_path) and "binding-proofs"
--                                (unit_binding_requests.proof_path).
-- Unit import needs no function: the app inserts every row in the one withUser transaction
-- under the units/buildings policies (unit.manage), so a failure leaves nothing behind.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- Staff invitations
-- -------------------------------------------------------------------------------------
insert into private.state_transitions (machine, from_state, to_state) values
  ('staff_invitation', '', 'pending'),
  ('staff_invitation', 'pending', 'accepted'),
  ('staff_invitation', 'pending', 'revoked'),
  ('staff_invitation', 'pending', 'expired');

create table public.staff_invitations (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies (id) on delete cascade,
  phone text not null check (phone ~ '^[1-9][0-9]{6,14}$'),
  full_name text check (char_length(full_name) <= 64),
  job_title text check (char_length(job_title) <= 32),
  role_id uuid not null,
  community_id uuid,
  status public.invitation_status not null default 'pending',
  invited_by uuid,
  expires_at timestamptz not null default now() + interval '30 days',
  accepted_by uuid,
  accepted_at timestamptz,
  member_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint staff_invitations_role_fkey foreign key (company_id, role_id)
    references public.company_roles (company_id, id) on delete cascade,
  constraint staff_invitations_community_fkey foreign key (company_id, community_id)
    references public.communities (company_id, id) on delete cascade,
  constraint staff_invitations_member_fkey foreign key (company_id, member_id)
    references public.company_members (company_id, id) on delete set null (member_id),
  constraint staff_invitations_acceptance_link check (status <> 'accepted' or member_id is not null)
);
comment on table public.staff_invitations is
  'Invitations to a company''s staff (邀请员工) by phone, with the role and scope to grant. Created and revoked through private.invite_staff / private.revoke_staff_invitation; accepted when an account with that verified phone exists or signs in.';
comment on column public.staff_invitations.phone is 'Invitee phone, digits with country code (normalised by trigger), matched against auth.users.phone.';
comment on column public.staff_invitations.full_name is 'Name the inviter typed; becomes the profile name if the account has none.';
comment on column public.staff_invitations.job_title is 'Job title (岗位) for the membership.';
comment on column public.staff_invitations.role_id is 'Company role granted on acceptance.';
comment on column public.staff_invitations.community_id is 'Scope of the role: null = company-wide, else that community.';
comment on column public.staff_invitations.invited_by is 'auth.uid() of the inviter (plain uuid, survives account deletion).';
comment on column public.staff_invitations.accepted_by is 'The account that received the membership (plain uuid).';
comment on column public.staff_invitations.member_id is 'The membership created or reused on acceptance.';

create index staff_invitations_company_status_idx on public.staff_invitations (company_id, status, created_at desc);
create index staff_invitations_role_idx on public.staff_invitations (company_id, role_id);
create index staff_invitations_community_idx on public.staff_invitations (company_id, community_id);
create index staff_invitations_member_idx on public.staff_invitations (company_id, member_id);
-- Acceptance looks pending invitations up by the signing-in user's phone, across tenants.
create index staff_invitations_pending_phone_idx on public.staff_invitations (phone) where status = 'pending';
create unique index staff_invitations_one_pending_key
  on public.staff_invitations (company_id, phone, role_id, community_id) nulls not distinct
  where status = 'pending';

create trigger staff_invitations_normalize_phone
  before insert or update of phone on public.staff_invitations
  for each row execute function private.normalize_phone_columns('phone');
create trigger staff_invitations_status_transition
  before insert or update of status on public.staff_invitations
  for each row execute function private.enforce_state_transition('staff_invitation', 'status');
create trigger staff_invitations_touch_updated_at
  before update on public.staff_invitations
  for each row execute function private.touch_updated_at();
create trigger staff_invitations_guard_immutable
  before update on public.staff_invitations
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'phone', 'role_id', 'community_id', 'invited_by');
create trigger staff_invitations_audit
  after insert or update or delete on public.staff_invitations
  for each row execute function audit.capture_change('company_id');

alter table public.staff_invitations enable row level security;
revoke all on public.staff_invitations from public, anon, authenticated;
-- Writes go through the functions below (they check can_grant_role); reading needs staff.read.
grant select on public.staff_invitations to authenticated;
grant select, insert, update, delete on public.staff_invitations to service_role;

create policy staff_invitations_select on public.staff_invitations
  for select to authenticated
  using (company_id = any ((select private.companies_with_permission('staff.read'))::uuid[]));

-- Internal: gives one invitation's membership and role to a user whose verified phone matches.
create or replace function private.accept_staff_invitation_for(p_invitation_id uuid, p_user_id uuid)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  inv public.staff_invitations;
  v_phone text;
  v_member_id uuid;
begin
  select * into inv from public.staff_invitations where id = p_invitation_id for update;
  select u.phone into v_phone from auth.users u where u.id = p_user_id and u.phone_confirmed_at is not null;
  if inv.id is null or v_phone is distinct from inv.phone then
    raise exception using errcode = '42501', message = 'tenancy.forbidden';
  end if;
  if inv.status <> 'pending' or inv.expires_at <= now() then
    raise exception using errcode = 'P0001', message = 'tenancy.invitation_not_pending';
  end if;

  insert into public.company_members (company_id, user_id, job_title)
  values (inv.company_id, p_user_id, inv.job_title)
  on conflict (company_id, user_id) do update
    set job_title = coalesce(excluded.job_title, public.company_members.job_title)
  returning id into v_member_id;
  -- A suspended member who is invited again is taken back.
  update public.company_members set status = 'active' where id = v_member_id and status = 'suspended';

  insert into public.staff_role_assignments (company_id, member_id, role_id, community_id)
  values (inv.company_id, v_member_id, inv.role_id, inv.community_id)
  on conflict on constraint staff_role_assignments_member_role_scope_key do nothing;

  update public.profiles set full_name = inv.full_name
  where id = p_user_id and full_name = '' and coalesce(inv.full_name, '') <> '';

  update public.staff_invitations
    set status = 'accepted', accepted_by = p_user_id, accepted_at = now(), member_id = v_member_id
  where id = inv.id;
  return v_member_id;
end
$$;
comment on function private.accept_staff_invitation_for(uuid, uuid) is
  'Internal: creates (or reuses and reactivates) the membership and role assignment of a staff invitation for a user with the invited verified phone.';

create or replace function private.accept_staff_invitations_for(p_user_id uuid)
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
    select i.id from public.staff_invitations i
    where i.phone = v_phone and i.status = 'pending' and i.expires_at > now()
    order by i.created_at
  loop
    begin
      perform private.accept_staff_invitation_for(v_id, p_user_id);
      v_count := v_count + 1;
    exception when others then
      raise warning 'staff invitation % not accepted: %', v_id, sqlerrm;
    end;
  end loop;
  return v_count;
end
$$;
comment on function private.accept_staff_invitations_for(uuid) is
  'Internal: accepts every pending staff invitation for the user''s verified phone; returns how many.';

create or replace function private.handle_staff_sign_in()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  begin
    perform private.accept_staff_invitations_for(new.id);
  exception when others then
    raise warning 'accepting staff invitations on sign-in failed: %', sqlerrm;
  end;
  return null;
end
$$;
comment on function private.handle_staff_sign_in() is 'AFTER INSERT/UPDATE on auth.users with a verified phone: accepts pending staff invitations.';

create trigger on_auth_user_signed_in_staff
  after update of last_sign_in_at, phone_confirmed_at, phone on auth.users
  for each row when (new.phone_confirmed_at is not null and new.phone is not null)
  execute function private.handle_staff_sign_in();
create trigger on_auth_user_created_with_phone_staff
  after insert on auth.users
  for each row when (new.phone_confirmed_at is not null and new.phone is not null)
  execute function private.handle_staff_sign_in();

create or replace function private.invite_staff(
  p_company_id uuid,
  p_phone text,
  p_full_name text,
  p_job_title text,
  p_role_id uuid,
  p_community_id uuid
)
returns table (invitation_id uuid, accepted boolean)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_phone text := private.normalize_phone(p_phone);
  v_id uuid;
  v_user_id uuid;
begin
  -- Anti-escalation as for direct assignments: staff.manage at the scope, and every
  -- permission of the role held there.
  if not private.can_grant_role(p_company_id, p_role_id, p_community_id) then
    raise exception using errcode = '42501', message = 'tenancy.forbidden';
  end if;
  if exists (
    select 1 from public.staff_invitations i
    where i.company_id = p_company_id and i.phone = v_phone and i.role_id = p_role_id
      and i.community_id is not distinct from p_community_id and i.status = 'pending'
  ) then
    raise exception using errcode = 'P0001', message = 'tenancy.staff_invitation_exists';
  end if;
  insert into public.staff_invitations (company_id, phone, full_name, job_title, role_id, community_id, invited_by)
  values (p_company_id, v_phone, nullif(btrim(p_full_name), ''), nullif(btrim(p_job_title), ''), p_role_id,
          p_community_id, (select auth.uid()))
  returning id into v_id;

  -- An account with this verified phone already exists: it gets the membership now.
  select u.id into v_user_id from auth.users u
  where u.phone = v_phone and u.phone_confirmed_at is not null
  limit 1;
  if v_user_id is not null then
    perform private.accept_staff_invitation_for(v_id, v_user_id);
  end if;
  return query select v_id, v_user_id is not null;
end
$$;
comment on function private.invite_staff(uuid, text, text, text, uuid, uuid) is
  'Staff with staff.manage (and every permission of the role at the scope) invite a person by phone. Accepted at once when the account exists, else on their first sign-in.';

create or replace function private.revoke_staff_invitation(p_invitation_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  inv public.staff_invitations;
begin
  select * into inv from public.staff_invitations where id = p_invitation_id for update;
  if inv.id is null or not private.has_permission(inv.company_id, 'staff.manage', inv.community_id) then
    raise exception using errcode = '42501', message = 'tenancy.forbidden';
  end if;
  if inv.status <> 'pending' then
    raise exception using errcode = 'P0001', message = 'tenancy.invitation_not_pending';
  end if;
  update public.staff_invitations set status = 'revoked' where id = inv.id;
end
$$;
comment on function private.revoke_staff_invitation(uuid) is 'Staff with staff.manage withdraw a pending staff invitation.';

-- -------------------------------------------------------------------------------------
-- Household: an owner removes a member
-- -------------------------------------------------------------------------------------
create or replace function private.remove_household_member(p_occupancy_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  o public.occupancies;
begin
  select * into o from public.occupancies where id = p_occupancy_id for update;
  if o.id is null or not (o.unit_id = any (private.owned_unit_ids())) then
    raise exception using errcode = '42501', message = 'tenancy.forbidden';
  end if;
  -- Owners manage family members and tenants; other owners are the property office's matter.
  if o.relation = 'owner' or o.user_id is not distinct from (select auth.uid()) or o.deleted_at is not null then
    raise exception using errcode = 'P0001', message = 'tenancy.member_not_removable';
  end if;
  -- Moved out yesterday: access ends now, the record stays as history.
  update public.occupancies
    set move_out_date = current_date - 1,
        move_in_date = least(coalesce(move_in_date, current_date - 1), current_date - 1)
  where id = o.id;
end
$$;
comment on function private.remove_household_member(uuid) is
  'An owner of the unit ends a family member''s or tenant''s link (moved out yesterday, so access ends at once).';

-- -------------------------------------------------------------------------------------
-- Binding form: buildings of a community
-- -------------------------------------------------------------------------------------
create or replace function private.list_buildings_for_binding(p_community_id uuid)
returns table (id uuid, name text, entrance_count smallint)
language sql
stable
security definer
set search_path = ''
as $$
  select b.id, b.name, b.entrance_count
  from public.buildings b
  join public.communities c on c.company_id = b.company_id and c.id = b.community_id
  join public.companies co on co.id = c.company_id and co.status = 'active'
  where (select auth.uid()) is not null and b.community_id = p_community_id
  order by b.sort_order, b.name
$$;
comment on function private.list_buildings_for_binding(uuid) is
  'For the binding form: the buildings (names and entrance counts) of a community of an active company. Units are not listed; they are found by exact address.';

create or replace function private.community_for_binding(p_community_id uuid)
returns table (id uuid, name text, city text, district text, company_name text)
language sql
stable
security definer
set search_path = ''
as $$
  select c.id, c.name, c.city, c.district, co.name
  from public.communities c
  join public.companies co on co.id = c.company_id and co.status = 'active'
  where (select auth.uid()) is not null and c.id = p_community_id
$$;
comment on function private.community_for_binding(uuid) is
  'For the binding form: one community picked from search_communities_for_binding (same columns).';

-- The applicant cannot read the unit before approval; their own requests still show its address.
create or replace function private.my_binding_request_address(p_request_id uuid)
returns table (community_name text, building text, entrance smallint, number text)
language sql
stable
security definer
set search_path = ''
as $$
  select c.name, b.name, u.entrance, u.number
  from public.unit_binding_requests r
  join public.units u on u.company_id = r.company_id and u.community_id = r.community_id and u.id = r.unit_id
  join public.buildings b on b.company_id = u.company_id and b.community_id = u.community_id and b.id = u.building_id
  join public.communities c on c.company_id = r.company_id and c.id = r.community_id
  where r.id = p_request_id and r.user_id = (select auth.uid())
$$;
comment on function private.my_binding_request_address(uuid) is
  'The address (community, building, entrance, number) of one of the caller''s own binding requests.';

-- -------------------------------------------------------------------------------------
-- Platform console overview (aggregates only)
-- -------------------------------------------------------------------------------------
create or replace function private.platform_companies_overview(p_query text)
returns table (
  id uuid, name text, short_name text, status public.company_status, created_at timestamptz,
  community_count bigint, unit_count bigint, resident_count bigint, staff_count bigint
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not private.has_permission(null, 'platform.metrics.read') then
    raise exception using errcode = '42501', message = 'tenancy.forbidden';
  end if;
  return query
  select c.id, c.name, c.short_name, c.status, c.created_at,
    (select count(*) from public.communities m where m.company_id = c.id),
    (select count(*) from public.units u where u.company_id = c.id and u.deleted_at is null),
    (select count(distinct coalesce(o.user_id::text, o.id::text)) from public.occupancies o
      where o.company_id = c.id and o.deleted_at is null
        and (o.move_out_date is null or o.move_out_date >= current_date)),
    (select count(*) from public.company_members s where s.company_id = c.id and s.status = 'active')
  from public.companies c
  where coalesce(btrim(p_query), '') = ''
     or c.name like '%' || replace(replace(replace(btrim(p_query), '\', '\\'), '%', '\%'), '_', '\_') || '%'
     or c.short_name like '%' || replace(replace(replace(btrim(p_query), '\', '\\'), '%', '\%'), '_', '\_') || '%'
  order by c.name
  limit 200;
end
$$;
comment on function private.platform_companies_overview(text) is
  'Console: companies matching a name search with counts of communities, live units, current residents and active staff. Needs platform.metrics.read.';

create or replace function private.platform_communities_overview(p_query text, p_company_id uuid)
returns table (
  id uuid, name text, city text, district text, company_id uuid, company_name text,
  building_count bigint, unit_count bigint, resident_count bigint, staff_count bigint
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not private.has_permission(null, 'platform.metrics.read') then
    raise exception using errcode = '42501', message = 'tenancy.forbidden';
  end if;
  return query
  select m.id, m.name, m.city, m.district, c.id, c.name,
    (select count(*) from public.buildings b where b.company_id = m.company_id and b.community_id = m.id),
    (select count(*) from public.units u
      where u.company_id = m.company_id and u.community_id = m.id and u.deleted_at is null),
    (select count(distinct coalesce(o.user_id::text, o.id::text)) from public.occupancies o
      where o.company_id = m.company_id and o.community_id = m.id and o.deleted_at is null
        and (o.move_out_date is null or o.move_out_date >= current_date)),
    (select count(distinct a.member_id) from public.staff_role_assignments a
      join public.company_members s on s.company_id = a.company_id and s.id = a.member_id and s.status = 'active'
      where a.company_id = m.company_id and (a.community_id = m.id or a.community_id is null))
  from public.communities m
  join public.companies c on c.id = m.company_id
  where (p_company_id is null or m.company_id = p_company_id)
    and (coalesce(btrim(p_query), '') = ''
      or m.name like '%' || replace(replace(replace(btrim(p_query), '\', '\\'), '%', '\%'), '_', '\_') || '%'
      or c.name like '%' || replace(replace(replace(btrim(p_query), '\', '\\'), '%', '\%'), '_', '\_') || '%')
  order by c.name, m.name
  limit 200;
end
$$;
comment on function private.platform_communities_overview(text, uuid) is
  'Console: communities (optionally of one company) matching a name search, with counts of buildings, live units, current residents and staff working there. Needs platform.metrics.read.';

-- -------------------------------------------------------------------------------------
-- Storage: avatars and binding proofs (object names: <user id>/<random>.<ext>)
-- -------------------------------------------------------------------------------------
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values
  ('avatars', 'avatars', false, 5242880, array['image/jpeg', 'image/png', 'image/webp']),
  ('binding-proofs', 'binding-proofs', false, 10485760, array['image/jpeg', 'image/png', 'image/webp'])
on conflict (id) do update
  set public = excluded.public,
      file_size_limit = excluded.file_size_limit,
      allowed_mime_types = excluded.allowed_mime_types;

-- Storage policies look objects up by path.
create index profiles_avatar_path_idx on public.profiles (avatar_path) where avatar_path is not null;
create index unit_binding_requests_proof_path_idx on public.unit_binding_requests (proof_path) where proof_path is not null;

-- An avatar is readable by whoever may see the profile that uses it (profiles' own policy
-- decides inside the subquery), and by its uploader.
create policy avatars_objects_select on storage.objects
  for select to authenticated
  using (
    bucket_id = 'avatars'
    and (
      owner_id = (select auth.uid())::text
      or exists (select 1 from public.profiles p where p.avatar_path = objects.name)
    )
  );
create policy avatars_objects_insert on storage.objects
  for insert to authenticated
  with check (
    bucket_id = 'avatars'
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and lower(storage.extension(name)) in ('jpg', 'jpeg', 'png', 'webp')
  );
create policy avatars_objects_delete on storage.objects
  for delete to authenticated
  using (bucket_id = 'avatars' and owner_id = (select auth.uid())::text);

-- A proof photo is readable by its uploader and by whoever may see the binding request that
-- names it (the applicant, and staff with resident.verify or resident.read there).
create policy binding_proofs_objects_select on storage.objects
  for select to authenticated
  using (
    bucket_id = 'binding-proofs'
    and (
      owner_id = (select auth.uid())::text
      or exists (select 1 from public.unit_binding_requests r where r.proof_path = objects.name)
    )
  );
create policy binding_proofs_objects_insert on storage.objects
  for insert to authenticated
  with check (
    bucket_id = 'binding-proofs'
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and lower(storage.extension(name)) in ('jpg', 'jpeg', 'png', 'webp')
  );
create policy binding_proofs_objects_delete on storage.objects
  for delete to authenticated
  using (
    bucket_id = 'binding-proofs'
    and owner_id = (select auth.uid())::text
    and not exists (select 1 from public.unit_binding_requests r where r.proof_path = objects.name)
  );

-- -------------------------------------------------------------------------------------
-- Grants
-- -------------------------------------------------------------------------------------
revoke all on function private.accept_staff_invitation_for(uuid, uuid) from public, anon, authenticated;
revoke all on function private.accept_staff_invitations_for(uuid) from public, anon, authenticated;
revoke all on function private.handle_staff_sign_in() from public, anon, authenticated;
revoke all on function private.invite_staff(uuid, text, text, text, uuid, uuid) from public, anon;
revoke all on function private.revoke_staff_invitation(uuid) from public, anon;
revoke all on function private.remove_household_member(uuid) from public, anon;
revoke all on function private.list_buildings_for_binding(uuid) from public, anon;
revoke all on function private.community_for_binding(uuid) from public, anon;
revoke all on function private.my_binding_request_address(uuid) from public, anon;
revoke all on function private.platform_companies_overview(text) from public, anon;
revoke all on function private.platform_communities_overview(text, uuid) from public, anon;

grant execute on function private.accept_staff_invitations_for(uuid) to service_role;
grant execute on function private.invite_staff(uuid, text, text, text, uuid, uuid) to authenticated, service_role;
grant execute on function private.revoke_staff_invitation(uuid) to authenticated, service_role;
grant execute on function private.remove_household_member(uuid) to authenticated, service_role;
grant execute on function private.list_buildings_for_binding(uuid) to authenticated, service_role;
grant execute on function private.community_for_binding(uuid) to authenticated, service_role;
grant execute on function private.my_binding_request_address(uuid) to authenticated, service_role;
grant execute on function private.platform_companies_overview(text) to authenticated, service_role;
grant execute on function private.platform_communities_overview(text, uuid) to authenticated, service_role;
