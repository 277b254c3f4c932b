-- =====================================================================================
-- Repairs (issue #7): the workflow in the database
--
--   private.repair_transitions   the status machine as data: from → to, and which actor may
--                                take that step (reporter, creator, dispatcher, assignee, system)
--   private.repair_field_rules   which actor may change which column, in which statuses
--   private.repair_tickets_guard BEFORE trigger enforcing both, for every caller (the service
--                                role and internal functions act as "system")
--   events                       AFTER trigger writing the timeline, broadcasting to the
--                                ticket's and the community's private Realtime topics, and
--                                notifying the people concerned (private.repair_notify)
--   auto-assignment              AFTER INSERT: the most specific rule dispatches the ticket
--   ratings, followers, media, messages and locations keep their tenant keys and counters
--   in step with the ticket.
--
-- Errors are raised with a message that is an i18n key ("repairs.*", see
-- app/modules/repairs/errors.ts): SQLSTATE 42501 when the caller may not do it, P0001 when
-- the ticket is not in a state that allows it, 22023 for a missing reason.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- The status machine
-- -------------------------------------------------------------------------------------
create table private.repair_transitions (
  from_status public.repair_status,
  to_status public.repair_status not null,
  actor public.repair_actor not null,
  needs_reason boolean not null default false,
  constraint repair_transitions_key unique nulls not distinct (from_status, to_status, actor)
);
comment on table private.repair_transitions is
  'Allowed ticket status changes and who may make them. from_status null = the status a new ticket starts in. needs_reason: the change must carry status_reason. Enforced by private.repair_tickets_guard().';
alter table private.repair_transitions enable row level security;
revoke all on private.repair_transitions from public, anon, authenticated;
grant select on private.repair_transitions to service_role;

insert into private.repair_transitions (from_status, to_status, actor, needs_reason) values
  -- submitting: the household, staff entering it for them, or an import
  (null, 'pending', 'reporter', false),
  (null, 'pending', 'creator', false),
  (null, 'pending', 'system', false),
  -- the office responds: accept, dispatch, or return to the resident with a reason
  ('pending', 'accepted', 'dispatcher', false),
  ('pending', 'dispatched', 'dispatcher', false),
  ('pending', 'dispatched', 'system', false),
  ('accepted', 'dispatched', 'dispatcher', false),
  ('accepted', 'dispatched', 'system', false),
  ('pending', 'returned', 'dispatcher', true),
  ('accepted', 'returned', 'dispatcher', true),
  ('returned', 'pending', 'reporter', false),
  -- the technician declines a task, or the dispatcher recalls it (back to 已受理)
  ('dispatched', 'accepted', 'assignee', true),
  ('dispatched', 'accepted', 'dispatcher', true),
  -- the work
  ('dispatched', 'in_progress', 'assignee', false),
  ('dispatched', 'in_progress', 'dispatcher', false),
  ('in_progress', 'paused', 'assignee', true),
  ('in_progress', 'paused', 'dispatcher', true),
  ('paused', 'in_progress', 'assignee', false),
  ('paused', 'in_progress', 'dispatcher', false),
  ('in_progress', 'completed', 'assignee', false),
  ('in_progress', 'completed', 'dispatcher', false),
  -- the household rates (through repair_ratings) or reopens within 7 days
  ('completed', 'rated', 'system', false),
  ('completed', 'pending', 'reporter', true),
  ('rated', 'pending', 'reporter', true),
  -- cancelling: the household before work starts; the office (also merging duplicates) with a reason
  ('pending', 'cancelled', 'reporter', false),
  ('accepted', 'cancelled', 'reporter', false),
  ('dispatched', 'cancelled', 'reporter', false),
  ('returned', 'cancelled', 'reporter', false),
  ('pending', 'cancelled', 'dispatcher', true),
  ('accepted', 'cancelled', 'dispatcher', true),
  ('dispatched', 'cancelled', 'dispatcher', true),
  ('paused', 'cancelled', 'dispatcher', true);

create table private.repair_field_rules (
  column_name text not null,
  actor public.repair_actor not null,
  in_statuses public.repair_status[] not null,
  primary key (column_name, actor)
);
comment on table private.repair_field_rules is
  'Which actor may change which ticket column, and in which (current) statuses. Columns without a row for the caller''s actors are read-only to them; status and status_reason are governed by private.repair_transitions; the system actor may change anything.';
alter table private.repair_field_rules enable row level security;
revoke all on private.repair_field_rules from public, anon, authenticated;
grant select on private.repair_field_rules to service_role;

insert into private.repair_field_rules (column_name, actor, in_statuses) values
  ('description', 'reporter', '{pending,returned}'),
  ('contact_name', 'reporter', '{pending,returned}'),
  ('contact_phone', 'reporter', '{pending,returned}'),
  ('preferred_date', 'reporter', '{pending,returned}'),
  ('preferred_slot', 'reporter', '{pending,returned}'),
  ('location_note', 'reporter', '{pending,returned}'),
  ('category_id', 'reporter', '{pending,returned}'),
  ('category_id', 'dispatcher', '{pending,accepted,dispatched,in_progress,paused}'),
  ('location_note', 'dispatcher', '{pending,accepted,dispatched,in_progress,paused}'),
  ('priority', 'dispatcher', '{pending,accepted,dispatched,in_progress,paused}'),
  ('assignee_id', 'dispatcher', '{pending,accepted,dispatched,paused}'),
  ('appointment_at', 'dispatcher', '{pending,accepted,dispatched,paused}'),
  ('appointment_at', 'assignee', '{dispatched,paused}'),
  ('arrived_at', 'assignee', '{dispatched}'),
  ('completion_note', 'assignee', '{in_progress,paused}'),
  ('completion_note', 'dispatcher', '{in_progress,paused}'),
  ('materials', 'assignee', '{in_progress,paused}'),
  ('materials', 'dispatcher', '{in_progress,paused}'),
  ('merged_into_id', 'dispatcher', '{pending,accepted,dispatched}');

-- -------------------------------------------------------------------------------------
-- Who is calling
-- -------------------------------------------------------------------------------------
-- Inside a SECURITY DEFINER trigger current_user is the owner, so the API role is read
-- from the `role` setting that withUser/PostgREST set for the transaction.
create or replace function private.repair_api_caller()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(nullif(current_setting('role', true), 'none'), '') in ('authenticated', 'anon')
$$;
comment on function private.repair_api_caller() is
  'True when the transaction runs as an API user (authenticated/anon), also inside security-definer triggers; false for the service role, jobs and migrations.';

-- -------------------------------------------------------------------------------------
-- Who the caller is, for one ticket
-- -------------------------------------------------------------------------------------
create or replace function private.repair_member_can_work(p_company_id uuid, p_member_id uuid, p_community_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.company_members m
    join public.companies c on c.id = m.company_id and c.status = 'active'
    join public.staff_role_assignments a on a.company_id = m.company_id and a.member_id = m.id
    join public.company_role_permissions rp on rp.role_id = a.role_id and rp.permission = 'repair.work'
    where m.id = p_member_id
      and m.company_id = p_company_id
      and m.status = 'active'
      and (a.community_id is null or a.community_id = p_community_id)
  )
$$;
comment on function private.repair_member_can_work(uuid, uuid, uuid) is
  'True when the staff member (company_members.id) is active and holds repair.work in the community: who may be assigned a ticket.';

create or replace function private.repair_actors(
  p_company_id uuid,
  p_community_id uuid,
  p_area public.repair_area,
  p_unit_id uuid,
  p_reporter_id uuid,
  p_assignee_id uuid,
  p_inserting boolean
)
returns public.repair_actor[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_actors public.repair_actor[] := '{}';
begin
  if v_uid is null then
    return v_actors;
  end if;
  if p_inserting then
    -- A new report: the household of the unit (repairs.create), or any verified resident
    -- of the community for a public area.
    if (p_area = 'home' and p_unit_id = any (private.household_unit_ids('repairs.create')))
      or (p_area = 'public' and p_community_id = any (private.my_community_ids())) then
      v_actors := v_actors || 'reporter'::public.repair_actor;
    end if;
    if private.has_permission(p_company_id, 'repair.create', p_community_id) then
      v_actors := v_actors || 'creator'::public.repair_actor;
    end if;
  else
    -- The reporter, or (home repairs) the unit's household members who may report and
    -- see the household's repairs (principals; family members holding both grants).
    if p_reporter_id = v_uid
      or (p_area = 'home' and p_unit_id = any (private.household_unit_ids('repairs.create'))
          and p_unit_id = any (private.household_unit_ids('repairs.read'))) then
      v_actors := v_actors || 'reporter'::public.repair_actor;
    end if;
  end if;
  if private.has_permission(p_company_id, 'repair.dispatch', p_community_id) then
    v_actors := v_actors || 'dispatcher'::public.repair_actor;
  end if;
  if p_assignee_id is not null
    and exists (
      select 1 from public.company_members m
      where m.id = p_assignee_id and m.company_id = p_company_id and m.user_id = v_uid
    )
    and private.has_permission(p_company_id, 'repair.work', p_community_id) then
    v_actors := v_actors || 'assignee'::public.repair_actor;
  end if;
  return v_actors;
end
$$;
comment on function private.repair_actors(uuid, uuid, public.repair_area, uuid, uuid, uuid, boolean) is
  'The capacities (reporter, creator, dispatcher, assignee) in which the caller may act on a ticket with these keys.';

create or replace function private.repair_transition_check(
  p_from public.repair_status,
  p_to public.repair_status,
  p_actors public.repair_actor[]
)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_needs_reason boolean;
begin
  select bool_and(t.needs_reason) into v_needs_reason
  from private.repair_transitions t
  where t.from_status is not distinct from p_from and t.to_status = p_to and t.actor = any (p_actors);
  if v_needs_reason is null then
    if exists (
      select 1 from private.repair_transitions t
      where t.from_status is not distinct from p_from and t.to_status = p_to
    ) then
      raise exception using errcode = '42501', message = 'repairs.forbidden',
        detail = format('%s -> %s is not allowed for %s', coalesce(p_from::text, '(new)'), p_to, p_actors);
    end if;
    raise exception using errcode = 'P0001', message = 'repairs.transition_not_allowed',
      detail = format('%s -> %s', coalesce(p_from::text, '(new)'), p_to);
  end if;
  return v_needs_reason;
end
$$;
comment on function private.repair_transition_check(public.repair_status, public.repair_status, public.repair_actor[]) is
  'Raises unless one of the actors may move a ticket from p_from to p_to; returns whether the step needs a reason.';

create or replace function private.repair_field_allowed(
  p_column text,
  p_actors public.repair_actor[],
  p_status public.repair_status
)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from private.repair_field_rules r
    where r.column_name = p_column and r.actor = any (p_actors) and p_status = any (r.in_statuses)
  )
$$;
comment on function private.repair_field_allowed(text, public.repair_actor[], public.repair_status) is
  'Whether one of the actors may change the column of a ticket in this status (private.repair_field_rules).';

create or replace function private.repair_category_deadlines(
  p_company_id uuid,
  p_community_id uuid,
  p_category_id uuid,
  p_area public.repair_area,
  p_from timestamptz
)
returns table (response_due_at timestamptz, resolve_due_at timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  c public.repair_categories;
begin
  select * into c from public.repair_categories
  where company_id = p_company_id and community_id = p_community_id and id = p_category_id;
  if not found or not c.is_active
    or (p_area = 'home' and not c.for_home) or (p_area = 'public' and not c.for_public) then
    raise exception using errcode = 'P0001', message = 'repairs.category_unavailable';
  end if;
  response_due_at := p_from + make_interval(mins => c.response_minutes);
  resolve_due_at := p_from + make_interval(hours => c.resolve_hours);
  return next;
end
$$;
comment on function private.repair_category_deadlines(uuid, uuid, uuid, public.repair_area, timestamptz) is
  'SLA deadlines for a ticket of this category submitted at p_from; raises repairs.category_unavailable for an inactive category or one not offered for the area.';

-- -------------------------------------------------------------------------------------
-- Tenant keys of a new ticket
-- -------------------------------------------------------------------------------------
create or replace function private.repair_tickets_fill_keys()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.area = 'home' then
    if new.unit_id is null then
      raise exception using errcode = '23502', message = 'repairs.unit_required';
    end if;
    -- The unit decides the tenant, the community and the building.
    select u.company_id, u.community_id, u.building_id
      into new.company_id, new.community_id, new.building_id
    from public.units u
    where u.id = new.unit_id and u.deleted_at is null;
    if not found then
      raise exception using errcode = 'P0002', message = 'repairs.unit_not_found';
    end if;
  else
    select c.company_id into new.company_id from public.communities c where c.id = new.community_id;
    if not found then
      raise exception using errcode = 'P0002', message = 'repairs.community_not_found';
    end if;
  end if;
  new.number := 'BX' || to_char(now() at time zone 'Asia/Shanghai', 'YYMMDD') || '-'
    || lpad(nextval('private.repair_ticket_number_seq')::text, 6, '0');
  new.contact_phone := private.normalize_phone(new.contact_phone);
  -- The contact defaults to the reporting resident (staff may not read residents' profiles).
  if new.contact_name is null and new.reporter_id is not null then
    select nullif(p.full_name, '') into new.contact_name from public.profiles p where p.id = new.reporter_id;
  end if;
  if new.contact_phone is null and new.reporter_id is not null then
    select p.phone into new.contact_phone from public.profiles p where p.id = new.reporter_id;
  end if;
  return new;
end
$$;
comment on function private.repair_tickets_fill_keys() is
  'BEFORE INSERT on repair_tickets: company, community and building from the unit (home) or the community (public area); ticket number; phone normalised.';

-- -------------------------------------------------------------------------------------
-- The guard: status machine + field rules, for every caller
-- -------------------------------------------------------------------------------------
-- SECURITY INVOKER on purpose: current_user tells a statement run by an API user
-- (authenticated) from one run inside an internal security-definer function or by the
-- service role, which act as "system". The helpers it calls are security definer.
create or replace function private.repair_tickets_guard()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_system boolean := current_user not in ('authenticated', 'anon');
  v_inserting boolean := tg_op = 'INSERT';
  v_actors public.repair_actor[];
  v_needs_reason boolean := false;
  v_changed text[];
  v_column text;
  v_deadlines record;
begin
  if v_system then
    v_actors := '{system}';
  else
    v_actors := private.repair_actors(
      new.company_id, new.community_id, new.area, new.unit_id,
      case when v_inserting then null else old.reporter_id end,
      case when v_inserting then null else old.assignee_id end,
      v_inserting
    );
  end if;

  if v_inserting then
    if not v_system then
      -- Clients cannot choose these (column grants), but be explicit about the start state.
      new.status := 'pending';
      new.reporter_id := (select auth.uid());
      new.source := case when 'reporter' = any (v_actors) then 'resident' else 'staff' end::public.repair_source;
    end if;
    perform private.repair_transition_check(null, new.status, v_actors);
    select d.response_due_at, d.resolve_due_at into v_deadlines
    from private.repair_category_deadlines(new.company_id, new.community_id, new.category_id, new.area, now()) d;
    new.response_due_at := v_deadlines.response_due_at;
    new.resolve_due_at := v_deadlines.resolve_due_at;
    if new.status <> 'pending' then
      raise exception using errcode = 'P0001', message = 'repairs.transition_not_allowed';
    end if;
    return new;
  end if;

  -- Columns the statement changed (before this trigger's own side effects).
  select coalesce(array_agg(n.key), '{}') into v_changed
  from jsonb_each(to_jsonb(new)) n
  join jsonb_each(to_jsonb(old)) o using (key)
  where n.value is distinct from o.value
    and n.key not in ('updated_at', 'status', 'status_reason');

  if not v_system then
    foreach v_column in array v_changed loop
      if not private.repair_field_allowed(v_column, v_actors, old.status) then
        raise exception using errcode = '42501', message = 'repairs.field_not_editable',
          detail = format('%s cannot be changed by %s while %s', v_column, v_actors, old.status);
      end if;
    end loop;
    -- A reason only travels with a status change.
    if new.status = old.status and new.status_reason is distinct from old.status_reason then
      raise exception using errcode = '42501', message = 'repairs.field_not_editable',
        detail = 'status_reason changes only with the status';
    end if;
  end if;

  if 'category_id' = any (v_changed) then
    perform private.repair_category_deadlines(new.company_id, new.community_id, new.category_id, new.area, now());
  end if;

  if 'assignee_id' = any (v_changed) and new.assignee_id is not null
    and not private.repair_member_can_work(new.company_id, new.assignee_id, new.community_id) then
    raise exception using errcode = 'P0001', message = 'repairs.assignee_cannot_work';
  end if;

  if 'arrived_at' = any (v_changed) then
    if old.arrived_at is not null or new.arrived_at is null then
      raise exception using errcode = 'P0001', message = 'repairs.already_arrived';
    end if;
    new.arrived_at := now();
  end if;

  if 'merged_into_id' = any (v_changed) then
    if new.merged_into_id is null or new.status <> 'cancelled' then
      raise exception using errcode = 'P0001', message = 'repairs.merge_invalid';
    end if;
    if exists (
      select 1 from public.repair_tickets t
      where t.id = new.merged_into_id and (t.merged_into_id is not null or t.status in ('cancelled', 'returned'))
    ) then
      raise exception using errcode = 'P0001', message = 'repairs.merge_target_closed';
    end if;
  end if;

  if new.status is distinct from old.status then
    v_needs_reason := private.repair_transition_check(old.status, new.status, v_actors);
    if new.status_reason is not distinct from old.status_reason then
      new.status_reason := null;  -- a stale reason does not describe this step
    end if;
    new.status_reason := nullif(btrim(new.status_reason), '');
    if v_needs_reason and new.status_reason is null and new.merged_into_id is null then
      raise exception using errcode = '22023', message = 'repairs.reason_required';
    end if;

    -- Reopening is possible for 7 days after completion.
    if new.status = 'pending' and old.status in ('completed', 'rated') then
      if old.completed_at < now() - interval '7 days' then
        raise exception using errcode = 'P0001', message = 'repairs.reopen_window_closed';
      end if;
      select d.response_due_at, d.resolve_due_at into v_deadlines
      from private.repair_category_deadlines(new.company_id, new.community_id, new.category_id, new.area, now()) d;
      new.response_due_at := v_deadlines.response_due_at;
      new.resolve_due_at := v_deadlines.resolve_due_at;
      new.reopen_count := old.reopen_count + 1;
      new.assignee_id := null;
      new.first_response_at := null;
      new.accepted_at := null;
      new.dispatched_at := null;
      new.arrived_at := null;
      new.started_at := null;
      new.paused_at := null;
      new.completed_at := null;
      new.rated_at := null;
      new.appointment_at := null;
    end if;

    case new.status
      when 'accepted' then
        new.accepted_at := coalesce(new.accepted_at, now());
        new.first_response_at := coalesce(new.first_response_at, now());
        if old.status = 'dispatched' then
          -- declined by the technician or recalled by the dispatcher: back to the pool
          new.assignee_id := null;
          new.dispatched_at := null;
          new.arrived_at := null;
        end if;
      when 'dispatched' then
        if new.assignee_id is null then
          raise exception using errcode = 'P0001', message = 'repairs.assignee_required';
        end if;
        if not private.repair_member_can_work(new.company_id, new.assignee_id, new.community_id) then
          raise exception using errcode = 'P0001', message = 'repairs.assignee_cannot_work';
        end if;
        new.dispatched_at := now();
        new.accepted_at := coalesce(new.accepted_at, now());
        new.first_response_at := coalesce(new.first_response_at, now());
      when 'returned' then
        new.first_response_at := coalesce(new.first_response_at, now());
      when 'in_progress' then
        if old.status = 'dispatched' then
          new.started_at := now();
          new.arrived_at := coalesce(new.arrived_at, now());
        end if;
        new.paused_at := null;
      when 'paused' then
        new.paused_at := now();
      when 'completed' then
        new.completed_at := now();
        new.paused_at := null;
      when 'rated' then
        new.rated_at := now();
      when 'cancelled' then
        new.closed_at := now();
      else
        null;
    end case;
  end if;
  return new;
end
$$;
comment on function private.repair_tickets_guard() is
  'BEFORE INSERT OR UPDATE on repair_tickets: enforces private.repair_transitions (with reasons), private.repair_field_rules and the workflow side effects (timestamps, SLA deadlines, reopening). API callers act as reporter/creator/dispatcher/assignee; the service role and internal functions as system.';

-- -------------------------------------------------------------------------------------
-- Realtime: private topics, authorised by RLS on realtime.messages (see the access migration)
--   repair:ticket:<ticket id>        the ticket page of the household, staff and technician
--   repair:community:<community id>  the staff queue and the technicians' task list
-- Payloads carry ids and the new status only; clients reload through RLS.
-- -------------------------------------------------------------------------------------
create or replace function private.repair_broadcast(
  p_ticket_id uuid,
  p_community_id uuid,
  p_event text,
  p_payload jsonb
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.send(p_payload || jsonb_build_object('ticket_id', p_ticket_id), p_event,
    'repair:ticket:' || p_ticket_id, true);
  perform realtime.send(p_payload || jsonb_build_object('ticket_id', p_ticket_id), p_event,
    'repair:community:' || p_community_id, true);
end
$$;
comment on function private.repair_broadcast(uuid, uuid, text, jsonb) is
  'Sends a broadcast to the ticket''s and the community''s private topics (delivered after commit).';

-- -------------------------------------------------------------------------------------
-- Notifications: every ticket step goes to the notification center (private.notify,
-- docs/notifications.md) through the two functions below, and nowhere else.
-- -------------------------------------------------------------------------------------
create or replace function private.repair_send_notification(
  p_ticket public.repair_tickets,
  p_event_key text,
  p_recipients uuid[],
  p_title text,
  p_body text,
  p_link text
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_role text := coalesce(nullif(current_setting('role', true), 'none'), '');
  v_recipients uuid[];
begin
  -- The people concerned who are still staff or residents of the company (the notification
  -- center's own rule), minus whoever caused the step.
  v_recipients := array(
    select distinct r.user_id
    from unnest(p_recipients) as r (user_id)
    where r.user_id is not null
      and r.user_id is distinct from (select auth.uid())
      and (
        exists (select 1 from public.company_members m
                where m.user_id = r.user_id and m.company_id = p_ticket.company_id and m.status = 'active')
        or exists (select 1 from public.occupancies o
                   where o.user_id = r.user_id and o.company_id = p_ticket.company_id and o.deleted_at is null
                     and (o.move_out_date is null or o.move_out_date >= current_date))
      )
  );
  if cardinality(v_recipients) = 0 then
    return;
  end if;
  -- A signed-in caller may notify only inside a company they belong to. A reporter who has
  -- since moved out can still cancel or rate their old report; that step is not announced.
  if v_role in ('anon', 'authenticated')
    and not (p_ticket.company_id = any (private.member_company_ids())
             or p_ticket.company_id = any (private.resident_company_ids())) then
    return;
  end if;
  perform private.notify(
    p_event_key => p_event_key,
    p_recipients => v_recipients,
    p_category => 'repairs',
    p_title => p_title,
    p_body => left(p_body, 2000),
    p_link => p_link,
    p_priority => 'normal',
    p_company_id => p_ticket.company_id,
    p_community_id => p_ticket.community_id,
    p_data => jsonb_build_object('repair_id', p_ticket.id, 'number', p_ticket.number, 'status', p_ticket.status)
  );
end
$$;
comment on function private.repair_send_notification(public.repair_tickets, text, uuid[], text, text, text) is
  'Hands one repairs notification to private.notify for those recipients who are staff or residents of the ticket''s company, never to the person who caused it.';

create or replace function private.repair_notify(p_event public.repair_ticket_events)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  t public.repair_tickets;
  v_key text := 'repair:' || p_event.ticket_id || ':' || p_event.id;
  v_what text;
  v_tech_user uuid;
  v_tech_name text;
  v_title text;
  v_body text;
  v_household uuid[];
begin
  select * into t from public.repair_tickets where id = p_event.ticket_id;
  select c.name || ' · ' || coalesce(
      (select b.name || ' ' || u.number from public.units u join public.buildings b on b.id = u.building_id where u.id = t.unit_id),
      t.location_note, '')
    into v_what
  from public.repair_categories c where c.id = t.category_id;
  v_what := t.number || ' ' || coalesce(v_what, '');
  select m.user_id, coalesce(nullif(p.full_name, ''), m.job_title, '') into v_tech_user, v_tech_name
  from public.company_members m join public.profiles p on p.id = m.user_id
  where m.id = t.assignee_id;

  -- The office: new work to accept or dispatch.
  if p_event.event in ('created', 'resubmitted', 'reopened') then
    perform private.repair_send_notification(
      t, v_key || ':office',
      array(
        select m.user_id
        from public.company_members m
        join public.staff_role_assignments a on a.company_id = m.company_id and a.member_id = m.id
        join public.company_role_permissions rp on rp.role_id = a.role_id and rp.permission = 'repair.dispatch'
        where m.company_id = t.company_id and m.status = 'active'
          and (a.community_id is null or a.community_id = t.community_id)
      ),
      case p_event.event when 'created' then '新报修待受理' when 'resubmitted' then '报修已重新提交' else '报修被重新打开' end,
      v_what || coalesce('：' || p_event.reason, ''),
      '/office/repairs/' || t.id
    );
  end if;

  -- The household (principals and family members who may read repairs), the reporter, and
  -- residents following a public-area ticket: visible progress.
  if p_event.visible_to_resident and p_event.event not in ('created', 'resubmitted', 'edited') then
    v_title := case p_event.event
      when 'accepted' then '报修已受理'
      when 'dispatched' then '报修已派单'
      when 'reassigned' then '维修师傅已变更'
      when 'appointment_set' then '上门时间已确定'
      when 'arrived' then '维修师傅已到达'
      when 'started' then '开始维修'
      when 'paused' then '维修暂停'
      when 'resumed' then '维修继续'
      when 'completed' then '维修已完成，请评价'
      when 'rated' then '感谢您的评价'
      when 'cancelled' then '报修已取消'
      when 'merged' then '报修已合并'
      when 'returned' then '报修被退回'
      when 'reopened' then '报修已重新打开'
    end;
    v_body := v_what || case
      when p_event.event in ('dispatched', 'reassigned') and v_tech_name is not null then '：维修师傅 ' || v_tech_name || ' 将为您服务'
      when p_event.event = 'appointment_set' then '：' || to_char(t.appointment_at at time zone 'Asia/Shanghai', 'MM-DD HH24:MI')
      when p_event.event = 'merged' then '：已合并到 ' || coalesce(p_event.data ->> 'merged_into_number', '')
      when p_event.reason is not null then '：' || p_event.reason
      else ''
    end;
    v_household := array(
      select t.reporter_id
      union all
      select o.user_id from public.occupancies o
      where t.area = 'home' and o.company_id = t.company_id and o.unit_id = t.unit_id
        and o.user_id is not null and o.deleted_at is null
        and (o.move_out_date is null or o.move_out_date >= current_date)
        and (o.relation in ('owner', 'tenant') or 'repairs.read' = any (o.household_grants))
      union all
      select f.user_id from public.repair_followers f where f.ticket_id = t.id
    );
    if v_title is not null then
      perform private.repair_send_notification(t, v_key || ':household', v_household, v_title, v_body, '/repairs/' || t.id);
    end if;
  end if;

  -- The technician: their assignments, and changes to them.
  if v_tech_user is not null and p_event.event in ('dispatched', 'reassigned', 'appointment_set', 'cancelled', 'merged') then
    perform private.repair_send_notification(
      t, v_key || ':technician', array[v_tech_user],
      case when p_event.event in ('dispatched', 'reassigned') then '新的维修任务'
           when p_event.event = 'appointment_set' then '上门时间已确定'
           else '维修任务已取消' end,
      v_what || case when p_event.event = 'appointment_set'
        then '：' || to_char(t.appointment_at at time zone 'Asia/Shanghai', 'MM-DD HH24:MI') else '' end,
      '/office/tasks/' || t.id
    );
  end if;
end
$$;
comment on function private.repair_notify(public.repair_ticket_events) is
  'Notifies the people concerned by one ticket step: dispatchers of new work, the household/reporter/followers of visible progress, the technician of their assignments.';

-- -------------------------------------------------------------------------------------
-- Events: timeline, broadcast, notifications
-- -------------------------------------------------------------------------------------
create or replace function private.repair_record_event(
  p_ticket public.repair_tickets,
  p_event public.repair_event_type,
  p_from public.repair_status,
  p_reason text,
  p_data jsonb,
  p_visible boolean
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_event public.repair_ticket_events;
begin
  insert into public.repair_ticket_events (
    company_id, community_id, ticket_id, event, from_status, to_status, actor_id, actor_name, reason, data,
    visible_to_resident
  ) values (
    p_ticket.company_id, p_ticket.community_id, p_ticket.id, p_event, p_from, p_ticket.status,
    (select auth.uid()), (select nullif(p.full_name, '') from public.profiles p where p.id = (select auth.uid())),
    p_reason, coalesce(p_data, '{}'), p_visible
  )
  returning * into v_event;
  perform private.repair_notify(v_event);
end
$$;
comment on function private.repair_record_event(public.repair_tickets, public.repair_event_type, public.repair_status, text, jsonb, boolean) is
  'Appends one step to the ticket timeline and notifies the people concerned.';

create or replace function private.repair_tickets_after_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_event public.repair_event_type;
  v_from public.repair_status := case when tg_op = 'UPDATE' then old.status end;
  v_assignee jsonb := '{}';
  v_any boolean := false;
begin
  if new.assignee_id is not null then
    select jsonb_build_object('assignee_id', m.id, 'assignee_name', coalesce(nullif(p.full_name, ''), m.job_title, ''))
      into v_assignee
    from public.company_members m
    join public.profiles p on p.id = m.user_id
    where m.id = new.assignee_id;
  end if;

  if tg_op = 'INSERT' then
    perform private.repair_record_event(new, 'created', null, null, jsonb_build_object('source', new.source), true);
    v_any := true;
  else
    if new.status is distinct from old.status then
      v_event := case
        when new.status = 'accepted' and old.status = 'dispatched' then
          case when 'assignee' = any (private.repair_actors(old.company_id, old.community_id, old.area, old.unit_id,
                                                            old.reporter_id, old.assignee_id, false))
               then 'declined' else 'recalled' end
        when new.status = 'accepted' then 'accepted'
        when new.status = 'dispatched' then 'dispatched'
        when new.status = 'in_progress' and old.status = 'paused' then 'resumed'
        when new.status = 'in_progress' then 'started'
        when new.status = 'paused' then 'paused'
        when new.status = 'completed' then 'completed'
        when new.status = 'rated' then 'rated'
        when new.status = 'cancelled' and new.merged_into_id is not null then 'merged'
        when new.status = 'cancelled' then 'cancelled'
        when new.status = 'returned' then 'returned'
        when new.status = 'pending' and old.status = 'returned' then 'resubmitted'
        when new.status = 'pending' then 'reopened'
      end::public.repair_event_type;
      perform private.repair_record_event(
        new, v_event, old.status, new.status_reason,
        case
          when v_event = 'dispatched' then v_assignee
          when v_event = 'merged' then jsonb_build_object(
            'merged_into_id', new.merged_into_id,
            'merged_into_number', (select t.number from public.repair_tickets t where t.id = new.merged_into_id))
          when v_event = 'completed' then jsonb_build_object('materials', new.materials, 'note', new.completion_note)
          else '{}'::jsonb
        end,
        v_event not in ('declined', 'recalled')
      );
      v_any := true;
    end if;
    if new.assignee_id is distinct from old.assignee_id and new.assignee_id is not null
      and new.status = old.status then
      perform private.repair_record_event(new, 'reassigned', old.status, null, v_assignee, true);
      v_any := true;
    end if;
    if new.appointment_at is distinct from old.appointment_at and new.appointment_at is not null then
      perform private.repair_record_event(new, 'appointment_set', old.status, null,
        jsonb_build_object('appointment_at', new.appointment_at), true);
      v_any := true;
    end if;
    if new.arrived_at is not null and old.arrived_at is null and new.status = old.status then
      perform private.repair_record_event(new, 'arrived', old.status, null, '{}', true);
      v_any := true;
    end if;
    if not v_any and (
      new.description is distinct from old.description or new.category_id is distinct from old.category_id
      or new.location_note is distinct from old.location_note or new.priority is distinct from old.priority
      or new.contact_phone is distinct from old.contact_phone or new.preferred_date is distinct from old.preferred_date
      or new.preferred_slot is distinct from old.preferred_slot
    ) then
      perform private.repair_record_event(new, 'edited', old.status, null, '{}', false);
      v_any := true;
    end if;
    -- Location sharing ends on arrival, when work starts or stops, and on reassignment.
    if new.arrived_at is not null or new.status <> 'dispatched' or new.assignee_id is distinct from old.assignee_id then
      delete from public.repair_technician_locations where ticket_id = new.id;
    end if;
  end if;

  if v_any then
    perform private.repair_broadcast(new.id, new.community_id, 'ticket_changed',
      jsonb_build_object('status', new.status, 'event', coalesce(v_event::text, 'changed'), 'number', new.number));
  end if;
  return null;
end
$$;
comment on function private.repair_tickets_after_change() is
  'AFTER INSERT OR UPDATE on repair_tickets: timeline rows, notifications, broadcast to the private topics, and the end of location sharing.';

-- -------------------------------------------------------------------------------------
-- Auto-assignment
-- -------------------------------------------------------------------------------------
create or replace function private.repair_pick_technician(p_ticket public.repair_tickets)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  r public.repair_assign_rules;
  v_member uuid;
begin
  select * into r
  from public.repair_assign_rules x
  where x.company_id = p_ticket.company_id and x.community_id = p_ticket.community_id and x.is_active
    and (x.category_id is null or x.category_id = p_ticket.category_id)
    and (x.building_id is null or x.building_id = p_ticket.building_id)
  order by (x.category_id is not null) desc, (x.building_id is not null) desc
  limit 1;
  if not found then
    return null;
  end if;
  if r.strategy = 'technician' then
    return case when private.repair_member_can_work(p_ticket.company_id, r.technician_id, p_ticket.community_id)
      then r.technician_id end;
  end if;
  -- least_loaded: the technician of the community with the fewest open tickets, then the one
  -- dispatched to longest ago (round robin among equals).
  select m.id into v_member
  from public.company_members m
  where m.company_id = p_ticket.company_id
    and private.repair_member_can_work(p_ticket.company_id, m.id, p_ticket.community_id)
  order by
    (select count(*) from public.repair_tickets t
     where t.company_id = m.company_id and t.assignee_id = m.id and t.status in ('dispatched', 'in_progress', 'paused')),
    (select max(t.dispatched_at) from public.repair_tickets t
     where t.company_id = m.company_id and t.assignee_id = m.id) nulls first,
    m.id
  limit 1;
  return v_member;
end
$$;
comment on function private.repair_pick_technician(public.repair_tickets) is
  'The technician the most specific active assignment rule picks for a ticket, or null.';

create or replace function private.repair_tickets_auto_assign()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_member uuid := private.repair_pick_technician(new);
begin
  if v_member is not null then
    -- Runs as the function owner: the guard treats it as the system actor.
    update public.repair_tickets set status = 'dispatched', assignee_id = v_member where id = new.id;
  end if;
  return null;
end
$$;
comment on function private.repair_tickets_auto_assign() is 'AFTER INSERT on repair_tickets: dispatches the ticket when an assignment rule matches.';

-- -------------------------------------------------------------------------------------
-- Triggers on tickets (BEFORE triggers run in name order)
-- -------------------------------------------------------------------------------------
create trigger repair_tickets_10_fill_keys
  before insert on public.repair_tickets
  for each row execute function private.repair_tickets_fill_keys();
create trigger repair_tickets_20_guard_immutable
  before update on public.repair_tickets
  for each row execute function private.guard_immutable_columns(
    'id', 'company_id', 'community_id', 'number', 'area', 'unit_id', 'reporter_id', 'source', 'created_at');
create trigger repair_tickets_30_normalize_phone
  before update of contact_phone on public.repair_tickets
  for each row execute function private.normalize_phone_columns('contact_phone');
create trigger repair_tickets_40_guard
  before insert or update on public.repair_tickets
  for each row execute function private.repair_tickets_guard();
create trigger repair_tickets_50_touch_updated_at
  before update on public.repair_tickets
  for each row execute function private.touch_updated_at();
create trigger repair_tickets_60_audit
  after insert or update or delete on public.repair_tickets
  for each row execute function audit.capture_change('company_id');
create trigger repair_tickets_70_after_change
  after insert or update on public.repair_tickets
  for each row execute function private.repair_tickets_after_change();
create trigger repair_tickets_80_auto_assign
  after insert on public.repair_tickets
  for each row execute function private.repair_tickets_auto_assign();

-- -------------------------------------------------------------------------------------
-- Visibility helpers (used by policies, topics and the triggers below)
-- -------------------------------------------------------------------------------------
create or replace function private.my_repair_ticket_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(t.id), '{}')
  from public.repair_tickets t
  where t.unit_id = any (private.household_unit_ids('repairs.read'))
     or t.reporter_id = (select auth.uid())
$$;
comment on function private.my_repair_ticket_ids() is
  'Tickets the caller sees as a resident: their household''s (repairs.read) and their own reports.';

create or replace function private.can_read_repair_ticket(p_ticket_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.repair_tickets t
    where t.id = p_ticket_id
      and (
        t.community_id = any (private.communities_with_permission('repair.read'))
        or t.unit_id = any (private.household_unit_ids('repairs.read'))
        or t.reporter_id = (select auth.uid())
      )
  )
$$;
comment on function private.can_read_repair_ticket(uuid) is 'Whether the caller may see the ticket (same rule as the repair_tickets select policy).';

create or replace function private.can_read_repair_topic(p_topic text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_id uuid;
begin
  if p_topic ~ '^repair:ticket:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    v_id := substr(p_topic, 15)::uuid;
    return private.can_read_repair_ticket(v_id);
  elsif p_topic ~ '^repair:community:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    v_id := substr(p_topic, 18)::uuid;
    return v_id = any (private.communities_with_permission('repair.read'));
  end if;
  return false;
end
$$;
comment on function private.can_read_repair_topic(text) is
  'Realtime authorisation for repair topics: repair:ticket:<id> for whoever may see the ticket, repair:community:<id> for staff with repair.read there.';

-- -------------------------------------------------------------------------------------
-- People on a ticket. Residents cannot read staff rows and front-desk staff may lack
-- staff.read, so these return exactly what the repair screens show, to those who may see it.
-- -------------------------------------------------------------------------------------
create or replace function private.repair_technicians(p_community_id uuid)
returns table (
  member_id uuid,
  user_id uuid,
  name text,
  phone text,
  avatar_path text,
  job_title text,
  open_count integer,
  last_dispatched_at timestamptz,
  also_dispatches boolean
)
language sql
stable
security definer
set search_path = ''
as $$
  select m.id, m.user_id, coalesce(nullif(p.full_name, ''), m.job_title, ''), p.phone, p.avatar_path, m.job_title,
    (select count(*)::integer from public.repair_tickets t
     where t.company_id = m.company_id and t.assignee_id = m.id and t.status in ('dispatched', 'in_progress', 'paused')),
    (select max(t.dispatched_at) from public.repair_tickets t where t.company_id = m.company_id and t.assignee_id = m.id),
    exists (
      select 1 from public.staff_role_assignments a
      join public.company_role_permissions rp on rp.role_id = a.role_id and rp.permission = 'repair.dispatch'
      where a.company_id = m.company_id and a.member_id = m.id and (a.community_id is null or a.community_id = c.id)
    )
  from public.communities c
  join public.company_members m on m.company_id = c.company_id and m.status = 'active'
  join public.profiles p on p.id = m.user_id
  where c.id = p_community_id
    and p_community_id = any (private.communities_with_permission('repair.read'))
    and private.repair_member_can_work(c.company_id, m.id, c.id)
  order by 9, 7, 3
$$;
comment on function private.repair_technicians(uuid) is
  'Staff who may be assigned tickets (repair.work) in a community, with their open-ticket load, for staff with repair.read there. Dedicated technicians first (also_dispatches = false), then supervisors who also dispatch.';

create or replace function private.repair_assignee(p_ticket_id uuid)
returns table (member_id uuid, name text, phone text, avatar_path text, job_title text)
language sql
stable
security definer
set search_path = ''
as $$
  select m.id, coalesce(nullif(p.full_name, ''), m.job_title, ''), p.phone, p.avatar_path, m.job_title
  from public.repair_tickets t
  join public.company_members m on m.company_id = t.company_id and m.id = t.assignee_id
  join public.profiles p on p.id = m.user_id
  where t.id = p_ticket_id and private.can_read_repair_ticket(p_ticket_id)
$$;
comment on function private.repair_assignee(uuid) is
  'The assigned technician''s name, phone and photo, for whoever may see the ticket (the household taps to call).';

-- -------------------------------------------------------------------------------------
-- Messages
-- -------------------------------------------------------------------------------------
create or replace function private.repair_messages_before_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  t public.repair_tickets;
begin
  select * into t from public.repair_tickets where id = new.ticket_id;
  if not found then
    raise exception using errcode = 'P0002', message = 'repairs.ticket_not_found';
  end if;
  new.company_id := t.company_id;
  new.community_id := t.community_id;
  if private.repair_api_caller() then
    new.author_id := (select auth.uid());
    new.from_staff := private.has_permission(t.company_id, 'repair.read', t.community_id);
  end if;
  select coalesce(nullif(p.full_name, ''), '') into new.author_name from public.profiles p where p.id = new.author_id;
  new.author_name := coalesce(new.author_name, '');
  if new.visibility = 'internal' and not new.from_staff and private.repair_api_caller() then
    raise exception using errcode = '42501', message = 'repairs.forbidden';
  end if;
  if t.status = 'cancelled' and new.visibility = 'public' then
    raise exception using errcode = 'P0001', message = 'repairs.ticket_closed';
  end if;
  return new;
end
$$;
comment on function private.repair_messages_before_insert() is
  'BEFORE INSERT on repair_messages: tenant keys from the ticket, author and staff flag from the caller; no public messages on cancelled tickets.';

create or replace function private.repair_messages_after_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  t public.repair_tickets;
  v_recipients uuid[];
begin
  perform private.repair_broadcast(new.ticket_id, new.community_id, 'message_added',
    jsonb_build_object('message_id', new.id, 'internal', new.visibility = 'internal'));
  if new.visibility = 'public' then
    select * into t from public.repair_tickets where id = new.ticket_id;
    -- Residents hear from staff; the technician and the office hear from residents.
    if new.from_staff then
      select coalesce(array_agg(distinct o.user_id), '{}') into v_recipients
      from public.occupancies o
      where t.area = 'home' and o.unit_id = t.unit_id and o.user_id is not null and o.deleted_at is null
        and (o.move_out_date is null or o.move_out_date >= current_date)
        and (o.relation in ('owner', 'tenant') or 'repairs.read' = any (o.household_grants));
      v_recipients := v_recipients || t.reporter_id;
    else
      select coalesce(array_agg(m.user_id), '{}') into v_recipients
      from public.company_members m where m.id = t.assignee_id;
    end if;
    perform private.repair_send_notification(
      t, 'repair:' || t.id || ':message:' || new.id, v_recipients, '报修有新消息',
      t.number || '：' || left(new.body, 60),
      case when new.from_staff then '/repairs/' || t.id else '/office/repairs/' || t.id end
    );
  end if;
  return null;
end
$$;
comment on function private.repair_messages_after_insert() is
  'AFTER INSERT on repair_messages: broadcast to the ticket topics and notify the other side of the conversation.';

create trigger repair_messages_10_before_insert
  before insert on public.repair_messages
  for each row execute function private.repair_messages_before_insert();
create trigger repair_messages_20_guard_immutable
  before update on public.repair_messages
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'community_id', 'ticket_id', 'author_id');
create trigger repair_messages_audit
  after insert or update or delete on public.repair_messages
  for each row execute function audit.capture_change('company_id');
create trigger repair_messages_after_insert
  after insert on public.repair_messages
  for each row execute function private.repair_messages_after_insert();

-- -------------------------------------------------------------------------------------
-- Media
-- -------------------------------------------------------------------------------------
create or replace function private.repair_media_before_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  t public.repair_tickets;
  o record;
  v_images integer;
  v_videos integer;
begin
  select * into t from public.repair_tickets where id = new.ticket_id;
  if not found then
    raise exception using errcode = 'P0002', message = 'repairs.ticket_not_found';
  end if;
  new.company_id := t.company_id;
  new.community_id := t.community_id;
  if private.repair_api_caller() then
    new.uploaded_by := (select auth.uid());
  end if;
  -- The object must exist in the bucket and belong to the uploader; its type and size are
  -- what Storage recorded (checked against the bytes on upload), not what the client says.
  select ob.metadata ->> 'mimetype' as mime, coalesce((ob.metadata ->> 'size')::bigint, (ob.metadata ->> 'contentLength')::bigint) as size
    into o
  from storage.objects ob
  where ob.bucket_id = 'repair-media' and ob.name = new.object_path and ob.owner_id = new.uploaded_by::text;
  if not found or o.mime is null then
    raise exception using errcode = 'P0001', message = 'repairs.media_missing';
  end if;
  new.mime_type := o.mime;
  new.size_bytes := coalesce(o.size, 0);
  new.media_type := case
    when o.mime like 'image/%' then 'image'
    when o.mime like 'video/%' then 'video'
  end::public.repair_media_type;
  if new.media_type is null then
    raise exception using errcode = 'P0001', message = 'repairs.media_type_invalid';
  end if;
  if (new.media_type = 'image' and new.size_bytes > 10 * 1024 * 1024)
    or (new.media_type = 'video' and new.size_bytes > 100 * 1024 * 1024) then
    raise exception using errcode = 'P0001', message = 'repairs.media_too_large';
  end if;
  if new.message_id is not null then
    select m.visibility = 'internal' into new.internal
    from public.repair_messages m where m.id = new.message_id and m.ticket_id = new.ticket_id;
    if not found then
      raise exception using errcode = 'P0002', message = 'repairs.message_not_found';
    end if;
  end if;
  -- At most 9 photos and 3 videos per report, completion, message or rating.
  select count(*) filter (where m.media_type = 'image'), count(*) filter (where m.media_type = 'video')
    into v_images, v_videos
  from public.repair_media m
  where m.ticket_id = new.ticket_id and m.kind = new.kind
    and m.message_id is not distinct from new.message_id
    and (new.kind <> 'rating' or m.created_at >= coalesce(t.completed_at, t.created_at));
  if (new.media_type = 'image' and v_images >= 9) or (new.media_type = 'video' and v_videos >= 3) then
    raise exception using errcode = 'P0001', message = 'repairs.media_limit';
  end if;
  return new;
end
$$;
comment on function private.repair_media_before_insert() is
  'BEFORE INSERT on repair_media: tenant keys from the ticket; type and size from the stored object (owned by the uploader); at most 9 photos and 3 videos per report, completion, message or rating.';

create trigger repair_media_10_before_insert
  before insert on public.repair_media
  for each row execute function private.repair_media_before_insert();
create trigger repair_media_20_guard_immutable
  before update on public.repair_media
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'community_id', 'ticket_id', 'object_path');
create trigger repair_media_audit
  after insert or update or delete on public.repair_media
  for each row execute function audit.capture_change('company_id');

-- Whether the caller may attach media of this kind to the ticket (insert policy of repair_media).
create or replace function private.can_attach_repair_media(
  p_ticket_id uuid,
  p_kind public.repair_media_kind,
  p_message_id uuid
)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  t public.repair_tickets;
  v_actors public.repair_actor[];
begin
  select * into t from public.repair_tickets where id = p_ticket_id;
  if not found then
    return false;
  end if;
  v_actors := private.repair_actors(t.company_id, t.community_id, t.area, t.unit_id, t.reporter_id, t.assignee_id, false);
  return case p_kind
    when 'report' then
      (t.reporter_id = (select auth.uid()) or 'reporter' = any (v_actors) or 'dispatcher' = any (v_actors))
      and t.status in ('pending', 'returned')
    when 'completion' then
      ('assignee' = any (v_actors) or 'dispatcher' = any (v_actors)) and t.status in ('in_progress', 'paused', 'completed')
    when 'rating' then
      exists (select 1 from public.repair_ratings r
              where r.ticket_id = t.id and r.round = t.reopen_count and r.rated_by = (select auth.uid()))
    when 'message' then
      exists (select 1 from public.repair_messages m
              where m.id = p_message_id and m.ticket_id = t.id and m.author_id = (select auth.uid()))
  end;
end
$$;
comment on function private.can_attach_repair_media(uuid, public.repair_media_kind, uuid) is
  'Report media: the reporter/household or a dispatcher while pending or returned. Completion: the assignee or a dispatcher. Rating and message media: the author of that rating or message.';

-- -------------------------------------------------------------------------------------
-- Ratings
-- -------------------------------------------------------------------------------------
create or replace function private.repair_ratings_before_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  t public.repair_tickets;
begin
  select * into t from public.repair_tickets where id = new.ticket_id for update;
  if not found then
    raise exception using errcode = 'P0002', message = 'repairs.ticket_not_found';
  end if;
  if t.status <> 'completed' then
    raise exception using errcode = 'P0001', message = 'repairs.not_completed';
  end if;
  new.company_id := t.company_id;
  new.community_id := t.community_id;
  new.round := t.reopen_count;
  new.technician_id := t.assignee_id;
  if private.repair_api_caller() then
    new.rated_by := (select auth.uid());
  end if;
  return new;
end
$$;
comment on function private.repair_ratings_before_insert() is
  'BEFORE INSERT on repair_ratings: only for completed tickets; keys, round and technician from the ticket.';

create or replace function private.repair_ratings_after_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Runs as the function owner: the guard treats it as the system actor (completed → rated).
  update public.repair_tickets set status = 'rated' where id = new.ticket_id;
  return null;
end
$$;
comment on function private.repair_ratings_after_insert() is 'AFTER INSERT on repair_ratings: the ticket becomes rated (已评价).';

create trigger repair_ratings_10_before_insert
  before insert on public.repair_ratings
  for each row execute function private.repair_ratings_before_insert();
create trigger repair_ratings_20_guard_immutable
  before update on public.repair_ratings
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'community_id', 'ticket_id', 'round', 'rated_by');
create trigger repair_ratings_audit
  after insert or update or delete on public.repair_ratings
  for each row execute function audit.capture_change('company_id');
create trigger repair_ratings_after_insert
  after insert on public.repair_ratings
  for each row execute function private.repair_ratings_after_insert();

create or replace function private.can_rate_repair(p_ticket_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.repair_tickets t
    where t.id = p_ticket_id and t.status = 'completed'
      and 'reporter' = any (private.repair_actors(t.company_id, t.community_id, t.area, t.unit_id, t.reporter_id, t.assignee_id, false))
  )
$$;
comment on function private.can_rate_repair(uuid) is 'The reporting household (the reporter actor of private.repair_actors) may rate a completed ticket.';

-- -------------------------------------------------------------------------------------
-- Followers
-- -------------------------------------------------------------------------------------
create or replace function private.repair_followers_before_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  t public.repair_tickets;
begin
  select * into t from public.repair_tickets where id = new.ticket_id;
  if not found then
    raise exception using errcode = 'P0002', message = 'repairs.ticket_not_found';
  end if;
  new.company_id := t.company_id;
  new.community_id := t.community_id;
  if private.repair_api_caller() then
    new.user_id := (select auth.uid());
  end if;
  return new;
end
$$;
comment on function private.repair_followers_before_insert() is 'BEFORE INSERT on repair_followers: keys from the ticket, follower = caller.';

create or replace function private.repair_followers_count()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.repair_tickets t
    set follower_count = (select count(*) from public.repair_followers f where f.ticket_id = t.id)
  where t.id = coalesce(new.ticket_id, old.ticket_id);
  return null;
end
$$;
comment on function private.repair_followers_count() is 'AFTER INSERT OR DELETE on repair_followers: keeps repair_tickets.follower_count.';

create trigger repair_followers_10_before_insert
  before insert on public.repair_followers
  for each row execute function private.repair_followers_before_insert();
create trigger repair_followers_20_guard_immutable
  before update on public.repair_followers
  for each row execute function private.guard_immutable_columns('ticket_id', 'user_id', 'company_id', 'community_id');
create trigger repair_followers_audit
  after insert or update or delete on public.repair_followers
  for each row execute function audit.capture_change('company_id');
create trigger repair_followers_count
  after insert or delete on public.repair_followers
  for each row execute function private.repair_followers_count();

create or replace function private.can_follow_repair(p_ticket_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.repair_tickets t
    where t.id = p_ticket_id and t.area = 'public'
      and t.status in ('pending', 'accepted', 'dispatched', 'in_progress', 'paused')
      and t.community_id = any (private.my_community_ids())
      and t.reporter_id is distinct from (select auth.uid())
  )
$$;
comment on function private.can_follow_repair(uuid) is 'Verified residents of the community may follow an open public-area ticket they did not report.';

-- "Already reported": open public-area tickets of a community, without personal details.
create or replace function private.repair_public_matches(p_community_id uuid, p_category_id uuid default null)
returns table (
  id uuid,
  number text,
  category_id uuid,
  location_note text,
  summary text,
  status public.repair_status,
  follower_count integer,
  created_at timestamptz,
  following boolean
)
language sql
stable
security definer
set search_path = ''
as $$
  select t.id, t.number, t.category_id, t.location_note, left(t.description, 60), t.status, t.follower_count,
    t.created_at,
    exists (select 1 from public.repair_followers f where f.ticket_id = t.id and f.user_id = (select auth.uid()))
  from public.repair_tickets t
  where t.community_id = p_community_id
    and (p_community_id = any (private.my_community_ids())
         or p_community_id = any (private.communities_with_permission('repair.read')))
    and t.area = 'public'
    and t.status in ('pending', 'accepted', 'dispatched', 'in_progress', 'paused')
    and (p_category_id is null or t.category_id = p_category_id)
    and t.created_at > now() - interval '30 days'
  order by t.created_at desc
  limit 10
$$;
comment on function private.repair_public_matches(uuid, uuid) is
  'For the report form: up to 10 open public-area tickets of the community from the last 30 days (number, place, first 60 characters), for residents and staff of that community. No reporter details.';

-- -------------------------------------------------------------------------------------
-- Technician location
-- -------------------------------------------------------------------------------------
create or replace function private.repair_locations_before_write()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  t public.repair_tickets;
begin
  select * into t from public.repair_tickets where id = new.ticket_id;
  if not found then
    raise exception using errcode = 'P0002', message = 'repairs.ticket_not_found';
  end if;
  if t.status <> 'dispatched' or t.arrived_at is not null then
    raise exception using errcode = 'P0001', message = 'repairs.location_not_needed';
  end if;
  new.company_id := t.company_id;
  new.community_id := t.community_id;
  new.technician_id := t.assignee_id;
  new.recorded_at := now();
  return new;
end
$$;
comment on function private.repair_locations_before_write() is
  'BEFORE INSERT OR UPDATE on repair_technician_locations: only while the ticket is dispatched and the technician has not arrived; keys and technician from the ticket.';

create or replace function private.repair_locations_after_write()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.send(
    jsonb_build_object('ticket_id', coalesce(new.ticket_id, old.ticket_id), 'sharing', tg_op <> 'DELETE'),
    'location_changed', 'repair:ticket:' || coalesce(new.ticket_id, old.ticket_id), true);
  return null;
end
$$;
comment on function private.repair_locations_after_write() is
  'AFTER INSERT/UPDATE/DELETE on repair_technician_locations: tells the ticket topic (no coordinates in the payload).';

create trigger repair_technician_locations_10_before_write
  before insert or update on public.repair_technician_locations
  for each row execute function private.repair_locations_before_write();
create trigger repair_technician_locations_after_write
  after insert or update or delete on public.repair_technician_locations
  for each row execute function private.repair_locations_after_write();

-- Whether the caller is the assigned technician of a ticket on the way (location policies).
create or replace function private.is_repair_assignee_on_the_way(p_ticket_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.repair_tickets t
    join public.company_members m on m.company_id = t.company_id and m.id = t.assignee_id
    where t.id = p_ticket_id and m.user_id = (select auth.uid()) and m.status = 'active'
      and t.status = 'dispatched' and t.arrived_at is null
  )
$$;
comment on function private.is_repair_assignee_on_the_way(uuid) is
  'True for the ticket''s assigned technician while the ticket is dispatched and they have not arrived.';

-- -------------------------------------------------------------------------------------
-- Default categories and settings for every community
-- -------------------------------------------------------------------------------------
create or replace function private.repair_seed_community(p_company_id uuid, p_community_id uuid)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.repair_categories (company_id, community_id, name, name_en, icon, for_home, for_public, response_minutes, resolve_hours, sort_order)
  values
    (p_company_id, p_community_id, '水电', 'Water & power', 'zap', true, true, 60, 24, 10),
    (p_company_id, p_community_id, '门窗', 'Doors & windows', 'door-open', true, true, 240, 72, 20),
    (p_company_id, p_community_id, '电梯', 'Elevator', 'arrow-up-down', false, true, 30, 12, 30),
    (p_company_id, p_community_id, '公共设施', 'Public facilities', 'trees', false, true, 240, 72, 40),
    (p_company_id, p_community_id, '燃气', 'Gas', 'flame', true, true, 15, 8, 50),
    (p_company_id, p_community_id, '网络', 'Network', 'wifi', true, true, 240, 48, 60),
    (p_company_id, p_community_id, '其他', 'Other', 'wrench', true, true, 240, 72, 70)
  on conflict (company_id, community_id, name) do nothing;
  insert into public.repair_community_settings (company_id, community_id)
  values (p_company_id, p_community_id)
  on conflict (community_id) do nothing;
$$;
comment on function private.repair_seed_community(uuid, uuid) is 'Gives a community the default repair categories and its settings row.';

create or replace function private.repair_on_community_created()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.repair_seed_community(new.company_id, new.id);
  return null;
end
$$;
comment on function private.repair_on_community_created() is 'AFTER INSERT on communities: default repair categories and settings.';

create trigger communities_repair_defaults
  after insert on public.communities
  for each row execute function private.repair_on_community_created();

select private.repair_seed_community(c.company_id, c.id) from public.communities c;

-- -------------------------------------------------------------------------------------
-- Function privileges: nothing for anon; helpers for authenticated where policies or the
-- app call them; trigger functions for nobody.
-- -------------------------------------------------------------------------------------
revoke all on function private.repair_api_caller() from public, anon;
revoke all on function private.repair_member_can_work(uuid, uuid, uuid) from public, anon;
revoke all on function private.repair_actors(uuid, uuid, public.repair_area, uuid, uuid, uuid, boolean) from public, anon;
revoke all on function private.repair_transition_check(public.repair_status, public.repair_status, public.repair_actor[]) from public, anon;
revoke all on function private.repair_field_allowed(text, public.repair_actor[], public.repair_status) from public, anon;
revoke all on function private.repair_category_deadlines(uuid, uuid, uuid, public.repair_area, timestamptz) from public, anon;
revoke all on function private.my_repair_ticket_ids() from public, anon;
revoke all on function private.can_read_repair_ticket(uuid) from public, anon;
revoke all on function private.can_read_repair_topic(text) from public, anon;
revoke all on function private.can_attach_repair_media(uuid, public.repair_media_kind, uuid) from public, anon;
revoke all on function private.can_rate_repair(uuid) from public, anon;
revoke all on function private.can_follow_repair(uuid) from public, anon;
revoke all on function private.repair_public_matches(uuid, uuid) from public, anon;
revoke all on function private.is_repair_assignee_on_the_way(uuid) from public, anon;
revoke all on function private.repair_technicians(uuid) from public, anon;
revoke all on function private.repair_assignee(uuid) from public, anon;
revoke all on function private.repair_tickets_fill_keys() from public, anon, authenticated;
revoke all on function private.repair_tickets_guard() from public, anon, authenticated;
revoke all on function private.repair_broadcast(uuid, uuid, text, jsonb) from public, anon, authenticated;
revoke all on function private.repair_notify(public.repair_ticket_events) from public, anon, authenticated;
revoke all on function private.repair_send_notification(public.repair_tickets, text, uuid[], text, text, text) from public, anon, authenticated;
revoke all on function private.repair_record_event(public.repair_tickets, public.repair_event_type, public.repair_status, text, jsonb, boolean) from public, anon, authenticated;
revoke all on function private.repair_tickets_after_change() from public, anon, authenticated;
revoke all on function private.repair_pick_technician(public.repair_tickets) from public, anon, authenticated;
revoke all on function private.repair_tickets_auto_assign() from public, anon, authenticated;
revoke all on function private.repair_messages_before_insert() from public, anon, authenticated;
revoke all on function private.repair_messages_after_insert() from public, anon, authenticated;
revoke all on function private.repair_media_before_insert() from public, anon, authenticated;
revoke all on function private.repair_ratings_before_insert() from public, anon, authenticated;
revoke all on function private.repair_ratings_after_insert() from public, anon, authenticated;
revoke all on function private.repair_followers_before_insert() from public, anon, authenticated;
revoke all on function private.repair_followers_count() from public, anon, authenticated;
revoke all on function private.repair_locations_before_write() from public, anon, authenticated;
revoke all on function private.repair_locations_after_write() from public, anon, authenticated;
revoke all on function private.repair_seed_community(uuid, uuid) from public, anon, authenticated;
revoke all on function private.repair_on_community_created() from public, anon, authenticated;

-- The guard runs as the caller (security invoker), so the caller needs these helpers.
grant execute on function private.repair_actors(uuid, uuid, public.repair_area, uuid, uuid, uuid, boolean) to authenticated, service_role;
grant execute on function private.repair_transition_check(public.repair_status, public.repair_status, public.repair_actor[]) to authenticated, service_role;
grant execute on function private.repair_field_allowed(text, public.repair_actor[], public.repair_status) to authenticated, service_role;
grant execute on function private.repair_category_deadlines(uuid, uuid, uuid, public.repair_area, timestamptz) to authenticated, service_role;
grant execute on function private.repair_member_can_work(uuid, uuid, uuid) to authenticated, service_role;
grant execute on function private.repair_api_caller() to authenticated, service_role;
grant execute on function private.my_repair_ticket_ids() to authenticated, service_role;
grant execute on function private.can_read_repair_ticket(uuid) to authenticated, service_role;
grant execute on function private.can_read_repair_topic(text) to authenticated, service_role;
grant execute on function private.can_attach_repair_media(uuid, public.repair_media_kind, uuid) to authenticated, service_role;
grant execute on function private.can_rate_repair(uuid) to authenticated, service_role;
grant execute on function private.can_follow_repair(uuid) to authenticated, service_role;
grant execute on function private.repair_public_matches(uuid, uuid) to authenticated, service_role;
grant execute on function private.is_repair_assignee_on_the_way(uuid) to authenticated, service_role;
grant execute on function private.repair_technicians(uuid) to authenticated, service_role;
grant execute on function private.repair_assignee(uuid) to authenticated, service_role;
grant usage on sequence private.repair_ticket_number_seq to service_role;
