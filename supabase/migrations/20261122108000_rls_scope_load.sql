-- =====================================================================================
-- RLS, benchmark pass 2 (issue #4): one lookup per transaction, planner-friendly staff arms
--
-- After 20261122106000 the remaining RLS cost of a staff query was the scope computation
-- itself: separate lookups for memberships, grants and resident links, plus one
-- has_permission call per community of the company for every permission a statement
-- touches (so it grew with the number of communities). And the paged resident directory
-- still ran 3-10× slower as the user than as the service role because of a planner estimate
-- (below). This migration:
--
-- 1. Loads each side of the caller's scope with ONE statement, the first time a helper
--    needs it in a transaction: private.load_staff_scope (active memberships and, per
--    company, the grants '<permission>@<community id or *>'; none while the company is
--    suspended) and private.load_resident_scope (the live links:
--    units, communities, companies, owned units, household principals and family grants).
--    Everything is memoized as in 20261122106000 (per transaction, per claims, epoch-
--    invalidated). A resident's query never runs the staff lookup for rows it may see.
-- 2. has_permission keeps the rule and answers from those grants; communities_with_permission
--    and companies_with_permission apply the same rule to the same grants as sets (a grant
--    at '*' opens every community of the company), with no per-community calls.
-- 3. Staff arms of the occupancies and units policies become coalesce(<arm>, false). Staff
--    queries carry their own tenant filters (company_id, community_id), and the policy
--    re-checks the same column against the InitPlan array; the planner multiplies the two
--    as if independent and estimated ~0.5 % of a community's residents visible to its own
--    manager, so it fetched and sorted them all instead of walking the name index to the end
--    of the page. coalesce() keeps the meaning (community_id is never null, the array holds
--    no nulls) and hides the arm from selectivity estimation. The arm was not usable as an
--    index condition without the query's own company filter, so no index use is lost.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- The scope lookups: one statement each for the staff side and the resident side
-- -------------------------------------------------------------------------------------
create or replace function private.load_staff_scope()
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  r record;
  v_companies uuid[] := '{}';
  v_ignored text;
begin
  for r in
    select m.company_id,
           case when c.status = 'active' then (
             select array_agg(rp.permission::text || '@' || coalesce(a.community_id::text, '*'))
             from public.staff_role_assignments a
             join public.company_role_permissions rp on rp.role_id = a.role_id
             where a.company_id = m.company_id and a.member_id = m.id
           ) end as grants
    from public.company_members m
    join public.companies c on c.id = m.company_id
    where m.user_id = (select auth.uid()) and m.status = 'active'
  loop
    v_companies := v_companies || r.company_id;
    v_ignored := private.memo_put('grants_' || replace(r.company_id::text, '-', ''), coalesce(r.grants, '{}')::text);
  end loop;
  v_ignored := private.memo_put('member_company_ids', v_companies::text);
  return true;
end
$$;
comment on function private.load_staff_scope() is
  'Loads and memoizes the caller''s staff scope in one statement: active memberships and, per company, the grants ''<permission>@<community id or *>'' (none while the company is suspended).';

create or replace function private.load_resident_scope()
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  r record;
  v_ignored text;
begin
  -- The single definition of "an occupancy that grants access today". (No DISTINCT: a
  -- repeated id in these arrays changes no `= any` test, and each DISTINCT costs a sort.)
  select
    coalesce(array_agg(o.unit_id), '{}')::text as units,
    coalesce(array_agg(o.community_id), '{}')::text as communities,
    coalesce(array_agg(o.company_id), '{}')::text as companies,
    coalesce(array_agg(o.unit_id) filter (where o.relation = 'owner'), '{}')::text as owned,
    coalesce(array_agg(o.unit_id) filter (where o.relation in ('owner', 'tenant')), '{}')::text as principal,
    coalesce(array_agg(o.unit_id) filter (where o.relation = 'family'), '{}')::text as family_units,
    coalesce(array_agg(o.household_grants::text) filter (where o.relation = 'family'), '{}')::text as family_grants
  into r
  from public.occupancies o
  where o.user_id = (select auth.uid())
    and o.deleted_at is null
    and (o.move_out_date is null or o.move_out_date >= current_date);

  v_ignored := private.memo_put('resident_units', r.units);
  v_ignored := private.memo_put('resident_communities', r.communities);
  v_ignored := private.memo_put('resident_companies', r.companies);
  v_ignored := private.memo_put('resident_owned', r.owned);
  v_ignored := private.memo_put('resident_principal', r.principal);
  v_ignored := private.memo_put('resident_family_units', r.family_units);
  v_ignored := private.memo_put('resident_family_grants', r.family_grants);
  return true;
end
$$;
comment on function private.load_resident_scope() is
  'Loads and memoizes the caller''s resident links in one statement: units, communities, companies, owned units, and the household principals/family grants.';

revoke all on function private.load_staff_scope() from public, anon;
revoke all on function private.load_resident_scope() from public, anon;
grant execute on function private.load_staff_scope() to authenticated, service_role;
grant execute on function private.load_resident_scope() to authenticated, service_role;

-- -------------------------------------------------------------------------------------
-- The platform role without a query
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
    v := auth.jwt() -> 'app_metadata' ->> 'platform_role';
    -- An unknown value yields null instead of an error, so a malformed claim grants nothing.
    if v is null or not (v = any (enum_range(null::public.platform_role)::text[])) then
      v := '';
    end if;
    v := private.memo_put('platform_role', v);
  end if;
  return nullif(v, '')::public.platform_role;
end
$$;

-- -------------------------------------------------------------------------------------
-- Helpers answering from the loaded scope
-- -------------------------------------------------------------------------------------
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
  -- Assignments (not PERFORM) keep calls on plpgsql's fast expression path.
  if v is null and private.load_staff_scope() then
    v := private.memo_get('member_company_ids');
  end if;
  return v::uuid[];
end
$$;

create or replace function private.resident_scope(p_part text)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v text := private.memo_get('resident_' || p_part);
  v_grant public.household_grant;
  v_units uuid[];
  v_grants text[];
  v_ignored text;
begin
  if v is null then
    if private.memo_get('resident_units') is null and private.load_resident_scope() then
      v := private.memo_get('resident_' || p_part);
    end if;
    if v is null and p_part like 'household\_%' then
      -- Units where the caller may use a household grant: as a principal (owner, tenant),
      -- or as a family member holding it. Computed from the loaded links, no query.
      v_grant := replace(substr(p_part, length('household_') + 1), '_', '.')::public.household_grant;
      v_units := private.memo_get('resident_principal')::uuid[];
      v_grants := private.memo_get('resident_family_grants')::text[];
      for i in 1 .. coalesce(array_length(v_grants, 1), 0) loop
        if v_grant = any (v_grants[i]::public.household_grant[]) then
          v_units := v_units || (private.memo_get('resident_family_units')::uuid[])[i];
        end if;
      end loop;
      v := private.memo_put('resident_' || p_part, v_units::text);
    end if;
    if v is null then
      raise exception 'unknown resident scope part %', p_part;
    end if;
  end if;
  return v::uuid[];
end
$$;
comment on function private.resident_scope(text) is
  'The caller''s resident scope from live occupancies (not soft-deleted, not moved out before today): part units, communities, companies, owned, or household_<grant> with dots as underscores (units where the caller is a principal or holds the grant). Memoized.';

-- The caller's grants in one company: '<permission>@<community id>' or '<permission>@*'.
create or replace function private.company_grants(p_company_id uuid)
returns text[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not (p_company_id = any (private.member_company_ids())) then
    return '{}';
  end if;
  return coalesce(private.memo_get('grants_' || replace(p_company_id::text, '-', '')), '{}')::text[];
end
$$;
comment on function private.company_grants(uuid) is
  'The caller''s grants in a company as ''<permission>@<community id or *>'' (from the memoized scope); empty unless an active member of an active company.';
revoke all on function private.company_grants(uuid) from public, anon;
grant execute on function private.company_grants(uuid) to authenticated, service_role;

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
  v_grants text[];
begin
  -- Platform operators: the permission comes with their platform role, in every company.
  if p_permission = any (private.platform_permissions()) then
    return true;
  end if;
  if p_company_id is null then
    return false;
  end if;
  -- Staff: held company-wide, or (when a community is asked about) for that community.
  v_grants := private.company_grants(p_company_id);
  return (p_permission::text || '@*') = any (v_grants)
    or (p_community_id is not null and (p_permission::text || '@' || p_community_id::text) = any (v_grants));
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
  v_company uuid;
  v_grants text[];
  v_grant text;
  v_ids uuid[] := '{}';
begin
  if v is null then
    if p_permission = any (private.platform_permissions()) then
      v_ids := (select coalesce(array_agg(c.id order by c.id), '{}') from public.communities c);
    else
      -- has_permission's rule as a set: a '*' grant opens every community of the company.
      foreach v_company in array private.member_company_ids() loop
        v_grants := private.company_grants(v_company);
        if (p_permission::text || '@*') = any (v_grants) then
          v_ids := v_ids || array(select c.id from public.communities c where c.company_id = v_company order by c.id);
        else
          foreach v_grant in array v_grants loop
            if starts_with(v_grant, p_permission::text || '@') then
              v_ids := v_ids || substr(v_grant, length(p_permission::text) + 2)::uuid;
            end if;
          end loop;
        end if;
      end loop;
    end if;
    v := private.memo_put(v_key, v_ids::text);
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
  v_company uuid;
  v_ids uuid[] := '{}';
begin
  if v is null then
    if p_permission = any (private.platform_permissions()) then
      v_ids := (select coalesce(array_agg(c.id order by c.id), '{}') from public.companies c);
    else
      foreach v_company in array private.member_company_ids() loop
        if (p_permission::text || '@*') = any (private.company_grants(v_company)) then
          v_ids := v_ids || v_company;
        end if;
      end loop;
    end if;
    v := private.memo_put(v_key, v_ids::text);
  end if;
  return v::uuid[];
end
$$;

-- -------------------------------------------------------------------------------------
-- Staff arms that the planner does not mis-estimate
-- -------------------------------------------------------------------------------------
alter policy occupancies_select on public.occupancies
  using (
    (
      deleted_at is null
      and (user_id = (select auth.uid()) or unit_id = any ((select private.household_unit_ids('members.read'))::uuid[]))
    )
    or coalesce(community_id = any ((select private.communities_with_permission('resident.read'))::uuid[]), false)
  );

alter policy units_select on public.units
  using (
    (deleted_at is null and id = any ((select private.my_unit_ids())::uuid[]))
    or coalesce(community_id = any ((select private.communities_with_permission('unit.read'))::uuid[]), false)
  );

-- -------------------------------------------------------------------------------------
-- Directory search keys that stay index conditions under RLS
-- -------------------------------------------------------------------------------------
-- With RLS on, Postgres evaluates the policy before any query condition that could leak
-- values through errors, and only leakproof conditions may become index conditions. Range
-- comparisons on a plain text column are leakproof; reverse(phone) is not, so the phone
-- suffix index of 20261122107000 was never used for a staff search. A stored generated
-- column makes the suffix a plain column.
alter table public.occupancies
  add column phone_reversed text collate "C" generated always as (reverse(phone)) stored;
comment on column public.occupancies.phone_reversed is
  'reverse(phone), for phone-suffix (尾号) search. A plain column, so its comparisons are leakproof and can be index conditions under RLS.';
drop index public.occupancies_phone_suffix_idx;
create index occupancies_phone_suffix_idx on public.occupancies (company_id, phone_reversed) where deleted_at is null;

-- Room-number search across a company looks occupancies up by unit without a community:
-- lead with (company_id, unit_id). The three columns still cover the unit foreign key.
drop index public.occupancies_unit_idx;
create index occupancies_unit_idx on public.occupancies (company_id, unit_id, community_id);
