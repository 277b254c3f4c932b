-- =====================================================================================
-- RLS helpers: compute the caller's scope once per transaction (issue #4, benchmark pass)
--
-- `npm run bench -- rls` showed what the first version of the helpers cost: each policy
-- helper is an InitPlan, a resident's household query touches five policies (twelve
-- InitPlans), and each helper re-ran its lookup (SQL functions re-plan their body on every
-- call; my_unit_ids went through a set-returning function on top). The RLS path was ~16×
-- the service-role path for that query.
--
-- This migration keeps every helper's name, signature and meaning, and changes how they run:
--   * plpgsql bodies (their query plans are cached per session);
--   * a per-transaction memo: the first call computes the answer and stores it with
--     set_config(…, true) in a `tenancy.memo.*` setting; later calls in the same transaction
--     read it back. Settings are transaction-local, so nothing survives commit/rollback or
--     reaches the next user of a pooled connection;
--   * the memo belongs to the JWT claims it was computed for: if `request.jwt.claims`
--     changes within the transaction, every entry is ignored and recomputed;
--   * any write to a table the scopes are computed from (companies, communities, members,
--     role assignments, role permissions, occupancies, platform role permissions) bumps the
--     memo epoch through a statement trigger, so a transaction that changes access sees the
--     change in its next statement.
--   * has_permission stays THE permission check. Same rule; it now loads the caller's
--     grants in a company once per transaction ('<permission>@<community id or *>') and
--     answers from them. communities_with_permission still evaluates has_permission per
--     candidate community, once per transaction and permission.
-- Forging a memo setting needs the same power as forging request.jwt.claims (arbitrary SQL
-- in the session), so the trust model is unchanged.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- Memo primitives
-- -------------------------------------------------------------------------------------
create or replace function private.memo_get(p_key text)
returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  v_epoch text := current_setting('tenancy.memo_epoch', true);
  v_value text;
begin
  if v_epoch is null or v_epoch = ''
    or current_setting('tenancy.memo_claims', true) is distinct from coalesce(current_setting('request.jwt.claims', true), '') then
    return null;
  end if;
  v_value := current_setting('tenancy.memo.' || p_key, true);
  if v_value is null or left(v_value, length(v_epoch) + 1) <> v_epoch || '|' then
    return null;
  end if;
  return substr(v_value, length(v_epoch) + 2);
end
$$;
comment on function private.memo_get(text) is
  'The value memoized under p_key in this transaction for the current claims and epoch, or null.';

create or replace function private.memo_put(p_key text, p_value text)
returns text
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_claims text := coalesce(current_setting('request.jwt.claims', true), '');
  v_epoch text := current_setting('tenancy.memo_epoch', true);
  v_ignored text;
begin
  -- Assignments (not PERFORM) keep these on plpgsql's fast expression path.
  if v_epoch is null or v_epoch = '' or current_setting('tenancy.memo_claims', true) is distinct from v_claims then
    -- New claims (or first use): start a new epoch so entries of other claims never match.
    v_epoch := (coalesce(nullif(v_epoch, '')::bigint, 0) + 1)::text;
    v_ignored := set_config('tenancy.memo_claims', v_claims, true);
    v_ignored := set_config('tenancy.memo_epoch', v_epoch, true);
  end if;
  v_ignored := set_config('tenancy.memo.' || p_key, v_epoch || '|' || p_value, true);
  return p_value;
end
$$;
comment on function private.memo_put(text, text) is
  'Memoizes p_value under p_key for the rest of the transaction (transaction-local setting); returns p_value.';

create or replace function private.memo_invalidate()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_ignored text;
begin
  v_ignored := set_config(
    'tenancy.memo_epoch',
    (coalesce(nullif(current_setting('tenancy.memo_epoch', true), '')::bigint, 0) + 1)::text,
    true);
  return null;
end
$$;
comment on function private.memo_invalidate() is
  'Statement trigger on tables that scopes are computed from: starts a new memo epoch, so the next statement recomputes.';

