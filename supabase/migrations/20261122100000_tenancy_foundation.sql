-- =====================================================================================
-- Tenancy foundation (issue #4)
--
-- Schemas, shared enums and the generic machinery that every tenant table uses:
--   * `private`  — helper functions called by RLS policies and server code. Not exposed
--                  through the Data API; functions here are `security definer` with
--                  `set search_path = ''` and are granted function by function.
--   * `audit`    — the append-only audit trail (`audit.log`) and its trigger function.
--   * generic triggers: `updated_at` maintenance, immutable tenant keys, and a small
--     state-machine engine (allowed transitions as data, enforced by a trigger).
--
-- Conventions used by every later migration (see docs/data-model.md, "Adding a table"):
--   * every tenant-owned table carries `company_id` (the tenant key) and, when it belongs
--     to a community, `community_id`; foreign keys between tenant tables include
--     `company_id`, so a row can never point into another tenant;
--   * RLS is enabled on every table, grants are explicit (nothing relies on default
--     privileges), and policies are `to authenticated`, one per verb.
-- SQL here runs on PostgreSQL 15 and later.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- Schemas
-- -------------------------------------------------------------------------------------
create schema if not exists private;
comment on schema private is
  'Helpers for RLS policies and server code (security definer, fixed search_path). Never exposed through the Data API.';
revoke all on schema private from public;
-- Policies run as the querying role, so that role needs USAGE to call the helpers.
-- anon gets nothing: every policy is `to authenticated`.
grant usage on schema private to authenticated, service_role;

create schema if not exists audit;
comment on schema audit is 'Append-only audit trail of changes to tenant tables. Never exposed through the Data API.';
revoke all on schema audit from public;
grant usage on schema audit to authenticated, service_role;

-- Functions are executable by PUBLIC by default. In the schemas this project owns that
-- default is removed, so a new helper is callable only after an explicit grant.
alter default privileges in schema private revoke execute on functions from public;
alter default privileges in schema audit revoke execute on functions from public;

-- -------------------------------------------------------------------------------------
-- Shared helpers: who is calling
-- -------------------------------------------------------------------------------------

-- Platform roles live in app_metadata, which only the server (service role / Auth admin
-- API) can write. user_metadata is editable by the user and is never consulted.
create type public.platform_role as enum ('owner', 'admin', 'support');
comment on type public.platform_role is
  'Operator roles of the SaaS platform itself, read from auth.jwt() -> app_metadata -> platform_role. owner: everything incl. platform settings; admin: manages property companies; support: read-only help desk.';

create or replace function private.platform_role()
returns public.platform_role
language sql
stable
security definer
set search_path = ''
as $$
  -- An unknown value yields null instead of an error, so a malformed claim grants nothing.
  select r.value
  from (select (select auth.jwt()) -> 'app_metadata' ->> 'platform_role' as claimed) c
  join unnest(enum_range(null::public.platform_role)) as r(value) on r.value::text = c.claimed
$$;
comment on function private.platform_role() is
  'The caller''s platform role from the JWT app_metadata claim (never user_metadata), or null.';

-- Phone numbers are stored as Supabase Auth stores them: digits only, country code first,
-- no "+" (e.g. 8613800000001).
create or replace function private.normalize_phone(p_phone text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when p_phone is null then null
    -- A bare 11-digit mainland mobile number gets the +86 country code.
    when regexp_replace(p_phone, '[^0-9]', '', 'g') ~ '^1[3-9][0-9]{9}$'
      then '86' || regexp_replace(p_phone, '[^0-9]', '', 'g')
    else nullif(regexp_replace(p_phone, '[^0-9]', '', 'g'), '')
  end
$$;
comment on function private.normalize_phone(text) is
  'Digits-only E.164 without "+", as auth.users.phone stores it; a bare mainland mobile number gets the 86 prefix.';

-- -------------------------------------------------------------------------------------
-- Generic triggers
-- -------------------------------------------------------------------------------------
create or replace function private.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
comment on function private.touch_updated_at() is 'BEFORE UPDATE trigger: sets updated_at to the transaction time.';

-- Tenant keys never change: moving a row to another company or community would carry its
-- history (and its audit trail) across a tenant boundary. Column-level grants already keep
-- `authenticated` from writing these columns; this trigger also covers the service role.
create or replace function private.guard_immutable_columns()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  col text;
  old_row jsonb := to_jsonb(old);
  new_row jsonb := to_jsonb(new);
begin
  foreach col in array tg_argv loop
    if old_row -> col is distinct from new_row -> col then
      raise exception using
        errcode = '42501',
        message = 'tenancy.immutable_column',
        detail = format('%I.%I.%I cannot be changed after insert', tg_table_schema, tg_table_name, col);
    end if;
  end loop;
  return new;
end
$$;
comment on function private.guard_immutable_columns() is
  'BEFORE UPDATE trigger; arguments are column names (tenant keys, owners) that may never change.';

-- State machines as data: the allowed transitions of every workflow column live in one
-- table; a trigger enforces them. `from_state = ''` lists the states a row may start in.
create table private.state_transitions (
  machine text not null,
  from_state text not null,
  to_state text not null,
  primary key (machine, from_state, to_state)
);
comment on table private.state_transitions is
  'Allowed transitions per workflow ("machine"). from_state = '''' lists the initial states. Enforced by private.enforce_state_transition().';
alter table private.state_transitions enable row level security;
revoke all on private.state_transitions from public, anon, authenticated;
grant select on private.state_transitions to service_role;

create or replace function private.enforce_state_transition()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_machine text := tg_argv[0];
  v_column text := tg_argv[1];
  v_from text := case when tg_op = 'INSERT' then '' else to_jsonb(old) ->> v_column end;
  v_to text := to_jsonb(new) ->> v_column;
begin
  if tg_op = 'UPDATE' and v_from is not distinct from v_to then
    return new;
  end if;
  if not exists (
    select 1 from private.state_transitions t
    where t.machine = v_machine and t.from_state = v_from and t.to_state = v_to
  ) then
    raise exception using
      errcode = 'P0001',
      message = 'state.transition_not_allowed',
      detail = format('%s: %s -> %s', v_machine, coalesce(nullif(v_from, ''), '(new)'), v_to);
  end if;
  return new;
end
$$;
comment on function private.enforce_state_transition() is
  'BEFORE INSERT OR UPDATE trigger; arguments: machine name, status column. Rejects transitions missing from private.state_transitions.';

-- -------------------------------------------------------------------------------------
-- Audit trail
-- -------------------------------------------------------------------------------------
create table audit.log (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  actor_id uuid,
  actor_role text not null,
  platform_role text,
  service_reason text,
  company_id uuid,
  table_schema text not null,
  table_name text not null,
  row_id uuid,
  action text not null check (action in ('INSERT', 'UPDATE', 'DELETE')),
  old_values jsonb,
  new_values jsonb,
  transaction_id bigint not null default txid_current()
);
comment on table audit.log is
  'Who changed what, when, in tenant tables. Written only by audit.capture_change(); readable by staff holding audit.read for the company. Append-only: nobody, not even the service role, may update or delete rows.';
comment on column audit.log.actor_id is 'auth.uid() of the caller; null for migrations, seeds and jobs without a user.';
comment on column audit.log.actor_role is 'Database role that made the change (authenticated, service_role, postgres…).';
comment on column audit.log.platform_role is 'Platform role claim of the caller, when a platform operator made the change.';
comment on column audit.log.service_reason is 'The reason given to withServiceRoleDangerously() (GUC app.service_reason) for service-role changes.';
comment on column audit.log.company_id is 'Tenant of the changed row; drives who may read the entry.';
comment on column audit.log.row_id is 'Primary key (id) of the changed row; null for tables keyed otherwise (their key is in the values).';
comment on column audit.log.old_values is 'DELETE: the whole old row. UPDATE: old values of the changed columns only.';
comment on column audit.log.new_values is 'INSERT: the whole new row. UPDATE: new values of the changed columns only.';
create index log_company_id_occurred_at_idx on audit.log (company_id, occurred_at desc);
create index log_table_row_idx on audit.log (table_name, row_id);
alter table audit.log enable row level security;
revoke all on audit.log from public, anon, authenticated, service_role;
grant select on audit.log to service_role;

-- Attach as: `after insert or update or delete on <t> for each row execute function
-- audit.capture_change('<tenant key column>')`, where the argument names the column that
-- holds the company id (`company_id`, or `id` for public.companies itself).
create or replace function audit.capture_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  tenant_col text := coalesce(tg_argv[0], 'company_id');
  old_row jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end;
  new_row jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end;
  old_diff jsonb;
  new_diff jsonb;
  claims jsonb := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
begin
  if tg_op = 'UPDATE' then
    select jsonb_object_agg(n.key, o.value), jsonb_object_agg(n.key, n.value)
      into old_diff, new_diff
    from jsonb_each(new_row) n
    join jsonb_each(old_row) o using (key)
    where n.value is distinct from o.value and n.key <> 'updated_at';
    if new_diff is null then
      return null; -- nothing but updated_at changed
    end if;
  end if;

  insert into audit.log (
    actor_id, actor_role, platform_role, service_reason, company_id,
    table_schema, table_name, row_id, action, old_values, new_values
  ) values (
    nullif(claims ->> 'sub', '')::uuid,
    -- current_user is this function's owner (security definer); the `role` setting is the caller's.
    coalesce(nullif(current_setting('role', true), 'none'), session_user),
    claims -> 'app_metadata' ->> 'platform_role',
    nullif(current_setting('app.service_reason', true), ''),
    (coalesce(new_row, old_row) ->> tenant_col)::uuid,
    tg_table_schema,
    tg_table_name,
    (coalesce(new_row, old_row) ->> 'id')::uuid,
    tg_op,
    case tg_op when 'UPDATE' then old_diff when 'DELETE' then old_row end,
    case tg_op when 'UPDATE' then new_diff when 'INSERT' then new_row end
  );
  return null;
end
$$;
comment on function audit.capture_change() is
  'AFTER row trigger writing one audit.log entry per change; argument: the column holding the company id.';
revoke all on function audit.capture_change() from public, anon, authenticated;

revoke all on function private.touch_updated_at() from public, anon, authenticated;
revoke all on function private.guard_immutable_columns() from public, anon, authenticated;
revoke all on function private.enforce_state_transition() from public, anon, authenticated;
revoke all on function private.normalize_phone(text) from public, anon;
grant execute on function private.normalize_phone(text) to authenticated, service_role;
revoke all on function private.platform_role() from public, anon;
grant execute on function private.platform_role() to authenticated, service_role;
