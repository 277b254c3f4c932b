-- =====================================================================================
-- Notification center (issue #6): one system for notices, repairs, bills and reminders
--
--   notifications               the per-user inbox (站内信): one row per (event, recipient).
--                               Written synchronously by private.notify(); every insert is
--                               broadcast to the private Realtime topic `user:<uid>`.
--   notification_deliveries     one row per (event, recipient, channel) for push, SMS and
--                               e-mail: a small job queue worked by the `notify-dispatch`
--                               Edge Function (retries with back-off, dead-letter state).
--   push_subscriptions          Web Push subscriptions, one per browser/device.
--   notification_preferences    per user × category × channel on/off (absent = default).
--   notification_settings       per user quiet hours (免打扰).
--
-- THE send API for other modules is private.notify(event_key, recipients[], category, title,
-- body, link, priority, company, community, data, channels). It is idempotent per
-- (event_key, recipient) for the inbox and per (event_key, recipient, channel) for deliveries
-- (unique constraints), so a trigger or job that fires twice notifies once. TypeScript callers
-- use sendNotification() in app/modules/notifications/notifications.server.ts, which calls it.
-- See docs/notifications.md.
--
-- Channel policy (what private.notify enqueues besides the inbox entry, which is always written):
--   normal     push if the user has not turned it off for the category; SMS/e-mail if turned on
--   important  push and SMS unless turned off for the category; e-mail if turned on
--   emergency  push and SMS always (preferences cannot silence a safety notice), e-mail if on;
--              quiet hours are ignored. Other priorities wait until quiet hours end.
-- =====================================================================================

create extension if not exists pg_net;

-- -------------------------------------------------------------------------------------
-- Vocabulary
-- -------------------------------------------------------------------------------------
create type public.notification_category as enum ('bills', 'repairs', 'notices', 'activities', 'account');
comment on type public.notification_category is
  'What a notification is about; preferences are kept per category. bills 账单/缴费, repairs 报修, notices 公告, activities 社区活动, account 账号与房屋认证.';

create type public.notification_channel as enum ('in_app', 'push', 'sms', 'email');
comment on type public.notification_channel is
  'in_app: the inbox (always written, live over Realtime); push: Web Push; sms / email: through the configured provider.';

create type public.notification_priority as enum ('normal', 'important', 'emergency');
comment on type public.notification_priority is
  'normal; important (push + SMS by default); emergency (push + SMS always, ignores quiet hours, live banner).';

create type public.delivery_status as enum ('pending', 'sending', 'sent', 'failed', 'dead', 'skipped');
comment on type public.delivery_status is
  'pending: waiting (maybe for quiet hours to end); sending: leased by a dispatcher run; sent; failed: will be retried; dead: gave up after the last attempt; skipped: nothing to send to (no device, no verified phone/e-mail) or cancelled.';

insert into private.state_transitions (machine, from_state, to_state) values
  ('delivery_status', '', 'pending'),
  ('delivery_status', 'pending', 'sending'),
  ('delivery_status', 'failed', 'sending'),
  ('delivery_status', 'sending', 'sent'),
  ('delivery_status', 'sending', 'failed'),
  ('delivery_status', 'sending', 'dead'),
  ('delivery_status', 'sending', 'skipped'),
  ('delivery_status', 'pending', 'skipped'),
  ('delivery_status', 'failed', 'skipped');

-- -------------------------------------------------------------------------------------
-- Inbox
-- -------------------------------------------------------------------------------------
create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  event_key text not null check (char_length(event_key) between 1 and 200),
  company_id uuid references public.companies (id) on delete cascade,
  community_id uuid,
  category public.notification_category not null,
  priority public.notification_priority not null default 'normal',
  title text not null check (char_length(title) between 1 and 200),
  body text not null default '' check (char_length(body) <= 2000),
  link text check (link ~ '^/[^/\\]' and char_length(link) <= 500),
  data jsonb not null default '{}'::jsonb check (jsonb_typeof(data) = 'object'),
  created_at timestamptz not null default now(),
  read_at timestamptz,
  constraint notifications_community_fkey foreign key (company_id, community_id)
    references public.communities (company_id, id) on delete cascade,
  constraint notifications_event_key_user_id_key unique (event_key, user_id)
);
comment on table public.notifications is
  'Per-user inbox (站内信). Written only by private.notify(); the recipient reads it and sets read_at. Personal, not tenant-owned: company_id only says which tenant sent it. Not audited: it is itself a log, and auditing would double every send.';
