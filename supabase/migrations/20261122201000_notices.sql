-- =====================================================================================
-- Community notices (公告, issue #6)
--
--   notices              a notice of one community: title, category, sanitized rich text,
--                        priority (normal / important / emergency), pin, expiry, and a
--                        life cycle draft → scheduled → published → withdrawn.
--   notice_targets       the audience when it is not the whole community: buildings or units.
--   notice_attachments   images and files in the Storage bucket `notice-files`.
--   notice_reads         read receipts (who opened it, when).
--
-- Who sees a notice — the same rule for the table, its targets, attachments, Storage objects,
-- read receipts and the inbox:
--   * staff holding notice.publish in the community: every notice, in every state;
--   * residents: published, unexpired notices whose audience contains one of their live
--     units (private.visible_notice_ids());
--   * nobody else (other staff read notices as residents, if they live there).
-- Publishing (now, or by the scheduler at publish_at, once) goes through
-- private.publish_notice(), which notifies the audience with private.enqueue_notifications
-- (event key notice:<id>): inbox + Realtime, and push + SMS for important and emergency ones.
-- Body HTML is sanitized by the app on write and again when it is shown.
-- =====================================================================================

create type public.notice_category as enum ('general', 'outage', 'activity', 'safety', 'fee');
comment on type public.notice_category is
  'general 通知, outage 停水停电, activity 社区活动, safety 安全警示, fee 缴费通知.';

create type public.notice_status as enum ('draft', 'scheduled', 'published', 'withdrawn');
comment on type public.notice_status is
  'Life cycle of a notice; transitions in private.state_transitions (machine notice_status).';

create type public.notice_audience as enum ('community', 'buildings', 'units');
comment on type public.notice_audience is 'Whole community, or the buildings / units listed in notice_targets.';

insert into private.state_transitions (machine, from_state, to_state) values
  ('notice_status', '', 'draft'),
  ('notice_status', 'draft', 'scheduled'),
  ('notice_status', 'draft', 'published'),
  ('notice_status', 'scheduled', 'draft'),
  ('notice_status', 'scheduled', 'published'),
  ('notice_status', 'published', 'withdrawn');

-- -------------------------------------------------------------------------------------
-- Notices
-- -------------------------------------------------------------------------------------
create table public.notices (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  title text not null check (char_length(btrim(title)) between 1 and 100),
  category public.notice_category not null default 'general',
  body_html text not null default '' check (char_length(body_html) <= 50000),
  body_text text not null default '' check (char_length(body_text) <= 20000),
  priority public.notification_priority not null default 'normal',
  pinned boolean not null default false,
  audience public.notice_audience not null default 'community',
  status public.notice_status not null default 'draft',
  publish_at timestamptz,
  published_at timestamptz,
  expires_at timestamptz,
  withdrawn_at timestamptz,
  withdrawn_by uuid,
  withdraw_reason text check (char_length(withdraw_reason) <= 200),
  created_by uuid default auth.uid(),
  updated_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint notices_community_fkey foreign key (company_id, community_id)
    references public.communities (company_id, id) on delete cascade,
  constraint notices_company_id_community_id_id_key unique (company_id, community_id, id),
  constraint notices_scheduled_has_time check (status <> 'scheduled' or publish_at is not null),
  constraint notices_published_stamp check (status not in ('published', 'withdrawn') or published_at is not null)
);
comment on table public.notices is
  'Community notices (公告) written by staff holding notice.publish. Residents see published, unexpired notices addressed to one of their units. Audited.';
comment on column public.notices.body_html is 'Rich text, sanitized to a strict allow-list by the app (no scripts, styles, images or external frames).';
comment on column public.notices.body_text is 'Plain text of the body (derived by the app): previews, push and SMS text.';
comment on column public.notices.priority is 'important/emergency also go by push and SMS; emergency shows a live banner and ignores quiet hours.';
comment on column public.notices.pinned is 'Pinned (置顶) notices come first on the board.';
comment on column public.notices.audience is 'community: everyone living there; buildings/units: those listed in notice_targets.';
comment on column public.notices.publish_at is 'When it is (to be) published; set for scheduled notices, the scheduler publishes it once at this time.';
comment on column public.notices.published_at is 'When it was actually published (and the audience notified).';
comment on column public.notices.expires_at is 'After this time residents no longer see it; null = no expiry.';
comment on column public.notices.withdrawn_by is 'auth.uid() of who withdrew it (撤回).';
comment on column public.notices.created_by is 'auth.uid() of the author.';
comment on column public.notices.updated_by is 'auth.uid() of the last editor (set by trigger).';

-- The board: a community's notices by state, newest first.
create index notices_board_idx on public.notices (company_id, community_id, status, published_at desc);
-- The scheduler: what is due.
create index notices_due_idx on public.notices (publish_at) where status = 'scheduled';

create or replace function private.stamp_notice_editor()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_by := coalesce((select auth.uid()), new.updated_by);
  return new;
end
$$;
comment on function private.stamp_notice_editor() is 'BEFORE UPDATE on notices: records the editor.';
revoke all on function private.stamp_notice_editor() from public, anon, authenticated;

create trigger notices_touch_updated_at
  before update on public.notices
  for each row execute function private.touch_updated_at();
create trigger notices_stamp_editor
  before update on public.notices
  for each row execute function private.stamp_notice_editor();
create trigger notices_guard_immutable
  before update on public.notices
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'community_id', 'created_by');
create trigger notices_status_transition
  before insert or update of status on public.notices
  for each row execute function private.enforce_state_transition('notice_status', 'status');