revoke all on function private.memo_get(text) from public, anon;
revoke all on function private.memo_put(text, text) from public, anon;
revoke all on function private.memo_invalidate() from public, anon, authenticated;
grant execute on function private.memo_get(text) to authenticated, service_role;
grant execute on function private.memo_put(text, text) to authenticated, service_role;

create trigger companies_memo_invalidate
  after insert or update or delete or truncate on public.companies
  for each statement execute function private.memo_invalidate();
create trigger communities_memo_invalidate
  after insert or update or delete or truncate on public.communities
  for each statement execute function private.memo_invalidate();
create trigger company_members_memo_invalidate
  after insert or update or delete or truncate on public.company_members
  for each statement execute function private.memo_invalidate();
create trigger staff_role_assignments_memo_invalidate
  after insert or update or delete or truncate on public.staff_role_assignments
  for each statement execute function private.memo_invalidate();
create trigger company_role_permissions_memo_invalidate
  after insert or update or delete or truncate on public.company_role_permissions
  for each statement execute function private.memo_invalidate();
create trigger occupancies_memo_invalidate
  after insert or update or delete or truncate on public.occupancies
  for each statement execute function private.memo_invalidate();
create trigger platform_role_permissions_memo_invalidate
  after insert or update or delete or truncate on private.platform_role_permissions
  for each statement execute function private.memo_invalidate();

-- -------------------------------------------------------------------------------------
-- Caller identity and platform permissions
-- -------------------------------------------------------------------------------------
create or replace function private.platform_role()
returns public.platform_role
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v text := private.memo_get('platform_role');
begin
  if v is null then
    -- An unknown value yields null instead of an error, so a malformed claim grants nothing.
    v := private.memo_put('platform_role', coalesce((
      select r.value::text
      from unnest(enum_range(null::public.platform_role)) as r (value)
      where r.value::text = (select auth.jwt()) -> 'app_metadata' ->> 'platform_role'
    ), ''));
  end if;
  return nullif(v, '')::public.platform_role;
end
$$;