comment on column public.notifications.event_key is
  'Idempotency key of the event that caused it, e.g. notice:<id> or repair:<id>:done. One inbox entry per (event_key, user_id).';
comment on column public.notifications.company_id is 'The company whose event this is (null for platform/account messages).';
comment on column public.notifications.community_id is 'The community the event belongs to, if any.';
comment on column public.notifications.title is 'Short title as shown in the inbox and push/SMS; rendered by the sender in the recipient''s language or Chinese.';
comment on column public.notifications.body is 'Plain-text summary (no HTML).';
comment on column public.notifications.link is 'App-relative path to open (e.g. /notices/<id>); never an external URL.';
comment on column public.notifications.data is 'Sender-defined details (ids) for the UI; never shown raw.';
comment on column public.notifications.read_at is 'When the recipient read it (marked read, opened it, or read the linked notice).';

-- The inbox list and the unread count, both per user and newest first; read_at rides along so
-- the unread count is an index-only scan.
create index notifications_user_inbox_idx on public.notifications (user_id, created_at desc) include (read_at);
create index notifications_company_community_idx on public.notifications (company_id, community_id);

alter table public.notifications enable row level security;
revoke all on public.notifications from public, anon, authenticated;
grant select on public.notifications to authenticated;
grant update (read_at) on public.notifications to authenticated;
grant select, insert, update, delete on public.notifications to service_role;

create policy notifications_select on public.notifications
  for select to authenticated
  using (user_id = (select auth.uid()));
create policy notifications_update on public.notifications
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

-- -------------------------------------------------------------------------------------
-- Live delivery of inbox entries: private Realtime topic `user:<uid>`
-- -------------------------------------------------------------------------------------
-- One statement-level trigger per INSERT: a notice to 25,000 residents is one statement and
-- broadcasts in one pass over the transition table. The payload is small (no body) so the
-- local service can carry it inside a NOTIFY; clients revalidate to read the rest under RLS.
create or replace function private.broadcast_new_notifications()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.send(
    jsonb_build_object(
      'id', n.id,
      'category', n.category,
      'priority', n.priority,
      'title', n.title,
      'link', n.link,
      'created_at', n.created_at
    ),
    'notification',
    'user:' || n.user_id::text,
    true
  )
  from new_rows n;
  return null;
end
$$;
comment on function private.broadcast_new_notifications() is
  'AFTER INSERT (statement) on notifications: realtime.send of each new entry to the private topic user:<uid>, event "notification".';
revoke all on function private.broadcast_new_notifications() from public, anon, authenticated;

create trigger notifications_broadcast
  after insert on public.notifications
  referencing new table as new_rows
  for each statement execute function private.broadcast_new_notifications();

-- Who may join `user:<uid>`: that user only. Topics of other domains get their own policies.
create policy "notifications: a user receives their own topic" on realtime.messages
  for select to authenticated
  using (
    extension = 'broadcast'
    and (select realtime.topic()) = 'user:' || (select auth.uid())::text
  );

-- -------------------------------------------------------------------------------------
-- Deliveries (push / SMS / e-mail queue)
-- -------------------------------------------------------------------------------------
create table public.notification_deliveries (
  id bigint generated always as identity primary key,
  notification_id uuid not null references public.notifications (id) on delete cascade,
  event_key text not null,
  user_id uuid not null,
  channel public.notification_channel not null check (channel <> 'in_app'),
  status public.delivery_status not null default 'pending',
  attempts smallint not null default 0,
  next_attempt_at timestamptz not null default now(),
  sent_at timestamptz,
  last_error text check (char_length(last_error) <= 1000),
  provider_message_id text check (char_length(provider_message_id) <= 200),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint notification_deliveries_event_user_channel_key unique (event_key, user_id, channel)
);
comment on table public.notification_deliveries is
  'Outgoing push/SMS/e-mail per (event, recipient, channel): the queue of the notify-dispatch job. Written by private.notify(), worked by the service role; the recipient may read their own rows.';