create trigger notices_audit
  after insert or update or delete on public.notices
  for each row execute function audit.capture_change('company_id');

-- -------------------------------------------------------------------------------------
-- Audience targets
-- -------------------------------------------------------------------------------------
create table public.notice_targets (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  notice_id uuid not null,
  building_id uuid,
  unit_id uuid,
  constraint notice_targets_notice_fkey foreign key (company_id, community_id, notice_id)
    references public.notices (company_id, community_id, id) on delete cascade,
  constraint notice_targets_building_fkey foreign key (company_id, community_id, building_id)
    references public.buildings (company_id, community_id, id) on delete cascade,
  constraint notice_targets_unit_fkey foreign key (company_id, community_id, unit_id)
    references public.units (company_id, community_id, id) on delete cascade,
  constraint notice_targets_one_target check (num_nonnulls(building_id, unit_id) = 1),
  constraint notice_targets_notice_target_key unique nulls not distinct (notice_id, building_id, unit_id)
);
comment on table public.notice_targets is
  'Audience of a notice addressed to buildings or units (one row per building or unit, same community). Editable by staff with notice.publish.';
comment on column public.notice_targets.building_id is 'Every resident of this building.';
comment on column public.notice_targets.unit_id is 'The residents of this unit.';

create index notice_targets_notice_idx on public.notice_targets (company_id, community_id, notice_id);
create index notice_targets_building_idx on public.notice_targets (company_id, community_id, building_id);
create index notice_targets_unit_idx on public.notice_targets (company_id, community_id, unit_id);

create trigger notice_targets_guard_immutable
  before update on public.notice_targets
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'community_id', 'notice_id');
create trigger notice_targets_audit
  after insert or update or delete on public.notice_targets
  for each row execute function audit.capture_change('company_id');

-- -------------------------------------------------------------------------------------
-- Attachments (Storage bucket notice-files, path <company>/<community>/<notice>/<file>)
-- -------------------------------------------------------------------------------------
create table public.notice_attachments (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  notice_id uuid not null,
  object_path text not null unique check (char_length(object_path) <= 512 and object_path !~ '(^/|\.\.)'),
  file_name text not null check (char_length(file_name) between 1 and 200),
  mime_type text not null check (char_length(mime_type) <= 100),
  size_bytes bigint not null check (size_bytes between 0 and 20971520),
  kind text not null check (kind in ('image', 'file')),
  sort_order integer not null default 0,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  constraint notice_attachments_notice_fkey foreign key (company_id, community_id, notice_id)
    references public.notices (company_id, community_id, id) on delete cascade,
  constraint notice_attachments_path_in_notice_folder
    check (object_path like company_id::text || '/' || community_id::text || '/' || notice_id::text || '/%')
);
comment on table public.notice_attachments is
  'Images (shown as a gallery) and files of a notice, stored in the private bucket notice-files under <company>/<community>/<notice>/. Same visibility as the notice.';
comment on column public.notice_attachments.object_path is 'Object name inside the bucket notice-files.';
comment on column public.notice_attachments.file_name is 'Original file name, for display and download.';
comment on column public.notice_attachments.kind is 'image: shown inline in a gallery; file: offered for download.';

create index notice_attachments_notice_idx on public.notice_attachments (company_id, community_id, notice_id, sort_order);

create trigger notice_attachments_guard_immutable
  before update on public.notice_attachments
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'community_id', 'notice_id', 'object_path');
create trigger notice_attachments_audit
  after insert or update or delete on public.notice_attachments
  for each row execute function audit.capture_change('company_id');

