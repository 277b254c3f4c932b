-- =====================================================================================
-- Notifications (issue #6): broadcast new inbox entries with one set-based INSERT
--
-- `npm run bench -- notify` showed the per-row realtime.send() of the first version costing
-- 2–3 s of the ~4 s it took to notify 25,000 residents: each call opens a subtransaction (its
-- exception block), sets realtime.topic and inserts one row. realtime.send() only inserts into
-- realtime.messages, so the trigger now writes the same rows (same topic, event, private flag,
-- and the payload's own `id`, which realtime.send keeps) in one statement — as cheap as no
-- broadcast at all. Should that insert be refused (a role without the right to write
-- realtime.messages directly), it falls back to realtime.send() per row, the documented path.
-- Either way a failed broadcast never fails the send: clients revalidate on their next load.
-- =====================================================================================
create or replace function private.broadcast_new_notifications()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  begin
    insert into realtime.messages (id, topic, extension, event, private, payload)
    select gen_random_uuid(), 'user:' || n.user_id::text, 'broadcast', 'notification', true,
           jsonb_build_object(
             'id', n.id,
             'category', n.category,
             'priority', n.priority,
             'title', n.title,
             'link', n.link,
             'created_at', n.created_at
           )
    from new_rows n;
  exception when others then
    raise warning 'notifications: set-based broadcast failed (%), falling back to realtime.send', sqlerrm;
    perform realtime.send(
      jsonb_build_object(
        'id', n.id, 'category', n.category, 'priority', n.priority,
        'title', n.title, 'link', n.link, 'created_at', n.created_at
      ),
      'notification',
      'user:' || n.user_id::text,
      true
    )
    from new_rows n;
  end;
  return null;
end
$$;
comment on function private.broadcast_new_notifications() is
  'AFTER INSERT (statement) on notifications: one insert into realtime.messages per new entry (topic user:<uid>, event "notification", private), set-based; realtime.send per row as fallback.';