comment on column public.notification_deliveries.event_key is 'Copy of notifications.event_key: the idempotency key together with user_id and channel.';
comment on column public.notification_deliveries.user_id is 'Recipient (copy of notifications.user_id; deleted with the inbox entry).';
comment on column public.notification_deliveries.attempts is 'Send attempts so far; the dispatcher gives up (dead) after its limit.';
comment on column public.notification_deliveries.next_attempt_at is
  'Not before this time: the end of quiet hours, the retry back-off, or the lease of a running attempt (status sending).';
comment on column public.notification_deliveries.last_error is 'Why the last attempt failed or why it was skipped.';
comment on column public.notification_deliveries.provider_message_id is 'The provider''s id for the sent message (outbox id, SMS BizId, push location).';

create index notification_deliveries_notification_idx on public.notification_deliveries (notification_id);
-- The dispatcher's queue: what is due, oldest first. Leased rows (sending) are here too, so a
-- run that died is picked up again when its lease ends.
create index notification_deliveries_due_idx on public.notification_deliveries (next_attempt_at)
  where status in ('pending', 'failed', 'sending');
create index notification_deliveries_user_idx on public.notification_deliveries (user_id, created_at desc);

create trigger notification_deliveries_touch_updated_at
  before update on public.notification_deliveries
  for each row execute function private.touch_updated_at();
create trigger notification_deliveries_status_transition
  before update of status on public.notification_deliveries
  for each row execute function private.enforce_state_transition('delivery_status', 'status');

alter table public.notification_deliveries enable row level security;
revoke all on public.notification_deliveries from public, anon, authenticated;
grant select on public.notification_deliveries to authenticated;
grant select, insert, update, delete on public.notification_deliveries to service_role;

create policy notification_deliveries_select on public.notification_deliveries
  for select to authenticated
  using (user_id = (select auth.uid()));

-- -------------------------------------------------------------------------------------
-- Web Push subscriptions
-- -------------------------------------------------------------------------------------
create table public.push_subscriptions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  endpoint text not null unique check (endpoint ~ '^https?://' and char_length(endpoint) <= 1000),
  p256dh text not null check (p256dh ~ '^[A-Za-z0-9_-]{80,100}={0,2}$'),
  auth text not null check (auth ~ '^[A-Za-z0-9_-]{16,32}={0,2}$'),
  user_agent text check (char_length(user_agent) <= 300),
  created_at timestamptz not null default now(),
  last_success_at timestamptz,
  failure_count integer not null default 0
);
comment on table public.push_subscriptions is
  'One Web Push subscription per browser/device (PushSubscription.toJSON()). Saved through private.save_push_subscription (an endpoint moves to whoever subscribed last on that device); the owner may list and delete them. Gone endpoints (404/410) are deleted by the dispatcher.';
comment on column public.push_subscriptions.endpoint is 'The push service URL of the subscription (a capability: never shown to others).';
comment on column public.push_subscriptions.p256dh is 'Browser''s P-256 public key (base64url) for aes128gcm payload encryption.';
comment on column public.push_subscriptions.auth is 'Browser''s 16-byte auth secret (base64url).';
comment on column public.push_subscriptions.user_agent is 'Browser description shown in the device list.';
comment on column public.push_subscriptions.failure_count is 'Consecutive failed sends; reset on success.';

create index push_subscriptions_user_idx on public.push_subscriptions (user_id);

alter table public.push_subscriptions enable row level security;
revoke all on public.push_subscriptions from public, anon, authenticated;
grant select, delete on public.push_subscriptions to authenticated;
grant select, insert, update, delete on public.push_subscriptions to service_role;

create policy push_subscriptions_select on public.push_subscriptions
  for select to authenticated
  using (user_id = (select auth.uid()));
create policy push_subscriptions_delete on public.push_subscriptions
  for delete to authenticated
  using (user_id = (select auth.uid()));