-- -------------------------------------------------------------------------------------
-- Read receipts
-- -------------------------------------------------------------------------------------
create table public.notice_reads (
  notice_id uuid not null,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  company_id uuid not null,
  community_id uuid not null,
  read_at timestamptz not null default now(),
  primary key (notice_id, user_id),
  constraint notice_reads_notice_fkey foreign key (company_id, community_id, notice_id)
    references public.notices (company_id, community_id, id) on delete cascade
);
comment on table public.notice_reads is
  'Read receipts (已读): a resident opened the notice. Written by the resident (once), read by staff with notice.publish for read rates. Not audited: it is itself a log.';
comment on column public.notice_reads.company_id is 'Copied from the notice by trigger.';

create index notice_reads_notice_idx on public.notice_reads (company_id, community_id, notice_id);
create index notice_reads_user_idx on public.notice_reads (user_id);

create or replace function private.fill_tenant_keys_from_notice()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  select n.company_id, n.community_id into new.company_id, new.community_id
  from public.notices n where n.id = new.notice_id;
  if not found then
    raise exception using errcode = 'P0002', message = 'notices.not_found';
  end if;
  return new;
end
$$;
comment on function private.fill_tenant_keys_from_notice() is
  'BEFORE INSERT: copies company_id and community_id from the notice named by notice_id.';
revoke all on function private.fill_tenant_keys_from_notice() from public, anon, authenticated;

create trigger notice_reads_fill_tenant_keys
  before insert on public.notice_reads
  for each row execute function private.fill_tenant_keys_from_notice();
create trigger notice_targets_fill_tenant_keys
  before insert on public.notice_targets
  for each row execute function private.fill_tenant_keys_from_notice();
create trigger notice_attachments_fill_tenant_keys
  before insert on public.notice_attachments
  for each row execute function private.fill_tenant_keys_from_notice();

-- =====================================================================================
-- Visibility helpers
-- =====================================================================================

-- The user ids a notice is addressed to, today: live occupancies with an account in the
-- community, restricted to the targeted buildings/units.
create or replace function private.notice_audience_user_ids(p_notice_id uuid)
returns table (user_id uuid, building_id uuid)
language sql
stable
security definer
set search_path = ''
as $$
  select distinct o.user_id, u.building_id
  from public.notices n
  join public.occupancies o on o.company_id = n.company_id and o.community_id = n.community_id
  join public.units u on u.id = o.unit_id and u.deleted_at is null
  where n.id = p_notice_id
    and o.user_id is not null
    and o.deleted_at is null
    and (o.move_out_date is null or o.move_out_date >= current_date)
    and (
      n.audience = 'community'
      or exists (
        select 1 from public.notice_targets t
        where t.notice_id = n.id and (t.building_id = u.building_id or t.unit_id = u.id)
      )
    )
$$;
comment on function private.notice_audience_user_ids(uuid) is
  'Residents (with the building of each of their units) a notice is addressed to, by today''s occupancies. No caller check: used by publish and stats, which check.';
revoke all on function private.notice_audience_user_ids(uuid) from public, anon, authenticated, service_role;

-- Notices the caller may read as a resident: published, not expired, addressed to a unit the
-- caller lives in today.
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
comment on function private.visible_notice_ids() is
  'Published, unexpired notices addressed to one of the caller''s live units (the resident view of notices, their attachments and receipts).';
revoke all on function private.visible_notice_ids() from public, anon;
grant execute on function private.visible_notice_ids() to authenticated, service_role;

-- "<company>/<community>" folders where the caller may manage notice files.
create or replace function private.notice_publish_folders()
returns text[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(c.company_id::text || '/' || c.id::text), '{}')
  from public.communities c
  where c.id = any (private.communities_with_permission('notice.publish'))
$$;
comment on function private.notice_publish_folders() is
  'Storage folders <company>/<community> of the communities where the caller holds notice.publish.';
revoke all on function private.notice_publish_folders() from public, anon;
grant execute on function private.notice_publish_folders() to authenticated, service_role;

-- =====================================================================================
-- Grants and policies
-- =====================================================================================
alter table public.notices enable row level security;
alter table public.notice_targets enable row level security;
alter table public.notice_attachments enable row level security;
alter table public.notice_reads enable row level security;
revoke all on public.notices, public.notice_targets, public.notice_attachments, public.notice_reads
  from public, anon, authenticated;
