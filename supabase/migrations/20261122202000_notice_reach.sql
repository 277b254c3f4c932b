-- =====================================================================================
-- Notices (issue #6), follow-up: reach counts for staff, and the final form of three objects
-- of 20261122200000/201000 for databases that applied an earlier draft of those files
-- (create or replace / drop-and-create, so applying them again changes nothing).
-- =====================================================================================

-- Inbox entries are private to their recipient (RLS), so staff cannot count them directly:
-- how many residents a notice reached, and how many read it, for notices the caller may publish.
create or replace function private.notice_reach(p_notice_ids uuid[])
returns table (notice_id uuid, notified integer, reads integer)
language sql
stable
security definer
set search_path = ''
as $$
  select n.id,
         (select count(*)::integer from public.notifications x where x.event_key = 'notice:' || n.id::text),
         (select count(*)::integer from public.notice_reads r where r.notice_id = n.id)
  from public.notices n
  where n.id = any (p_notice_ids)
    and (
      coalesce(current_setting('role', true), '') not in ('anon', 'authenticated')
      or n.community_id = any (private.communities_with_permission('notice.publish'))
    )
$$;
comment on function private.notice_reach(uuid[]) is
  'Residents notified (inbox entries of event notice:<id>) and read receipts per notice, for notices the caller holds notice.publish for.';
revoke all on function private.notice_reach(uuid[]) from public, anon;
grant execute on function private.notice_reach(uuid[]) to authenticated, service_role;

-- Resident visibility through private.my_unit_ids() (whose definition the tenancy migrations own).
create or replace function private.visible_notice_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(distinct n.id), '{}')
  from public.units u
  join public.notices n on n.company_id = u.company_id and n.community_id = u.community_id
  where u.id = any ((select private.my_unit_ids())::uuid[])
    and u.deleted_at is null
    and n.status = 'published'
    and (n.expires_at is null or n.expires_at > now())
    and (
      n.audience = 'community'
      or exists (
        select 1 from public.notice_targets t
        where t.notice_id = n.id and (t.building_id = u.building_id or t.unit_id = u.id)
      )
    )
$$;

-- Publishers and the audience only (the same rule as attachments and Storage objects).
drop policy if exists notices_select on public.notices;
create policy notices_select on public.notices
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[])
    or id = any ((select private.visible_notice_ids())::uuid[])
  );

-- Outcomes may be `dead` directly (a permanent refusal).
create or replace function private.complete_notification_deliveries(p_results jsonb, p_max_attempts integer default 5)
returns void
language sql
security definer
set search_path = ''
as $$
  update public.notification_deliveries d
  set status = case
        when r.status = 'failed' and d.attempts >= p_max_attempts then 'dead'
        else r.status
      end::public.delivery_status,
      sent_at = case when r.status = 'sent' then now() else d.sent_at end,
      last_error = left(r.error, 1000),
      provider_message_id = coalesce(left(r.provider_message_id, 200), d.provider_message_id),
      next_attempt_at = case
        when r.status = 'failed' then now() + make_interval(secs => coalesce(r.retry_in_seconds, 60))
        else d.next_attempt_at
      end
  from jsonb_to_recordset(p_results) as r (
    id bigint, status text, error text, provider_message_id text, retry_in_seconds integer
  )
  where d.id = r.id and d.status = 'sending' and r.status in ('sent', 'failed', 'dead', 'skipped')
$$;