create or replace function private.save_push_subscription(
  p_endpoint text,
  p_p256dh text,
  p_auth text,
  p_user_agent text default null
)
returns uuid
language sql
security definer
set search_path = ''
as $$
  insert into public.push_subscriptions (user_id, endpoint, p256dh, auth, user_agent)
  select (select auth.uid()), p_endpoint, p_p256dh, p_auth, left(p_user_agent, 300)
  where (select auth.uid()) is not null
  on conflict (endpoint) do update
    set user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth,
        user_agent = excluded.user_agent, failure_count = 0
  returning id
$$;
comment on function private.save_push_subscription(text, text, text, text) is
  'Saves the caller''s Web Push subscription. A device signed in as someone else before is moved to the caller (one browser, one current user).';
revoke all on function private.save_push_subscription(text, text, text, text) from public, anon;
grant execute on function private.save_push_subscription(text, text, text, text) to authenticated;

-- -------------------------------------------------------------------------------------
-- Preferences and quiet hours
-- -------------------------------------------------------------------------------------
create table public.notification_preferences (
  user_id uuid not null references public.profiles (id) on delete cascade,
  category public.notification_category not null,
  channel public.notification_channel not null check (channel <> 'in_app'),
  enabled boolean not null,
  updated_at timestamptz not null default now(),
  primary key (user_id, category, channel)
);
comment on table public.notification_preferences is
  'A user''s choice per category and channel; no row means the default (push on, SMS and e-mail off; SMS on for important). The inbox cannot be turned off, and emergencies always go by push and SMS.';

create trigger notification_preferences_touch_updated_at
  before update on public.notification_preferences
  for each row execute function private.touch_updated_at();

alter table public.notification_preferences enable row level security;
revoke all on public.notification_preferences from public, anon, authenticated;
grant select, insert, delete on public.notification_preferences to authenticated;
grant update (enabled) on public.notification_preferences to authenticated;
grant select, insert, update, delete on public.notification_preferences to service_role;

create policy notification_preferences_select on public.notification_preferences
  for select to authenticated using (user_id = (select auth.uid()));
create policy notification_preferences_insert on public.notification_preferences
  for insert to authenticated with check (user_id = (select auth.uid()));
create policy notification_preferences_update on public.notification_preferences
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy notification_preferences_delete on public.notification_preferences
  for delete to authenticated using (user_id = (select auth.uid()));

create table public.notification_settings (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  quiet_hours_enabled boolean not null default false,
  quiet_start time not null default '22:00',
  quiet_end time not null default '07:00',
  time_zone text not null default 'Asia/Shanghai' check (time_zone ~ '^[A-Za-z]+(/[A-Za-z0-9_+-]+){0,2}$'),
  updated_at timestamptz not null default now()
);
comment on table public.notification_settings is
  'Per-user quiet hours (免打扰): push/SMS/e-mail that are not emergencies wait until quiet_end. The inbox is not affected.';
comment on column public.notification_settings.quiet_start is 'Local start of quiet hours; may be after quiet_end (crosses midnight).';
comment on column public.notification_settings.time_zone is 'IANA zone the times are in (default China Standard Time).';

create trigger notification_settings_touch_updated_at
  before update on public.notification_settings
  for each row execute function private.touch_updated_at();

alter table public.notification_settings enable row level security;
revoke all on public.notification_settings from public, anon, authenticated;
grant select on public.notification_settings to authenticated;
grant insert (user_id, quiet_hours_enabled, quiet_start, quiet_end, time_zone) on public.notification_settings to authenticated;
grant update (quiet_hours_enabled, quiet_start, quiet_end, time_zone) on public.notification_settings to authenticated;
grant select, insert, update, delete on public.notification_settings to service_role;

create policy notification_settings_select on public.notification_settings
  for select to authenticated using (user_id = (select auth.uid()));
create policy notification_settings_insert on public.notification_settings
  for insert to authenticated with check (user_id = (select auth.uid()));
create policy notification_settings_update on public.notification_settings
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

-- When quiet hours that contain p_at end, or null when p_at is outside them.
create or replace function private.quiet_hours_end(
  p_start time,
  p_end time,
  p_time_zone text,
  p_at timestamptz
)
returns timestamptz
language plpgsql
stable
set search_path = ''
as $$
declare
  local_at timestamp;
  t time;