grant select, insert, update, delete on public.notices, public.notice_targets, public.notice_attachments,
  public.notice_reads to service_role;

-- notices: the life cycle columns (status, publish_at, published_at, withdrawn_*) change only
-- through the workflow functions below.
grant select, delete on public.notices to authenticated;
grant insert (company_id, community_id, title, category, body_html, body_text, priority, pinned, audience, expires_at)
  on public.notices to authenticated;
grant update (title, category, body_html, body_text, priority, pinned, audience, expires_at)
  on public.notices to authenticated;

create policy notices_select on public.notices
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[])
    or id = any ((select private.visible_notice_ids())::uuid[])
  );
create policy notices_insert on public.notices
  for insert to authenticated
  with check (community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[]) and status = 'draft');
create policy notices_update on public.notices
  for update to authenticated
  using (community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[]))
  with check (community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[]));
create policy notices_delete on public.notices
  for delete to authenticated
  using (community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[]));

grant select, delete on public.notice_targets to authenticated;
grant insert (notice_id, building_id, unit_id) on public.notice_targets to authenticated;

create policy notice_targets_select on public.notice_targets
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[])
    or notice_id = any ((select private.visible_notice_ids())::uuid[])
  );
create policy notice_targets_insert on public.notice_targets
  for insert to authenticated
  with check (community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[]));
create policy notice_targets_delete on public.notice_targets
  for delete to authenticated
  using (community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[]));

grant select, delete on public.notice_attachments to authenticated;
grant insert (notice_id, object_path, file_name, mime_type, size_bytes, kind, sort_order)
  on public.notice_attachments to authenticated;
grant update (file_name, sort_order) on public.notice_attachments to authenticated;

create policy notice_attachments_select on public.notice_attachments
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[])
    or notice_id = any ((select private.visible_notice_ids())::uuid[])
  );
create policy notice_attachments_insert on public.notice_attachments
  for insert to authenticated
  with check (community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[]));
create policy notice_attachments_update on public.notice_attachments
  for update to authenticated
  using (community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[]))
  with check (community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[]));
create policy notice_attachments_delete on public.notice_attachments
  for delete to authenticated
  using (community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[]));

grant select on public.notice_reads to authenticated;
grant insert (notice_id) on public.notice_reads to authenticated;

create policy notice_reads_select on public.notice_reads
  for select to authenticated
  using (
    user_id = (select auth.uid())
    or community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[])
  );
create policy notice_reads_insert on public.notice_reads
  for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and notice_id = any ((select private.visible_notice_ids())::uuid[])
  );

-- =====================================================================================
-- Storage: bucket notice-files (private). Objects live under <company>/<community>/<notice>/.
-- =====================================================================================
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values (
  'notice-files', 'notice-files', false, 20971520,
  array['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'application/pdf',
        'application/msword', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        'application/vnd.ms-excel', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'text/plain']
)
on conflict (id) do nothing;

create policy "notice-files: read with the notice" on storage.objects
  for select to authenticated
  using (
    bucket_id = 'notice-files'
    and (
      array_to_string((storage.foldername(name))[1:2], '/') = any ((select private.notice_publish_folders())::text[])
      or (storage.foldername(name))[3] = any ((select private.visible_notice_ids())::text[])
    )
  );
create policy "notice-files: publishers upload" on storage.objects
  for insert to authenticated
  with check (
    bucket_id = 'notice-files'
    and array_to_string((storage.foldername(name))[1:2], '/') = any ((select private.notice_publish_folders())::text[])
  );
create policy "notice-files: publishers replace" on storage.objects
  for update to authenticated
  using (
    bucket_id = 'notice-files'
    and array_to_string((storage.foldername(name))[1:2], '/') = any ((select private.notice_publish_folders())::text[])
  )
  with check (
    bucket_id = 'notice-files'
    and array_to_string((storage.foldername(name))[1:2], '/') = any ((select private.notice_publish_folders())::text[])
  );
create policy "notice-files: publishers delete" on storage.objects
  for delete to authenticated
  using (
    bucket_id = 'notice-files'
    and array_to_string((storage.foldername(name))[1:2], '/') = any ((select private.notice_publish_folders())::text[])
  );

-- =====================================================================================
-- Workflow
-- =====================================================================================

-- API callers (authenticated) need notice.publish in the notice's community; jobs and the
-- service role are trusted.
create or replace function private.assert_may_publish(p_notice public.notices)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if coalesce(current_setting('role', true), '') in ('anon', 'authenticated')
    and not private.has_permission(p_notice.company_id, 'notice.publish', p_notice.community_id) then
    raise exception using errcode = '42501', message = 'notices.forbidden';
  end if;
