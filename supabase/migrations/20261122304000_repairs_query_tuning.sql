-- =====================================================================================
-- Repairs (issue #7): query tuning from `npm run bench -- repairs` (1,000,000 tickets)
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- * Ticket visibility checks the resident branches first. An InitPlan is only run when a row
--   needs it, so a resident's query (every row matches the reporter or household branch)
--   never computes the staff scope, and staff pay one cheap empty household lookup.
-- -------------------------------------------------------------------------------------
drop policy repair_tickets_select on public.repair_tickets;
create policy repair_tickets_select on public.repair_tickets
  for select to authenticated
  using (
    reporter_id = (select auth.uid())
    or unit_id = any ((select private.household_unit_ids('repairs.read'))::uuid[])
    or community_id = any ((select private.communities_with_permission('repair.read'))::uuid[])
  );

-- -------------------------------------------------------------------------------------
-- * Technician names for a page of tickets in one call (the queue showed them per row).
-- -------------------------------------------------------------------------------------
create or replace function private.repair_assignee_names(p_ticket_ids uuid[])
returns table (ticket_id uuid, name text)
language sql
stable
security definer
set search_path = ''
as $$
  select t.id, coalesce(nullif(p.full_name, ''), m.job_title, '')
  from public.repair_tickets t
  join public.company_members m on m.company_id = t.company_id and m.id = t.assignee_id
  join public.profiles p on p.id = m.user_id
  where t.id = any (p_ticket_ids)
    and t.community_id = any (private.communities_with_permission('repair.read'))
$$;
comment on function private.repair_assignee_names(uuid[]) is
  'Names of the technicians assigned to these tickets, for staff with repair.read in their communities (the queue page).';
revoke all on function private.repair_assignee_names(uuid[]) from public, anon;
grant execute on function private.repair_assignee_names(uuid[]) to authenticated, service_role;

-- -------------------------------------------------------------------------------------
-- * Indexes. Ticket visibility is an OR of three branches (reporter, household, staff), so the
--   planner answers a staff query with a BitmapOr whose staff arm uses the smallest index that
--   starts with (company_id, community_id). Only the queue indexes start that way now; the
--   foreign-key indexes lead with their own column (the security lint accepts any order), which
--   also serves lookups that start from a unit, building, category or merge target.
-- -------------------------------------------------------------------------------------
drop index public.repair_tickets_unit_fk_idx;
drop index public.repair_tickets_unit_created_idx;
drop index public.repair_tickets_building_idx;
drop index public.repair_tickets_category_idx;
drop index public.repair_tickets_merged_into_idx;
create index repair_tickets_unit_idx on public.repair_tickets (unit_id, company_id, community_id);
create index repair_tickets_building_idx on public.repair_tickets (building_id, company_id, community_id);
create index repair_tickets_category_idx on public.repair_tickets (category_id, company_id, community_id);
create index repair_tickets_merged_into_idx on public.repair_tickets (merged_into_id, company_id, community_id);

-- -------------------------------------------------------------------------------------
-- * The staff queue finds its page of ticket ids here. Ticket visibility is an OR of three
--   branches, and the planner answers it with a BitmapOr whose staff arm cannot use the status
--   and date of the queue index: a company admin's page read every ticket of the company. This
--   function applies the staff branch itself (communities where the caller holds repair.read,
--   the same rule as the policy) and walks the queue index; the page's rows are then read by id
--   under RLS as usual. Jobs and the service role (no caller) get the communities asked for.
-- -------------------------------------------------------------------------------------
create or replace function private.repair_queue_ids(
  p_community_ids uuid[],
  p_statuses public.repair_status[],
  p_category_id uuid,
  p_building_id uuid,
  p_assignee_id uuid,
  p_overdue boolean,
  p_search text,
  p_limit integer,
  p_offset integer
)
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_ids uuid[] := case
    when private.repair_api_caller() then array(
      select unnest(p_community_ids) intersect select unnest(private.communities_with_permission('repair.read')))
    else p_community_ids
  end;
begin
  return query
  select t.id
  from public.repair_tickets t
  where t.company_id = any (array(select c.company_id from public.communities c where c.id = any (v_ids)))
    and t.community_id = any (v_ids)
    and (p_statuses is null or t.status = any (p_statuses))
    and (p_category_id is null or t.category_id = p_category_id)
    and (p_building_id is null or t.building_id = p_building_id)
    and (p_assignee_id is null or t.assignee_id = p_assignee_id)
    and (not p_overdue
         or (t.first_response_at is null and t.status = 'pending' and now() > t.response_due_at)
         or (t.completed_at is null and t.status in ('accepted', 'dispatched', 'in_progress', 'paused') and now() > t.resolve_due_at))
    and (p_search is null or t.number ilike '%' || p_search || '%' or t.contact_phone like '%' || p_search)
  order by t.created_at desc
  limit p_limit offset p_offset;
end
$$;
comment on function private.repair_queue_ids(uuid[], public.repair_status[], uuid, uuid, uuid, boolean, text, integer, integer) is
  'One page of the staff queue as ticket ids, newest first, within the communities where the caller holds repair.read (all asked-for communities for jobs).';

create or replace function private.repair_open_counts(p_community_ids uuid[])
returns table (status public.repair_status, n integer, overdue integer)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_ids uuid[] := case
    when private.repair_api_caller() then array(
      select unnest(p_community_ids) intersect select unnest(private.communities_with_permission('repair.read')))
    else p_community_ids
  end;
begin
  return query
  select t.status, count(*)::integer,
    count(*) filter (where
      (t.first_response_at is null and t.status = 'pending' and now() > t.response_due_at)
      or (t.status <> 'pending' and now() > t.resolve_due_at))::integer
  from public.repair_tickets t
  where t.company_id = any (array(select c.company_id from public.communities c where c.id = any (v_ids)))
    and t.community_id = any (v_ids)
    and t.status in ('pending', 'accepted', 'dispatched', 'in_progress', 'paused')
  group by t.status;
end
$$;
comment on function private.repair_open_counts(uuid[]) is
  'Open tickets by status and how many breach their SLA, within the communities where the caller holds repair.read (the queue''s filter chips).';

revoke all on function private.repair_queue_ids(uuid[], public.repair_status[], uuid, uuid, uuid, boolean, text, integer, integer) from public, anon;
revoke all on function private.repair_open_counts(uuid[]) from public, anon;
grant execute on function private.repair_queue_ids(uuid[], public.repair_status[], uuid, uuid, uuid, boolean, text, integer, integer) to authenticated, service_role;
grant execute on function private.repair_open_counts(uuid[]) to authenticated, service_role;