begin
  if p_start = p_end then
    return null;
  end if;
  begin
    local_at := p_at at time zone p_time_zone;
  exception when invalid_parameter_value then
    local_at := p_at at time zone 'Asia/Shanghai';
    p_time_zone := 'Asia/Shanghai';
  end;
  t := local_at::time;
  if p_start < p_end then
    if t >= p_start and t < p_end then
      return (local_at::date + p_end) at time zone p_time_zone;
    end if;
  elsif t >= p_start then
    return (local_at::date + 1 + p_end) at time zone p_time_zone;
  elsif t < p_end then
    return (local_at::date + p_end) at time zone p_time_zone;
  end if;
  return null;
end
$$;
comment on function private.quiet_hours_end(time, time, text, timestamptz) is
  'End of the quiet-hours window containing p_at (local times in p_time_zone, windows may cross midnight), or null when p_at is outside it.';
revoke all on function private.quiet_hours_end(time, time, text, timestamptz) from public, anon;
grant execute on function private.quiet_hours_end(time, time, text, timestamptz) to authenticated, service_role;

-- =====================================================================================
-- The send API
-- =====================================================================================

-- Wakes the dispatcher right away instead of waiting for its minute: one HTTP request via
-- pg_net to the notify-dispatch function, unless one is already queued. Needs the Vault
-- secrets project_url and secret_key (docs/functions.md); without them it does nothing and
-- the schedule picks the deliveries up.
create or replace function private.wake_notify_dispatch()
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_url text;
  v_key text;
begin
  if to_regclass('vault.decrypted_secrets') is null or to_regclass('net.http_request_queue') is null then
    return;
  end if;
  if exists (select 1 from net.http_request_queue q where q.url like '%/functions/v1/notify-dispatch') then
    return;
  end if;
  select max(decrypted_secret) filter (where name = 'project_url'),
         max(decrypted_secret) filter (where name = 'secret_key')
    into v_url, v_key
  from vault.decrypted_secrets
  where name in ('project_url', 'secret_key');
  if v_url is null or v_key is null then
    return;
  end if;
  perform net.http_post(
    url := v_url || '/functions/v1/notify-dispatch',
    headers := jsonb_build_object('Content-Type', 'application/json', 'apikey', v_key),
    body := jsonb_build_object('reason', 'wake')
  );
end
$$;
comment on function private.wake_notify_dispatch() is
  'Asks the notify-dispatch Edge Function to run now (pg_net), at most one queued request at a time. Sent at commit.';
revoke all on function private.wake_notify_dispatch() from public, anon, authenticated;
grant execute on function private.wake_notify_dispatch() to service_role;

-- The core: writes inbox entries and deliveries for many recipients in two set-based inserts.
-- No caller checks here; only private.notify() and other security definer functions of this
-- project (that have checked their caller) call it.
create or replace function private.enqueue_notifications(
  p_event_key text,
  p_recipients uuid[],
  p_category public.notification_category,
  p_title text,
  p_body text,
  p_link text,
  p_priority public.notification_priority,
  p_company_id uuid,
  p_community_id uuid,
  p_data jsonb,
  p_channels public.notification_channel[]
)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_created integer;
  v_due integer;
  v_now timestamptz := now();
begin
  with recipients as (
    select distinct r.user_id
    from unnest(p_recipients) as r (user_id)
    join public.profiles p on p.id = r.user_id
  ),
  inserted as (
    insert into public.notifications (
      user_id, event_key, company_id, community_id, category, priority, title, body, link, data
    )
    select r.user_id, p_event_key, p_company_id, p_community_id, p_category, p_priority,
           left(p_title, 200), left(coalesce(p_body, ''), 2000), p_link, coalesce(p_data, '{}'::jsonb)
    from recipients r
    on conflict (event_key, user_id) do nothing
    returning id, user_id
  ),
  deliveries as (
    insert into public.notification_deliveries (notification_id, event_key, user_id, channel, next_attempt_at)
    select i.id, p_event_key, i.user_id, c.channel,
           case
             when p_priority = 'emergency' or not coalesce(s.quiet_hours_enabled, false) then v_now
             else coalesce(private.quiet_hours_end(s.quiet_start, s.quiet_end, s.time_zone, v_now), v_now)
           end
    from inserted i
    cross join unnest(array['push', 'sms', 'email']::public.notification_channel[]) as c (channel)
    left join public.notification_preferences pref
      on pref.user_id = i.user_id and pref.category = p_category and pref.channel = c.channel
    left join public.notification_settings s on s.user_id = i.user_id
    where (p_channels is null or c.channel = any (p_channels))
      and case p_priority
        when 'emergency' then c.channel in ('push', 'sms') or coalesce(pref.enabled, false)
        when 'important' then coalesce(pref.enabled, c.channel in ('push', 'sms'))
        else coalesce(pref.enabled, c.channel = 'push')
      end
    on conflict (event_key, user_id, channel) do nothing
    returning next_attempt_at
  )
  select (select count(*) from inserted), (select count(*) from deliveries where next_attempt_at <= v_now)
    into v_created, v_due;

  if v_due > 0 then
    perform private.wake_notify_dispatch();
  end if;
  return v_created;
