-- =====================================================================================
-- RLS, benchmark pass 3 (issue #4): policy helpers that cost a few microseconds
--
-- After 20261122108000 each scope is looked up once per transaction, and the remaining
-- RLS cost of a short query was the helpers' *calls*: every policy InitPlan called a
-- `security definer` plpgsql function, which in turn called memo_get/memo_put. plpgsql
-- rebuilds its expression states on the first call in each transaction and every
-- `set search_path` clause pushes and pops a GUC level, so a query touching five policies
-- spent ~0.15-0.3 ms in helper calls even when every answer was already memoized — about
-- as long as the query itself (`npm run bench -- rls`: user/service p50 ≈ 2.1).
--
-- This migration keeps every helper's name, signature and meaning, and the memo of
-- 20261122106000 as the slow path, and adds a fast path that a policy reads with a handful of
-- built-ins:
--
--   * private.prepare_request() computes the caller's whole scope in one statement —
--     resident links and every household grant, staff memberships, and per permission the
--     communities and companies it opens — and writes each answer to a transaction-local
--     setting `tenancy.fast.<key>`, then `tenancy.fast_valid` := the request's claims. The
--     app calls it in the same statement that sets the role and claims (app/lib/db.server.ts,
--     one round trip, like PostgREST's `db-pre-request`).
--   * The helpers used in policies (my_unit_ids, household_unit_ids, communities_with_permission,
--     member_company_ids, …) become inlinable wrappers:
--       coalesce(case when tenancy.fast_valid = request.jwt.claims then tenancy.fast.<key> end,
--                <the unchanged memoized plpgsql computation>)
--     They are plain `language sql` functions with SQL-standard bodies (no `security definer`,
--     no SET clause), so the planner inlines them: a policy's InitPlan becomes a Result node
--     evaluating a few current_setting calls. Each wrapper spells the read out instead of
--     calling a shared reader, because every nested inlining costs planning time, which
--     custom-planned queries pay on every execution. CREATE OR REPLACE keeps their OIDs, so
--     every existing policy picks them up. The computations move, unchanged, to
--     private.compute_* (security definer, fixed search_path) or stay in private.resident_scope.
--   * Invalidation: every write to a table scopes are computed from already fires
--     private.memo_invalidate(); it now also clears `tenancy.fast_valid`, so the rest of that
--     transaction uses the slow path (which recomputes per epoch). Only prepare_request sets
--     fast_valid; it first blanks the per-permission keys an earlier call wrote and then
--     rewrites every other key (a platform operator's permission sets are left to the slow
--     path), so no entry of another user or another epoch can come back.
--   * Claims changed inside a transaction (a test switching users, a service evaluating
--     several subscribers) no longer match fast_valid: slow path, as before.
--   * Callers that never call prepare_request (Storage, Realtime, SQL tests) get the same
--     answers from the slow path.
--
-- Security: the wrappers are `security invoker` and read only the caller's own transaction
-- settings. Forging a fast entry needs the power to run set_config in the session, which is
-- the same power as forging request.jwt.claims — the trust model is that of 20261122106000.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- Invalidation
-- -------------------------------------------------------------------------------------
-- A write to a scope table ends the fast path for the rest of the transaction.
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
  v_ignored := set_config('tenancy.fast_valid', '', true);
  return null;
end
$$;

-- -------------------------------------------------------------------------------------
-- The computations, unchanged, under new names
-- -------------------------------------------------------------------------------------
-- Each keeps its body, its grants and its memo; its old name becomes the wrapper below. (Until
-- the end of this migration the existing policies call them under the new names; see there.)
alter function private.platform_permissions() rename to compute_platform_permissions;
alter function private.member_company_ids() rename to compute_member_company_ids;
alter function private.my_member_ids() rename to compute_my_member_ids;
alter function private.communities_with_permission(public.app_permission) rename to compute_communities_with_permission;
alter function private.companies_with_permission(public.app_permission) rename to compute_companies_with_permission;

-- The caller's grants in one company. member_company_ids() may now be answered by the fast
-- path, which does not fill the per-company grant memo: load the staff scope when it is missing.
create or replace function private.company_grants(p_company_id uuid)
returns text[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v text;
begin
  if p_company_id is null or not (p_company_id = any (private.member_company_ids())) then
    return '{}';
  end if;
  v := private.memo_get('grants_' || replace(p_company_id::text, '-', ''));
  if v is null and private.load_staff_scope() then
    v := private.memo_get('grants_' || replace(p_company_id::text, '-', ''));
  end if;
  return coalesce(v, '{}')::text[];
end
$$;

-- -------------------------------------------------------------------------------------
-- The helpers as inlinable wrappers: the prepared answer, else the computation
-- -------------------------------------------------------------------------------------
-- The fast read as SQL text (one definition, used for the wrappers below and for the policies
-- further down): while tenancy.fast_valid holds the current claims, the setting named by
-- p_key_sql (or, if that is empty, p_default_key_sql), cast to p_type; else p_fallback.
create or replace function private.fast_read_sql(p_key_sql text, p_fallback text, p_type text, p_default_key_sql text default null)
returns text
language sql
immutable
set search_path = ''
as $$
  select format(
    'coalesce((case when pg_catalog.current_setting(''tenancy.fast_valid'', true) = pg_catalog.current_setting(''request.jwt.claims'', true) then %s end)::%s, %s)',
    case when p_default_key_sql is null
      then format('nullif(pg_catalog.current_setting(%s, true), '''')', p_key_sql)
      else format('coalesce(nullif(pg_catalog.current_setting(%s, true), ''''), nullif(pg_catalog.current_setting(%s, true), ''''))',
                  p_key_sql, p_default_key_sql)
    end,
    p_type, p_fallback)
$$;
comment on function private.fast_read_sql(text, text, text, text) is
  'SQL text of a fast-path read: the setting named by p_key_sql (else p_default_key_sql) cast to p_type while valid for the current claims, else p_fallback.';
revoke all on function private.fast_read_sql(text, text, text, text) from public, anon, authenticated;

-- The resident helpers are replaced in place (CREATE OR REPLACE keeps their OIDs and grants);
-- the other five are new functions under the names just freed. Keys: see prepare_request below.
do $$
declare
  w record;
begin
  for w in
    select * from (values
      ('platform_permissions()', 'public.app_permission[]', $k$'tenancy.fast.platform_permissions'$k$,
       'private.compute_platform_permissions()', null),
      ('member_company_ids()', 'uuid[]', $k$'tenancy.fast.member_company_ids'$k$, 'private.compute_member_company_ids()', null),
      ('my_member_ids()', 'uuid[]', $k$'tenancy.fast.my_member_ids'$k$, 'private.compute_my_member_ids()', null),
      ('communities_with_permission(p_permission public.app_permission)', 'uuid[]',
       $k$'tenancy.fast.cwp.' || p_permission::text$k$, 'private.compute_communities_with_permission(p_permission)',
       $k$'tenancy.fast.cwp'$k$),
      ('companies_with_permission(p_permission public.app_permission)', 'uuid[]',
       $k$'tenancy.fast.cop.' || p_permission::text$k$, 'private.compute_companies_with_permission(p_permission)',
       $k$'tenancy.fast.cop'$k$),
      ('my_unit_ids()', 'uuid[]', $k$'tenancy.fast.resident_units'$k$, $k$private.resident_scope('units')$k$, null),
      ('my_community_ids()', 'uuid[]', $k$'tenancy.fast.resident_communities'$k$, $k$private.resident_scope('communities')$k$, null),
      ('resident_company_ids()', 'uuid[]', $k$'tenancy.fast.resident_companies'$k$, $k$private.resident_scope('companies')$k$, null),
      ('owned_unit_ids()', 'uuid[]', $k$'tenancy.fast.resident_owned'$k$, $k$private.resident_scope('owned')$k$, null),
      ('household_unit_ids(p_grant public.household_grant)', 'uuid[]', $k$'tenancy.fast.household.' || p_grant::text$k$,
       $k$private.resident_scope('household_' || pg_catalog.replace(p_grant::text, '.', '_'))$k$, null)
    ) as t (signature, result_type, key_sql, fallback, default_key_sql)
  loop
    execute format('create or replace function private.%s returns %s language sql stable return %s',
      w.signature, w.result_type, private.fast_read_sql(w.key_sql, w.fallback, w.result_type, w.default_key_sql));
    execute format('revoke all on function private.%s from public, anon', w.signature);
    execute format('grant execute on function private.%s to authenticated, service_role', w.signature);
    execute format('comment on function private.%s is %L', w.signature,
      'Inlinable: the answer private.prepare_request() wrote while valid for the current claims, else '
      || split_part(w.fallback, '(', 1) || ' (migration 20261122960000).');
  end loop;
end
$$;

-- -------------------------------------------------------------------------------------
-- One call that loads the whole scope of the request
-- -------------------------------------------------------------------------------------
-- Keys written: resident_units, resident_communities, resident_companies, resident_owned,
-- household.<grant> (every grant), member_company_ids, my_member_ids, platform_permissions,
-- cwp.<permission> and cop.<permission> for each permission the caller holds in a company,
-- and the defaults `cwp` and `cop` for every other permission: '{}', or '' (= ask the slow
-- path) for a platform operator, whose permissions open every community.
create or replace function private.prepare_request()
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_claims text := current_setting('request.jwt.claims', true);
  v_role text;
  v_platform public.app_permission[] := '{}';
  v_companies uuid[];
  v_members uuid[];
  v_keys text[] := '{}';
  v_count bigint;
  v_key text;
  v_units uuid[];
  r record;
  g public.household_grant;
  v_ignored text;
begin
  v_ignored := set_config('tenancy.fast_valid', '', true);
  -- Keys of an earlier call in this transaction (other claims) must not survive it.
  foreach v_key in array coalesce(nullif(current_setting('tenancy.fast_keys', true), ''), '{}')::text[] loop
    v_ignored := set_config('tenancy.fast.' || v_key, '', true);
  end loop;
  v_ignored := set_config('tenancy.fast_keys', '', true);
  if v_uid is null or v_claims is null or v_claims = '' then
    return false;
  end if;

  -- Resident side: the live links, one statement (load_resident_scope's definition).
  select
    coalesce(array_agg(o.unit_id), '{}') as units,
    coalesce(array_agg(o.community_id), '{}') as communities,
    coalesce(array_agg(o.company_id), '{}') as companies,
    coalesce(array_agg(o.unit_id) filter (where o.relation = 'owner'), '{}') as owned,
    coalesce(array_agg(o.unit_id) filter (where o.relation in ('owner', 'tenant')), '{}') as principal,
    coalesce(array_agg(o.unit_id) filter (where o.relation = 'family'), '{}') as family_units,
    coalesce(array_agg(o.household_grants::text) filter (where o.relation = 'family'), '{}') as family_grants
  into r
  from public.occupancies o
  where o.user_id = v_uid
    and o.deleted_at is null
    and (o.move_out_date is null or o.move_out_date >= current_date);
  v_ignored := set_config('tenancy.fast.resident_units', r.units::text, true);
  v_ignored := set_config('tenancy.fast.resident_communities', r.communities::text, true);
  v_ignored := set_config('tenancy.fast.resident_companies', r.companies::text, true);
  v_ignored := set_config('tenancy.fast.resident_owned', r.owned::text, true);
  -- Per household grant: units where the caller is a principal or, as family, holds it.
  foreach g in array enum_range(null::public.household_grant) loop
    v_units := r.principal;
    for i in 1 .. coalesce(array_length(r.family_grants, 1), 0) loop
      if g = any (r.family_grants[i]::public.household_grant[]) then
        v_units := v_units || r.family_units[i];
      end if;
    end loop;
    v_ignored := set_config('tenancy.fast.household.' || g::text, v_units::text, true);
  end loop;

  -- Platform role from the verified claims (platform_role's rule), then its permissions.
  v_role := (select auth.jwt()) -> 'app_metadata' ->> 'platform_role';
  if v_role = any (enum_range(null::public.platform_role)::text[]) then
    v_platform := (
      select coalesce(array_agg(prp.permission order by prp.permission), '{}')
      from private.platform_role_permissions prp
      where prp.platform_role = v_role::public.platform_role
    );
  end if;
  v_ignored := set_config('tenancy.fast.platform_permissions', v_platform::text, true);

  -- Staff side: memberships (load_staff_scope's and my_member_ids' definitions).
  select coalesce(array_agg(m.company_id order by m.company_id) filter (where m.status = 'active'), '{}'),
         coalesce(array_agg(m.id order by m.id), '{}')
  into v_companies, v_members
  from public.company_members m
  where m.user_id = v_uid;
  v_ignored := set_config('tenancy.fast.member_company_ids', v_companies::text, true);
  v_ignored := set_config('tenancy.fast.my_member_ids', v_members::text, true);
  v_ignored := set_config('tenancy.fast.cwp', case when cardinality(v_platform) = 0 then '{}' else '' end, true);
  v_ignored := set_config('tenancy.fast.cop', case when cardinality(v_platform) = 0 then '{}' else '' end, true);

  -- Per permission held in an active company: the communities (a company-wide grant opens
  -- all of the company's) and the companies where it is held company-wide.
  if cardinality(v_companies) > 0 and cardinality(v_platform) = 0 then
    select coalesce(array_agg('cwp.' || x.permission::text), '{}') || coalesce(array_agg('cop.' || x.permission::text), '{}'),
           count(set_config('tenancy.fast.cwp.' || x.permission::text, x.communities::text, true))
         + count(set_config('tenancy.fast.cop.' || x.permission::text, x.companies::text, true))
    into v_keys, v_count
    from (
      select rp.permission,
             coalesce(array_agg(distinct coalesce(cm.id, a.community_id))
                        filter (where coalesce(cm.id, a.community_id) is not null), '{}') as communities,
             coalesce(array_agg(distinct a.company_id) filter (where a.community_id is null), '{}') as companies
      from public.company_members m
      join public.companies c on c.id = m.company_id and c.status = 'active'
      join public.staff_role_assignments a on a.company_id = m.company_id and a.member_id = m.id
      join public.company_role_permissions rp on rp.role_id = a.role_id
      left join public.communities cm on a.community_id is null and cm.company_id = a.company_id
      where m.user_id = v_uid and m.status = 'active'
      group by rp.permission
    ) x;
  end if;

  v_ignored := set_config('tenancy.fast_keys', v_keys::text, true);
  v_ignored := set_config('tenancy.fast_valid', v_claims, true);
  return true;
end
$$;
comment on function private.prepare_request() is
  'Computes the caller''s whole RLS scope and writes it to the fast path (tenancy.fast.*, valid for the current claims until a scope table is written). Called with the request''s claims, like PostgREST''s db-pre-request; optional for correctness.';
revoke all on function private.prepare_request() from public, anon;
grant execute on function private.prepare_request() to authenticated, service_role;

-- -------------------------------------------------------------------------------------
-- Policies read the fast path directly
-- -------------------------------------------------------------------------------------
-- Inlining a wrapper costs planning time on every plan (its stored body is decompressed and
-- read back into a tree: ~15-20 µs per call site), which queries planned per execution (a
-- custom plan, e.g. the directory's room/phone search) pay each time; a policy's own
-- expression comes ready-made from the relation cache. So policies get the wrappers' bodies
-- written into them: private.inline_policy_scope_helpers() rewrites every policy in `public`,
-- `audit` and `private` that calls a scope helper with constant arguments, replacing the call by the same
-- expression the planner would have inlined. The meaning is unchanged; the wrappers stay
-- for plpgsql and server code. A migration that adds such policies ends with
-- `select count(*) from private.inline_policy_scope_helpers();` (lint
-- scope_helper_not_inlined in tests/db/lints fails the build otherwise).

-- An expression (deparsed with an empty search_path, so every name is qualified) with each
-- constant-argument scope helper call replaced by its inlined body.
create or replace function private.inline_scope_helper_calls(p_expr text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  v text := p_expr;
  v_arg text;
  v_simple constant text[][] := array[
    ['private.my_unit_ids()', 'resident_units', 'private.resident_scope(''units''::text)', 'uuid[]'],
    ['private.my_community_ids()', 'resident_communities', 'private.resident_scope(''communities''::text)', 'uuid[]'],
    ['private.resident_company_ids()', 'resident_companies', 'private.resident_scope(''companies''::text)', 'uuid[]'],
    ['private.owned_unit_ids()', 'resident_owned', 'private.resident_scope(''owned''::text)', 'uuid[]'],
    ['private.member_company_ids()', 'member_company_ids', 'private.compute_member_company_ids()', 'uuid[]'],
    ['private.my_member_ids()', 'my_member_ids', 'private.compute_my_member_ids()', 'uuid[]'],
    ['private.platform_permissions()', 'platform_permissions', 'private.compute_platform_permissions()', 'public.app_permission[]']
  ];
begin
  if v is null then
    return null;
  end if;
  for i in 1 .. array_length(v_simple, 1) loop
    v := replace(v, v_simple[i][1], private.fast_read_sql(quote_literal('tenancy.fast.' || v_simple[i][2]), v_simple[i][3], v_simple[i][4]));
  end loop;
  for v_arg in select distinct m[1] from regexp_matches(v, 'private\.communities_with_permission\(''([a-z_.]+)''::public\.app_permission\)', 'g') m loop
    v := replace(v, format('private.communities_with_permission(%L::public.app_permission)', v_arg),
      private.fast_read_sql(quote_literal('tenancy.fast.cwp.' || v_arg), format('private.compute_communities_with_permission(%L::public.app_permission)', v_arg),
        'uuid[]', quote_literal('tenancy.fast.cwp')));
  end loop;
  for v_arg in select distinct m[1] from regexp_matches(v, 'private\.companies_with_permission\(''([a-z_.]+)''::public\.app_permission\)', 'g') m loop
    v := replace(v, format('private.companies_with_permission(%L::public.app_permission)', v_arg),
      private.fast_read_sql(quote_literal('tenancy.fast.cop.' || v_arg), format('private.compute_companies_with_permission(%L::public.app_permission)', v_arg),
        'uuid[]', quote_literal('tenancy.fast.cop')));
  end loop;
  for v_arg in select distinct m[1] from regexp_matches(v, 'private\.household_unit_ids\(''([a-z_.]+)''::public\.household_grant\)', 'g') m loop
    v := replace(v, format('private.household_unit_ids(%L::public.household_grant)', v_arg),
      private.fast_read_sql(quote_literal('tenancy.fast.household.' || v_arg), format('private.resident_scope(%L::text)', 'household_' || replace(v_arg, '.', '_')),
        'uuid[]'));
  end loop;
  return v;
end
$$;
comment on function private.inline_scope_helper_calls(text) is
  'Replaces constant-argument scope helper calls in a deparsed expression by the expression the planner would inline for them.';

create or replace function private.inline_policy_scope_helpers(p_apply boolean default true)
returns setof text
language plpgsql
volatile
set search_path = ''
as $$
declare
  r record;
  v_qual text;
  v_check text;
begin
  for r in
    select p.polname, n.nspname, c.relname,
           pg_catalog.pg_get_expr(p.polqual, p.polrelid) as qual,
           pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as with_check
    from pg_catalog.pg_policy p
    join pg_catalog.pg_class c on c.oid = p.polrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('public', 'audit', 'private')
    order by n.nspname, c.relname, p.polname
  loop
    v_qual := private.inline_scope_helper_calls(r.qual);
    v_check := private.inline_scope_helper_calls(r.with_check);
    if v_qual is not distinct from r.qual and v_check is not distinct from r.with_check then
      continue;
    end if;
    if p_apply and v_qual is distinct from r.qual then
      execute format('alter policy %I on %I.%I using (%s)', r.polname, r.nspname, r.relname, v_qual);
    end if;
    if p_apply and v_check is distinct from r.with_check then
      execute format('alter policy %I on %I.%I with check (%s)', r.polname, r.nspname, r.relname, v_check);
    end if;
    return next format('%I.%I: %s', r.nspname, r.relname, r.polname);
  end loop;
end
$$;
comment on function private.inline_policy_scope_helpers(boolean) is
  'Rewrites every policy in public, audit and private that calls a scope helper with constant arguments so it reads the fast path directly (same meaning, cheaper to plan); returns the policies changed. With p_apply = false only lists them. Run at the end of a migration that adds policies.';

revoke all on function private.inline_scope_helper_calls(text) from public, anon, authenticated;
revoke all on function private.inline_policy_scope_helpers(boolean) from public, anon, authenticated;

-- The policies that existed before this migration were bound to the renamed functions (by OID).
-- Point them back at the helper names, then write the fast reads into every policy.
do $$
declare
  r record;
  v_qual text;
  v_check text;
  v_name text;
begin
  for r in
    select p.polname, n.nspname, c.relname, pg_catalog.pg_get_expr(p.polqual, p.polrelid) as qual,
           pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as with_check
    from pg_catalog.pg_policy p
    join pg_catalog.pg_class c on c.oid = p.polrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  loop
    v_qual := r.qual;
    v_check := r.with_check;
    foreach v_name in array array['platform_permissions', 'member_company_ids', 'my_member_ids',
                                  'communities_with_permission', 'companies_with_permission'] loop
      v_qual := replace(v_qual, 'private.compute_' || v_name || '(', 'private.' || v_name || '(');
      v_check := replace(v_check, 'private.compute_' || v_name || '(', 'private.' || v_name || '(');
    end loop;
    if v_qual is distinct from r.qual then
      execute format('alter policy %I on %I.%I using (%s)', r.polname, r.nspname, r.relname, v_qual);
    end if;
    if v_check is distinct from r.with_check then
      execute format('alter policy %I on %I.%I with check (%s)', r.polname, r.nspname, r.relname, v_check);
    end if;
  end loop;
end
$$;

select count(*) from private.inline_policy_scope_helpers();