end
$$;
comment on function private.assert_may_publish(public.notices) is 'Raises 42501 unless the (API) caller holds notice.publish in the notice''s community.';
revoke all on function private.assert_may_publish(public.notices) from public, anon, authenticated;

-- Publishes a draft or scheduled notice now and notifies its audience. Returns the number of
-- residents notified. Publishing is once: the status leaves draft/scheduled in this transaction.
create or replace function private.publish_notice(p_notice_id uuid)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  n public.notices;
begin
  select * into n from public.notices where id = p_notice_id for update;
  if not found then
    raise exception using errcode = 'P0002', message = 'notices.not_found';
  end if;
  perform private.assert_may_publish(n);
  if n.status not in ('draft', 'scheduled') then
    raise exception using errcode = 'P0001', message = 'notices.not_publishable', detail = n.status::text;
  end if;
  if n.expires_at is not null and n.expires_at <= now() then
    raise exception using errcode = 'P0001', message = 'notices.already_expired';
  end if;
  if n.audience <> 'community' and not exists (select 1 from public.notice_targets t where t.notice_id = n.id) then
    raise exception using errcode = 'P0001', message = 'notices.audience_empty';
  end if;

  update public.notices
  set status = 'published', published_at = now(), publish_at = coalesce(publish_at, now())
  where id = n.id;

  return private.enqueue_notifications(
    'notice:' || n.id::text,
    array(select a.user_id from private.notice_audience_user_ids(n.id) a),
    case when n.category = 'activity' then 'activities' else 'notices' end::public.notification_category,
    n.title,
    left(regexp_replace(n.body_text, '\s+', ' ', 'g'), 140),
    '/notices/' || n.id::text,
    n.priority,
    n.company_id,
    n.community_id,
    jsonb_build_object('notice_id', n.id, 'notice_category', n.category),
    null
  );
end
$$;
comment on function private.publish_notice(uuid) is
  'Publishes a draft/scheduled notice now and notifies its audience (event notice:<id>). Needs notice.publish for API callers. Returns residents notified.';
revoke all on function private.publish_notice(uuid) from public, anon;
grant execute on function private.publish_notice(uuid) to authenticated, service_role;

create or replace function private.schedule_notice(p_notice_id uuid, p_publish_at timestamptz)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  n public.notices;
begin
  select * into n from public.notices where id = p_notice_id for update;
  if not found then
    raise exception using errcode = 'P0002', message = 'notices.not_found';
  end if;
  perform private.assert_may_publish(n);
  if n.status not in ('draft', 'scheduled') then
    raise exception using errcode = 'P0001', message = 'notices.not_publishable', detail = n.status::text;
  end if;
  if p_publish_at is null or p_publish_at <= now() then
    raise exception using errcode = 'P0001', message = 'notices.schedule_in_past';
  end if;
  if n.expires_at is not null and n.expires_at <= p_publish_at then
    raise exception using errcode = 'P0001', message = 'notices.expires_before_publish';
  end if;
  update public.notices set status = 'scheduled', publish_at = p_publish_at where id = n.id;
end
$$;
comment on function private.schedule_notice(uuid, timestamptz) is 'Schedules (or reschedules) a draft notice for publish_at; the scheduler publishes it once.';
revoke all on function private.schedule_notice(uuid, timestamptz) from public, anon;
grant execute on function private.schedule_notice(uuid, timestamptz) to authenticated, service_role;