end
$$;
comment on function private.enqueue_notifications(text, uuid[], public.notification_category, text, text, text, public.notification_priority, uuid, uuid, jsonb, public.notification_channel[]) is
  'Core of private.notify without caller checks: inbox entries + deliveries for all recipients in two set-based inserts; returns how many inbox entries were new. Owner-only.';
revoke all on function private.enqueue_notifications(text, uuid[], public.notification_category, text, text, text, public.notification_priority, uuid, uuid, jsonb, public.notification_channel[])
  from public, anon, authenticated, service_role;

create or replace function private.notify(
  p_event_key text,
  p_recipients uuid[],
  p_category public.notification_category,
  p_title text,
  p_body text default '',
  p_link text default null,
  p_priority public.notification_priority default 'normal',
  p_company_id uuid default null,
  p_community_id uuid default null,
  p_data jsonb default '{}'::jsonb,
  p_channels public.notification_channel[] default null
)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_role text := coalesce(nullif(current_setting('role', true), 'none'), '');
  v_uid uuid := (select auth.uid());
begin
  if p_event_key is null or p_title is null or p_category is null then
    raise exception using errcode = '22004', message = 'notifications.invalid_input',
      detail = 'event key, category and title are required';
  end if;
  -- Jobs, migrations and the service role are trusted. A signed-in caller (a trigger running
  -- for a user, or server code in withUser) may only notify inside a company they belong to:
  -- themselves, or staff and residents of that company.
  if v_role in ('anon', 'authenticated') then
    if v_uid is null or p_company_id is null then
      raise exception using errcode = '42501', message = 'notifications.forbidden';
    end if;
    if not (
      p_company_id = any (private.member_company_ids())
      or p_company_id = any (private.resident_company_ids())
    ) or exists (
      select 1
      from unnest(p_recipients) as r (user_id)
      where r.user_id is distinct from v_uid
        and not exists (
          select 1 from public.company_members m
          where m.user_id = r.user_id and m.company_id = p_company_id and m.status = 'active'
        )
        and not exists (
          select 1 from public.occupancies o
          where o.user_id = r.user_id and o.company_id = p_company_id and o.deleted_at is null
            and (o.move_out_date is null or o.move_out_date >= current_date)
        )
    ) then
      raise exception using errcode = '42501', message = 'notifications.forbidden',
        detail = 'recipients must be staff or residents of the sending company';
    end if;
  end if;
  return private.enqueue_notifications(
    p_event_key, p_recipients, p_category, p_title, p_body, p_link, p_priority,
    p_company_id, p_community_id, p_data, p_channels
  );
end
$$;
comment on function private.notify(text, uuid[], public.notification_category, text, text, text, public.notification_priority, uuid, uuid, jsonb, public.notification_channel[]) is
  'THE send API: inbox entry (live over Realtime) for every recipient, plus push/SMS/e-mail deliveries by priority, preferences and quiet hours. Idempotent per (event_key, recipient[, channel]). Returns the number of new inbox entries. Signed-in callers may only notify staff and residents of a company they belong to.';
revoke all on function private.notify(text, uuid[], public.notification_category, text, text, text, public.notification_priority, uuid, uuid, jsonb, public.notification_channel[])
  from public, anon;
