-- =====================================================================================
-- Repairs (issue #7): follow-ups to the workflow migration
--
-- * The broadcast for a new ticket names its event ("created"), so the staff queue can raise
--   its new-ticket alert (it said "changed").
-- =====================================================================================

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
    v_event := 'created';
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