create or replace function private.platform_permissions()
returns public.app_permission[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v text := private.memo_get('platform_permissions');
begin
  if v is null then
    if private.platform_role() is null then
      v := private.memo_put('platform_permissions', '{}');
    else
      v := private.memo_put('platform_permissions', (
        select coalesce(array_agg(prp.permission order by prp.permission), '{}')
        from private.platform_role_permissions prp
        where prp.platform_role = private.platform_role()
      )::text);
    end if;
  end if;
  return v::public.app_permission[];
end
$$;
comment on function private.platform_permissions() is 'Permissions the caller''s platform role grants in every company (memoized).';
revoke all on function private.platform_permissions() from public, anon;
grant execute on function private.platform_permissions() to authenticated, service_role;

create or replace function private.member_company_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v text := private.memo_get('member_company_ids');
begin
  if v is null then
    v := private.memo_put('member_company_ids', (
      select coalesce(array_agg(m.company_id order by m.company_id), '{}')
      from public.company_members m
      where m.user_id = (select auth.uid()) and m.status = 'active'
    )::text);
  end if;
  return v::uuid[];
end
$$;

-- -------------------------------------------------------------------------------------
-- The permission check and its set forms
-- -------------------------------------------------------------------------------------
create or replace function private.has_permission(
  p_company_id uuid,
  p_permission public.app_permission,
  p_community_id uuid default null
)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_key text;
  v_grants text;
begin
  -- Platform operators: the permission comes with their platform role, in every company.
  if p_permission = any (private.platform_permissions()) then
    return true;
  end if;
  -- Not active staff of this company: nothing to look up.
  if p_company_id is null or not (p_company_id = any (private.member_company_ids())) then
    return false;
  end if;
  -- Staff: the caller's grants in this company, loaded once per transaction as
  -- '<permission>@<scope>' where scope is a community id or '*' (company-wide). Only an
  -- active member of an active company, through role assignments, holds any.
  v_key := 'grants_' || replace(p_company_id::text, '-', '');
  v_grants := private.memo_get(v_key);
  if v_grants is null then
    v_grants := private.memo_put(v_key, (
      select coalesce(array_agg(distinct rp.permission::text || '@' || coalesce(a.community_id::text, '*')), '{}')
      from public.company_members m
      join public.companies c on c.id = m.company_id and c.status = 'active'
      join public.staff_role_assignments a on a.company_id = m.company_id and a.member_id = m.id
      join public.company_role_permissions rp on rp.role_id = a.role_id
      where m.user_id = (select auth.uid())
        and m.company_id = p_company_id
        and m.status = 'active'
    )::text);
  end if;
  -- Held company-wide, or (when a community is asked about) for that community.
  return (p_permission::text || '@*') = any (v_grants::text[])
    or (p_community_id is not null and (p_permission::text || '@' || p_community_id::text) = any (v_grants::text[]));
end
$$;

create or replace function private.communities_with_permission(p_permission public.app_permission)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_key text := 'cwp_' || replace(p_permission::text, '.', '_');
  v text := private.memo_get(v_key);
  v_platform boolean;
begin
  if v is null then
    v_platform := p_permission = any (private.platform_permissions());
    if not v_platform and cardinality(private.member_company_ids()) = 0 then
      v := private.memo_put(v_key, '{}');
    else
      v := private.memo_put(v_key, (
        select coalesce(array_agg(c.id order by c.id), '{}')
        from public.communities c
        where (v_platform or c.company_id = any (private.member_company_ids()))
          and private.has_permission(c.company_id, p_permission, c.id)
      )::text);
    end if;
  end if;
  return v::uuid[];
end
$$;

create or replace function private.companies_with_permission(p_permission public.app_permission)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_key text := 'cop_' || replace(p_permission::text, '.', '_');
  v text := private.memo_get(v_key);
  v_platform boolean;
begin
  if v is null then
    v_platform := p_permission = any (private.platform_permissions());
    if not v_platform and cardinality(private.member_company_ids()) = 0 then
      v := private.memo_put(v_key, '{}');
    else
      v := private.memo_put(v_key, (
        select coalesce(array_agg(c.id order by c.id), '{}')
        from public.companies c
        where (v_platform or c.id = any (private.member_company_ids()))
          and private.has_permission(c.id, p_permission)
      )::text);
    end if;
  end if;
  return v::uuid[];
end
$$;

create or replace function private.my_member_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v text := private.memo_get('my_member_ids');
begin
  if v is null then
    v := private.memo_put('my_member_ids', (
      select coalesce(array_agg(m.id order by m.id), '{}') from public.company_members m where m.user_id = (select auth.uid())
    )::text);
  end if;
  return v::uuid[];
end
$$;

create or replace function private.member_ids_in_communities_with_permission(p_permission public.app_permission)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_key text := 'mcp_' || replace(p_permission::text, '.', '_');
  v text := private.memo_get(v_key);
begin
  if v is null then
    v := private.memo_put(v_key, (
      select coalesce(array_agg(distinct a.member_id), '{}')
      from public.staff_role_assignments a
      where a.community_id = any (private.communities_with_permission(p_permission))
    )::text);
  end if;
  return v::uuid[];
end
$$;

-- -------------------------------------------------------------------------------------
-- Resident scope: one lookup of the caller's live occupancies fills every resident key
-- -------------------------------------------------------------------------------------
create or replace function private.resident_scope(p_part text)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v text := private.memo_get('resident_' || p_part);
  r record;
  g public.household_grant;
  v_ignored text;
begin
  if v is null then
    -- The single definition of "an occupancy that grants access today", read once.
    with live as (
      select o.unit_id, o.community_id, o.company_id, o.relation, o.household_grants
      from public.occupancies o
      where o.user_id = (select auth.uid())
        and o.deleted_at is null
        and (o.move_out_date is null or o.move_out_date >= current_date)
    )
    select
      (select coalesce(array_agg(distinct l.unit_id), '{}') from live l)::text as units,
      (select coalesce(array_agg(distinct l.community_id), '{}') from live l)::text as communities,
      (select coalesce(array_agg(distinct l.company_id), '{}') from live l)::text as companies,
      (select coalesce(array_agg(distinct l.unit_id), '{}') from live l where l.relation = 'owner')::text as owned,
      -- Per household grant: units where the caller is a principal or holds the grant.
      (select coalesce(jsonb_object_agg(x.grant_name, x.units), '{}')
       from (
         select gr::text as grant_name, array_agg(distinct l.unit_id)::text as units
         from live l
         cross join unnest(enum_range(null::public.household_grant)) as gr
         where l.relation in ('owner', 'tenant') or gr = any (l.household_grants)
         group by gr
       ) x) as households
    into r;
    v_ignored := private.memo_put('resident_units', r.units);
    v_ignored := private.memo_put('resident_communities', r.communities);
    v_ignored := private.memo_put('resident_companies', r.companies);
    v_ignored := private.memo_put('resident_owned', r.owned);
    foreach g in array enum_range(null::public.household_grant) loop
      v_ignored := private.memo_put('resident_household_' || replace(g::text, '.', '_'), coalesce(r.households ->> g::text, '{}'));
    end loop;
    v := private.memo_get('resident_' || p_part);
    if v is null then
      raise exception 'unknown resident scope part %', p_part;
    end if;
  end if;
  return v::uuid[];
end
$$;
comment on function private.resident_scope(text) is
  'The caller''s resident scope from live occupancies (not soft-deleted, not moved out before today): part units, communities, companies, owned, or household_<grant> (units where the caller is a principal or holds the grant). Memoized.';
revoke all on function private.resident_scope(text) from public, anon;
grant execute on function private.resident_scope(text) to authenticated, service_role;

create or replace function private.my_unit_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return private.resident_scope('units');
end
$$;

create or replace function private.my_community_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return private.resident_scope('communities');
end
$$;

create or replace function private.resident_company_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return private.resident_scope('companies');
end
$$;

create or replace function private.owned_unit_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return private.resident_scope('owned');
end
$$;

create or replace function private.household_unit_ids(p_grant public.household_grant)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return private.resident_scope('household_' || replace(p_grant::text, '.', '_'));
end
$$;

-- -------------------------------------------------------------------------------------
-- Policies: the resident branch first
-- -------------------------------------------------------------------------------------
-- An InitPlan runs only when its value is first needed, and OR stops at the first true
-- arm. With the resident arm first, a resident's query never computes staff scopes for
-- the rows it sees; staff pay one memoized (empty) resident lookup. Same rules as before.
alter policy companies_select on public.companies
  using (
    id = any ((select private.resident_company_ids())::uuid[])
    or id = any ((select private.member_company_ids())::uuid[])
    or (select private.has_permission(null, 'community.read'))
  );
alter policy communities_select on public.communities
  using (
    id = any ((select private.my_community_ids())::uuid[])
    or id = any ((select private.communities_with_permission('community.read'))::uuid[])
  );
alter policy buildings_select on public.buildings
  using (
    community_id = any ((select private.my_community_ids())::uuid[])
    or community_id = any ((select private.communities_with_permission('unit.read'))::uuid[])
  );
alter policy units_select on public.units
  using (
    (deleted_at is null and id = any ((select private.my_unit_ids())::uuid[]))
    or community_id = any ((select private.communities_with_permission('unit.read'))::uuid[])
  );
alter policy occupancies_select on public.occupancies
  using (
    (
      deleted_at is null
      and (user_id = (select auth.uid()) or unit_id = any ((select private.household_unit_ids('members.read'))::uuid[]))
    )
    or community_id = any ((select private.communities_with_permission('resident.read'))::uuid[])
  );

-- my_live_occupancies() is superseded by resident_scope(): same definition, one lookup, memoized.
drop function private.my_live_occupancies();