create or replace function private.unschedule_notice(p_notice_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  n public.notices;
begin
  select * into n from public.notices where id = p_notice_id for update;
  if not found then
    raise exception using errcode = 'P0002', message = 'notices.not_found';
  end if;
  perform private.assert_may_publish(n);
  if n.status <> 'scheduled' then
    raise exception using errcode = 'P0001', message = 'notices.not_scheduled';
  end if;
  update public.notices set status = 'draft', publish_at = null where id = n.id;
end
$$;
comment on function private.unschedule_notice(uuid) is 'Takes a scheduled notice back to draft.';
revoke all on function private.unschedule_notice(uuid) from public, anon;
grant execute on function private.unschedule_notice(uuid) to authenticated, service_role;

-- Withdraws (撤回) a published notice: residents stop seeing it, and push/SMS/e-mail not yet
-- sent for it are cancelled. Inbox entries stay (their link then says it was withdrawn).
create or replace function private.withdraw_notice(p_notice_id uuid, p_reason text default null)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  n public.notices;
begin
  select * into n from public.notices where id = p_notice_id for update;
  if not found then
    raise exception using errcode = 'P0002', message = 'notices.not_found';
  end if;
  perform private.assert_may_publish(n);
  if n.status <> 'published' then
    raise exception using errcode = 'P0001', message = 'notices.not_published';
  end if;
  update public.notices
  set status = 'withdrawn', withdrawn_at = now(), withdrawn_by = (select auth.uid()),
      withdraw_reason = nullif(btrim(p_reason), '')
  where id = n.id;
  update public.notification_deliveries
  set status = 'skipped', last_error = 'notice withdrawn'
  where event_key = 'notice:' || n.id::text and status in ('pending', 'failed');
end
$$;
comment on function private.withdraw_notice(uuid, text) is 'Withdraws a published notice and cancels its unsent push/SMS/e-mail.';
revoke all on function private.withdraw_notice(uuid, text) from public, anon;
grant execute on function private.withdraw_notice(uuid, text) to authenticated, service_role;

-- The scheduler's job: publishes every scheduled notice whose time has come, once. Rows are
-- locked and skipped when another run holds them; a published notice is no longer scheduled.
create or replace function private.publish_due_notices()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid;
  v_count integer := 0;
begin
  for v_id in
    select n.id from public.notices n
    where n.status = 'scheduled' and n.publish_at <= now()
    order by n.publish_at
    for update skip locked
  loop
    begin
      perform private.publish_notice(v_id);
      v_count := v_count + 1;
    exception when others then
      -- One bad notice (e.g. expired before its time, or empty audience) must not block the others;
      -- it goes back to draft with the reason in the log.
      raise warning 'publishing scheduled notice % failed: %', v_id, sqlerrm;
      update public.notices set status = 'draft' where id = v_id;
    end;
  end loop;
  return v_count;
end
$$;
comment on function private.publish_due_notices() is
  'pg_cron job notices-publish-due: publishes scheduled notices whose publish_at has come, each exactly once.';
revoke all on function private.publish_due_notices() from public, anon, authenticated;
grant execute on function private.publish_due_notices() to service_role;

-- Read rate per building: audience residents and how many of them read the notice.
create or replace function private.notice_read_stats(p_notice_id uuid)
returns table (building_id uuid, building_name text, audience integer, readers integer)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  n public.notices;
begin
  select * into n from public.notices where id = p_notice_id;
  if not found then
    raise exception using errcode = 'P0002', message = 'notices.not_found';
  end if;
  perform private.assert_may_publish(n);
  return query
    select b.id, b.name, count(distinct a.user_id)::integer, count(distinct r.user_id)::integer
    from private.notice_audience_user_ids(n.id) a
    join public.buildings b on b.id = a.building_id
    left join public.notice_reads r on r.notice_id = n.id and r.user_id = a.user_id
    group by b.id, b.name, b.sort_order
    order by b.sort_order, b.name;
end
$$;
comment on function private.notice_read_stats(uuid) is
  'Per building: residents the notice is addressed to and how many read it (a resident of two buildings counts in both). Needs notice.publish.';
revoke all on function private.notice_read_stats(uuid) from public, anon;
grant execute on function private.notice_read_stats(uuid) to authenticated, service_role;

-- Delivery counts of a notice by channel and status, for the staff view.
create or replace function private.notice_delivery_stats(p_notice_id uuid)
returns table (channel public.notification_channel, status public.delivery_status, deliveries integer)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  n public.notices;
begin
  select * into n from public.notices where id = p_notice_id;
  if not found then
    raise exception using errcode = 'P0002', message = 'notices.not_found';
  end if;
  perform private.assert_may_publish(n);
  return query
    select d.channel, d.status, count(*)::integer
    from public.notification_deliveries d
    where d.event_key = 'notice:' || n.id::text
    group by d.channel, d.status
    order by d.channel, d.status;
end
$$;
comment on function private.notice_delivery_stats(uuid) is 'Push/SMS/e-mail delivery counts of a notice by channel and status. Needs notice.publish.';
revoke all on function private.notice_delivery_stats(uuid) from public, anon;
grant execute on function private.notice_delivery_stats(uuid) to authenticated, service_role;

-- Scheduled publishing, every 15 seconds (pg_cron 1.5+ interval syntax): a notice set for
-- 08:00 goes out within 15 s of it. Pure SQL, no function call needed.
select cron.schedule('notices-publish-due', '15 seconds', 'select private.publish_due_notices()');