grant execute on function private.notify(text, uuid[], public.notification_category, text, text, text, public.notification_priority, uuid, uuid, jsonb, public.notification_channel[])
  to authenticated, service_role;

-- =====================================================================================
-- Dispatcher support (service role): lease due deliveries, record outcomes
-- =====================================================================================

-- Leases up to p_limit due deliveries (status sending, lease p_lease) and returns what a
-- sender needs: the message, and where to send it (verified phone / e-mail from auth.users,
-- the user's push subscriptions).
create or replace function private.claim_notification_deliveries(p_limit integer, p_lease interval default '5 minutes')
returns table (
  id bigint,
  channel public.notification_channel,
  attempts smallint,
  user_id uuid,
  notification_id uuid,
  category public.notification_category,
  priority public.notification_priority,
  title text,
  body text,
  link text,
  locale text,
  phone text,
  email text,
  push_subscriptions jsonb
)
language sql
security definer
set search_path = ''
as $$
  with due as (
    select d.id
    from public.notification_deliveries d
    where d.status in ('pending', 'failed', 'sending') and d.next_attempt_at <= now()
    order by d.next_attempt_at
    limit greatest(p_limit, 0)
    for update skip locked
  ),
  leased as (
    update public.notification_deliveries d
    set status = 'sending', attempts = d.attempts + 1, next_attempt_at = now() + p_lease
    from due
    where d.id = due.id
    returning d.id, d.channel, d.attempts, d.user_id, d.notification_id
  )
  select l.id, l.channel, l.attempts, l.user_id, l.notification_id,
         n.category, n.priority, n.title, n.body, n.link,
         coalesce(p.locale, 'zh-CN'),
         case when u.phone_confirmed_at is not null and u.phone <> '' then u.phone end,
         case when u.email_confirmed_at is not null and u.email <> '' then u.email end,
         case when l.channel = 'push' then coalesce((
           select jsonb_agg(jsonb_build_object('id', s.id, 'endpoint', s.endpoint, 'p256dh', s.p256dh, 'auth', s.auth))
           from public.push_subscriptions s where s.user_id = l.user_id
         ), '[]'::jsonb) end
  from leased l
  join public.notifications n on n.id = l.notification_id
  left join public.profiles p on p.id = l.user_id
  left join auth.users u on u.id = l.user_id
$$;
comment on function private.claim_notification_deliveries(integer, interval) is
  'Dispatcher: leases due deliveries (skip locked, so parallel runs never share one) and returns message and addresses. A run that dies leaves them to be claimed again when the lease ends.';
revoke all on function private.claim_notification_deliveries(integer, interval) from public, anon, authenticated;
grant execute on function private.claim_notification_deliveries(integer, interval) to service_role;

-- Records the outcomes of one run in one statement. p_results: [{id, status: sent|failed|dead|skipped,
-- error?, provider_message_id?, retry_in_seconds?}]; failed becomes dead at p_max_attempts, and
-- dead is a permanent refusal (bad number, rejected content) that no retry can fix.
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
comment on function private.complete_notification_deliveries(jsonb, integer) is
  'Dispatcher: records sent/failed/skipped for leased deliveries; a failure at the attempt limit becomes dead (the dead-letter state).';
revoke all on function private.complete_notification_deliveries(jsonb, integer) from public, anon, authenticated;
grant execute on function private.complete_notification_deliveries(jsonb, integer) to service_role;

-- Push endpoint bookkeeping: gone endpoints are deleted, others count failures.
create or replace function private.record_push_results(p_gone uuid[], p_ok uuid[], p_failed uuid[])
returns void
language sql
security definer
set search_path = ''
as $$
  delete from public.push_subscriptions where id = any (p_gone);
  update public.push_subscriptions set last_success_at = now(), failure_count = 0 where id = any (p_ok);
  update public.push_subscriptions set failure_count = failure_count + 1 where id = any (p_failed);
$$;
comment on function private.record_push_results(uuid[], uuid[], uuid[]) is
  'Dispatcher: deletes subscriptions the push service reported gone (404/410), stamps successes, counts failures.';
revoke all on function private.record_push_results(uuid[], uuid[], uuid[]) from public, anon, authenticated;
grant execute on function private.record_push_results(uuid[], uuid[], uuid[]) to service_role;

-- =====================================================================================
-- VAPID keys for Web Push, in Vault (decision 0011): generated once per database locally,
-- set by the operator on hosted. The public key is public; the private key is read by the
-- dispatcher only.
-- =====================================================================================
create or replace function private.vapid_public_key()
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if to_regclass('vault.decrypted_secrets') is null then
    return null;
  end if;
  return (select decrypted_secret from vault.decrypted_secrets where name = 'vapid_public_key');
end
$$;
comment on function private.vapid_public_key() is 'The Web Push application server key (VAPID public key) from Vault, or null when not configured.';
revoke all on function private.vapid_public_key() from public, anon;
grant execute on function private.vapid_public_key() to authenticated, service_role;

create or replace function private.vapid_keys()
returns table (public_key text, private_key text, subject text)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if to_regclass('vault.decrypted_secrets') is null then
    return;
  end if;
  return query
    select max(decrypted_secret) filter (where name = 'vapid_public_key'),
           max(decrypted_secret) filter (where name = 'vapid_private_key'),
           coalesce(max(decrypted_secret) filter (where name = 'vapid_subject'), 'mailto:ops@wuye.example')
    from vault.decrypted_secrets
    where name in ('vapid_public_key', 'vapid_private_key', 'vapid_subject');
end
$$;
comment on function private.vapid_keys() is 'Dispatcher: the VAPID key pair and subject from Vault.';
revoke all on function private.vapid_keys() from public, anon, authenticated;
grant execute on function private.vapid_keys() to service_role;

-- Local development only (the app calls it in APP_MODE=local): stores a freshly generated pair
-- unless one exists, and returns the public key in effect. Hosted operators use vault.create_secret.
create or replace function private.ensure_vapid_keys(p_public_key text, p_private_key text, p_subject text)
returns text
language plpgsql
security definer
set search_path = ''
as $$
begin
  if to_regclass('vault.secrets') is null then
    raise exception using errcode = '55000', message = 'notifications.vault_missing';
  end if;
  -- One writer at a time, so two first requests cannot store two different pairs.
  perform pg_advisory_xact_lock(hashtext('wuye.vapid_keys'));
  if not exists (select 1 from vault.decrypted_secrets where name = 'vapid_public_key') then
    perform vault.create_secret(p_public_key, 'vapid_public_key', 'Web Push VAPID public key (generated locally)');
    perform vault.create_secret(p_private_key, 'vapid_private_key', 'Web Push VAPID private key (generated locally)');
    if not exists (select 1 from vault.decrypted_secrets where name = 'vapid_subject') then
      perform vault.create_secret(p_subject, 'vapid_subject', 'Web Push VAPID subject');
    end if;
  end if;
  return (select decrypted_secret from vault.decrypted_secrets where name = 'vapid_public_key');
end
$$;
comment on function private.ensure_vapid_keys(text, text, text) is
  'Local development: stores a generated VAPID pair in Vault if none exists; returns the public key in effect.';
revoke all on function private.ensure_vapid_keys(text, text, text) from public, anon, authenticated;
grant execute on function private.ensure_vapid_keys(text, text, text) to service_role;

-- =====================================================================================
-- Schedule: every minute, wake the dispatcher if anything is due (retries whose back-off
-- ended, deliveries held for quiet hours, a wake that was lost). Checking in SQL first keeps
-- the function asleep when there is nothing to send.
-- =====================================================================================
create or replace function private.wake_notify_dispatch_if_due()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (
    select 1 from public.notification_deliveries d
    where d.status in ('pending', 'failed', 'sending') and d.next_attempt_at <= now()
  ) then
    perform private.wake_notify_dispatch();
  end if;
end
$$;
comment on function private.wake_notify_dispatch_if_due() is
  'pg_cron job notify-dispatch: wakes the dispatcher when deliveries are due.';
revoke all on function private.wake_notify_dispatch_if_due() from public, anon, authenticated;
grant execute on function private.wake_notify_dispatch_if_due() to service_role;

create extension if not exists pg_cron with schema pg_catalog;

select cron.schedule('notify-dispatch', '* * * * *', 'select private.wake_notify_dispatch_if_due()');
