-- =====================================================================================
-- Repairs (物业报修, issue #7): tables
--
--   repair_categories            fault categories per community (水电, 门窗, 电梯…) with an icon,
--                                the areas they apply to and the expected response time
--   repair_community_settings    per community: where the property office is (for the
--                                technician's distance and ETA), how fast technicians travel
--   repair_assign_rules          auto-assignment per category and/or building
--   repair_tickets               the work order (报修单) and its workflow columns
--   repair_ticket_events         the timeline: one row per step, written by trigger only
--   repair_messages              conversation inside a ticket (public or staff-internal)
--   repair_media                 photos and videos (Storage bucket "repair-media") attached to
--                                a report, a message, a completion or a rating
--   repair_ratings               the resident's appraisal: speed, quality, attitude (1–5)
--   repair_followers             residents who report "me too" on a public-area ticket
--   repair_technician_locations  the assigned technician's last shared position (opt-in,
--                                deleted on arrival, start or reassignment)
--
-- The workflow (status machine, who may change what, events, realtime, auto-assignment)
-- is in 20261122301000_repairs_workflow.sql; grants and policies in
-- 20261122302000_repairs_access.sql. docs/repairs.md describes the feature end to end.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- Vocabulary
-- -------------------------------------------------------------------------------------
create type public.repair_status as enum (
  'pending', 'accepted', 'dispatched', 'in_progress', 'paused', 'completed', 'rated', 'cancelled', 'returned'
);
comment on type public.repair_status is
  'Ticket status: pending 待受理, accepted 已受理, dispatched 已派单, in_progress 维修中, paused 暂停 (e.g. waiting for parts), completed 已完成, rated 已评价, cancelled 已取消, returned 退回 (to the resident, with a reason). Transitions: private.repair_transitions.';

create type public.repair_area as enum ('home', 'public');
comment on type public.repair_area is 'Where the fault is: home 户内 (a unit) or public 公共区域 (a place in the community).';

create type public.repair_time_slot as enum ('any', 'morning', 'afternoon', 'evening');
comment on type public.repair_time_slot is 'Preferred visiting time of day: any 不限, morning 上午 (8–12), afternoon 下午 (12–18), evening 晚上 (18–21).';

create type public.repair_priority as enum ('normal', 'urgent');
comment on type public.repair_priority is 'Set by dispatchers; urgent tickets sort first in the queue.';

create type public.repair_source as enum ('resident', 'staff');
comment on type public.repair_source is 'Who entered the ticket: the resident in the app, or staff on the resident''s behalf (phone, front desk).';

create type public.repair_actor as enum ('reporter', 'creator', 'dispatcher', 'assignee', 'system');
comment on type public.repair_actor is
  'Capacities in which a caller may act on a ticket: reporter (the reporting household), creator (staff with repair.create), dispatcher (repair.dispatch in the community), assignee (the assigned technician, holding repair.work), system (jobs and internal functions).';

create type public.repair_event_type as enum (
  'created', 'accepted', 'dispatched', 'reassigned', 'declined', 'recalled', 'appointment_set', 'arrived',
  'started', 'paused', 'resumed', 'completed', 'rated', 'cancelled', 'merged', 'returned', 'resubmitted',
  'reopened', 'edited'
);
comment on type public.repair_event_type is 'Steps of the ticket timeline (repair_ticket_events.event).';

create type public.repair_media_kind as enum ('report', 'message', 'completion', 'rating');
comment on type public.repair_media_kind is 'What a photo or video belongs to: the report, a message, the completion (完工照片) or the rating.';

create type public.repair_media_type as enum ('image', 'video');
comment on type public.repair_media_type is 'image (compressed in the browser) or video (resumable TUS upload).';

create type public.repair_message_visibility as enum ('public', 'internal');
comment on type public.repair_message_visibility is 'public: the household and staff see it. internal: staff notes (内部备注), never shown to residents.';

create type public.repair_assign_strategy as enum ('technician', 'least_loaded');
comment on type public.repair_assign_strategy is 'Auto-assignment: a named technician, or the technician of the community with the fewest open tickets.';

-- -------------------------------------------------------------------------------------
-- Categories (报修类型)
-- -------------------------------------------------------------------------------------
create table public.repair_categories (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  name text not null check (char_length(btrim(name)) between 1 and 16),
  name_en text check (char_length(name_en) <= 32),
  icon text not null default 'wrench'
    check (icon in ('droplets', 'zap', 'door-open', 'arrow-up-down', 'trees', 'flame', 'wifi', 'wrench', 'lightbulb', 'shield', 'car', 'paintbrush')),
  for_home boolean not null default true,
  for_public boolean not null default true,
  response_minutes integer not null default 120 check (response_minutes between 5 and 10080),
  resolve_hours integer not null default 48 check (resolve_hours between 1 and 720),
  sort_order integer not null default 0,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint repair_categories_community_fkey foreign key (company_id, community_id)
    references public.communities (company_id, id) on delete cascade,
  constraint repair_categories_company_id_community_id_id_key unique (company_id, community_id, id),
  constraint repair_categories_company_id_community_id_name_key unique (company_id, community_id, name),
  constraint repair_categories_some_area check (for_home or for_public)
);
comment on table public.repair_categories is
  'Fault categories (报修类型) of one community, shown to residents when they report. Every community starts with the defaults (水电, 门窗, 电梯, 公共设施, 燃气, 网络, 其他); managers edit them (community.manage). Visible to the community''s residents and staff.';
comment on column public.repair_categories.name is 'Name shown to residents (Chinese).';
comment on column public.repair_categories.name_en is 'English name for residents using the English UI; the Chinese name is used when empty.';
comment on column public.repair_categories.icon is 'Icon name from a fixed set (lucide icons the app ships).';
comment on column public.repair_categories.for_home is 'Offered for faults inside a home (户内).';
comment on column public.repair_categories.for_public is 'Offered for faults in public areas (公共区域).';
comment on column public.repair_categories.response_minutes is 'Expected response time (响应时限): a ticket not accepted, dispatched or returned by then breaches the SLA.';
comment on column public.repair_categories.resolve_hours is 'Expected time to completion (完成时限) from submission.';
comment on column public.repair_categories.is_active is 'Inactive categories are hidden from new reports; old tickets keep them.';

create trigger repair_categories_touch_updated_at
  before update on public.repair_categories
  for each row execute function private.touch_updated_at();
create trigger repair_categories_guard_immutable
  before update on public.repair_categories
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'community_id');
create trigger repair_categories_audit
  after insert or update or delete on public.repair_categories
  for each row execute function audit.capture_change('company_id');

-- -------------------------------------------------------------------------------------
-- Community settings
-- -------------------------------------------------------------------------------------
create table public.repair_community_settings (
  community_id uuid primary key,
  company_id uuid not null,
  latitude numeric(9, 6) check (latitude between -90 and 90),
  longitude numeric(9, 6) check (longitude between -180 and 180),
  travel_speed_kmh numeric(5, 1) not null default 15 check (travel_speed_kmh between 1 and 120),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint repair_community_settings_community_fkey foreign key (company_id, community_id)
    references public.communities (company_id, id) on delete cascade,
  constraint repair_community_settings_position_pair check ((latitude is null) = (longitude is null))
);
comment on table public.repair_community_settings is
  'Repair settings of a community (one row, created with the community). Read by its staff and residents; edited with community.manage.';
comment on column public.repair_community_settings.latitude is
  'Where technicians are heading (the community gate or service centre), WGS-84. With longitude, the reference for the distance and ETA residents see; null = not set (no distance shown).';
comment on column public.repair_community_settings.longitude is 'See latitude.';
comment on column public.repair_community_settings.travel_speed_kmh is 'Average travel speed used for the ETA (e-bike in town ≈ 15 km/h).';
create index repair_community_settings_company_idx on public.repair_community_settings (company_id, community_id);

create trigger repair_community_settings_touch_updated_at
  before update on public.repair_community_settings
  for each row execute function private.touch_updated_at();
create trigger repair_community_settings_guard_immutable
  before update on public.repair_community_settings
  for each row execute function private.guard_immutable_columns('company_id', 'community_id');
create trigger repair_community_settings_audit
  after insert or update or delete on public.repair_community_settings
  for each row execute function audit.capture_change('company_id');

-- -------------------------------------------------------------------------------------
-- Tickets (报修单)
-- -------------------------------------------------------------------------------------
create sequence private.repair_ticket_number_seq;
comment on sequence private.repair_ticket_number_seq is 'Serial part of repair ticket numbers (BX<yymmdd>-<serial>).';

create table public.repair_tickets (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  number text not null,
  area public.repair_area not null,
  unit_id uuid,
  building_id uuid,
  location_note text check (char_length(location_note) <= 100),
  category_id uuid not null,
  description text not null check (char_length(btrim(description)) between 1 and 1000),
  contact_name text check (char_length(contact_name) <= 64),
  contact_phone text check (contact_phone ~ '^[1-9][0-9]{6,14}$'),
  preferred_date date,
  preferred_slot public.repair_time_slot not null default 'any',
  source public.repair_source not null default 'resident',
  reporter_id uuid default auth.uid() references public.profiles (id) on delete set null,
  priority public.repair_priority not null default 'normal',
  status public.repair_status not null default 'pending',
  status_reason text check (char_length(status_reason) <= 500),
  assignee_id uuid,
  appointment_at timestamptz,
  completion_note text check (char_length(completion_note) <= 1000),
  materials jsonb not null default '[]'
    check (jsonb_typeof(materials) = 'array' and jsonb_array_length(materials) <= 20),
  merged_into_id uuid,
  reopen_count smallint not null default 0,
  follower_count integer not null default 0,
  response_due_at timestamptz not null,
  resolve_due_at timestamptz not null,
  first_response_at timestamptz,
  accepted_at timestamptz,
  dispatched_at timestamptz,
  arrived_at timestamptz,
  started_at timestamptz,
  paused_at timestamptz,
  completed_at timestamptz,
  rated_at timestamptz,
  closed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint repair_tickets_number_key unique (number),
  constraint repair_tickets_company_id_community_id_id_key unique (company_id, community_id, id),
  constraint repair_tickets_community_fkey foreign key (company_id, community_id)
    references public.communities (company_id, id) on delete restrict,
  constraint repair_tickets_unit_fkey foreign key (company_id, community_id, unit_id)
    references public.units (company_id, community_id, id) on delete restrict,
  constraint repair_tickets_building_fkey foreign key (company_id, community_id, building_id)
    references public.buildings (company_id, community_id, id) on delete restrict,
  constraint repair_tickets_category_fkey foreign key (company_id, community_id, category_id)
    references public.repair_categories (company_id, community_id, id) on delete restrict,
  constraint repair_tickets_assignee_fkey foreign key (company_id, assignee_id)
    references public.company_members (company_id, id) on delete restrict,
  constraint repair_tickets_merged_into_fkey foreign key (company_id, community_id, merged_into_id)
    references public.repair_tickets (company_id, community_id, id) on delete restrict,
  constraint repair_tickets_area_target check (
    (area = 'home' and unit_id is not null)
    or (area = 'public' and unit_id is null and char_length(btrim(location_note)) > 0)
  ),
  constraint repair_tickets_dispatched_has_assignee check (
    status not in ('dispatched', 'in_progress', 'paused') or assignee_id is not null
  ),
  constraint repair_tickets_not_merged_into_self check (merged_into_id is distinct from id)
);
comment on table public.repair_tickets is
  'Repair tickets (报修单). Visible to the unit''s household (repairs.read), the reporter, and staff with repair.read in the community. Status and field changes are checked by private.repair_tickets_guard() against private.repair_transitions and private.repair_field_rules.';
comment on column public.repair_tickets.company_id is 'Tenant; filled by trigger from the unit or community, never chosen by the client.';
comment on column public.repair_tickets.number is 'Human-readable ticket number BX<yymmdd>-<serial> (China time), set by trigger.';
comment on column public.repair_tickets.area is 'home: fault inside unit_id. public: fault in a public area described by location_note (and optionally building_id).';
comment on column public.repair_tickets.unit_id is 'The unit (home repairs); its household sees the ticket.';
comment on column public.repair_tickets.building_id is 'Building of the unit (filled from it) or of the public area, for filtering and auto-assignment.';
comment on column public.repair_tickets.location_note is 'Where exactly (e.g. "2单元电梯厅"); required for public areas.';
comment on column public.repair_tickets.contact_phone is 'Phone to call about the visit, digits with country code (normalised by trigger).';
comment on column public.repair_tickets.preferred_date is 'The resident''s preferred visiting date (预约日期).';
comment on column public.repair_tickets.preferred_slot is 'The resident''s preferred time of day.';
comment on column public.repair_tickets.reporter_id is 'Who submitted it: the resident, or the staff member entering it for them (source = staff).';
comment on column public.repair_tickets.status_reason is 'Reason given with the last return (退回), pause (暂停), cancellation, reopening or decline.';
comment on column public.repair_tickets.assignee_id is 'The technician (company_members.id) doing the work; required from dispatched on.';
comment on column public.repair_tickets.appointment_at is 'Agreed visiting time set by the dispatcher or technician.';
comment on column public.repair_tickets.completion_note is 'What the technician did (维修说明).';
comment on column public.repair_tickets.materials is 'Materials used: [{"name": "水龙头", "quantity": 1, "unit": "个"}], at most 20 entries.';
comment on column public.repair_tickets.merged_into_id is 'Set when a dispatcher merges this duplicate into another ticket of the community (the duplicate is cancelled).';
comment on column public.repair_tickets.reopen_count is 'How often the household reopened the ticket after completion (within 7 days).';
comment on column public.repair_tickets.follower_count is 'Residents who reported the same public-area fault ("我也遇到了"), maintained by trigger.';
comment on column public.repair_tickets.response_due_at is 'Submission (or reopening) time + the category''s response time: the response SLA deadline.';
comment on column public.repair_tickets.resolve_due_at is 'Submission (or reopening) time + the category''s resolve time: the completion SLA deadline.';
comment on column public.repair_tickets.first_response_at is 'First acceptance, dispatch or return by staff (响应时间 is measured to this).';
comment on column public.repair_tickets.arrived_at is 'When the technician reported arriving (到场); ends location sharing.';
comment on column public.repair_tickets.paused_at is 'Start of the current pause; null when not paused.';
comment on column public.repair_tickets.closed_at is 'When the ticket was cancelled (or merged).';

create index repair_tickets_queue_idx on public.repair_tickets (company_id, community_id, created_at desc);
create index repair_tickets_queue_status_idx on public.repair_tickets (company_id, community_id, status, created_at desc);
create index repair_tickets_company_created_idx on public.repair_tickets (company_id, created_at desc);
create index repair_tickets_unit_fk_idx on public.repair_tickets (company_id, community_id, unit_id);
create index repair_tickets_building_idx on public.repair_tickets (company_id, community_id, building_id);
create index repair_tickets_category_idx on public.repair_tickets (company_id, community_id, category_id);
create index repair_tickets_assignee_idx on public.repair_tickets (company_id, assignee_id, status);
create index repair_tickets_merged_into_idx on public.repair_tickets (company_id, community_id, merged_into_id);
-- "My repairs" starts from the caller's units and from the caller (like occupancies_user_id_idx).
create index repair_tickets_unit_created_idx on public.repair_tickets (unit_id, created_at desc);
create index repair_tickets_reporter_idx on public.repair_tickets (reporter_id, created_at desc);

-- -------------------------------------------------------------------------------------
-- Auto-assignment rules (自动派单)
-- -------------------------------------------------------------------------------------
create table public.repair_assign_rules (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  category_id uuid,
  building_id uuid,
  strategy public.repair_assign_strategy not null,
  technician_id uuid,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint repair_assign_rules_community_fkey foreign key (company_id, community_id)
    references public.communities (company_id, id) on delete cascade,
  constraint repair_assign_rules_category_fkey foreign key (company_id, community_id, category_id)
    references public.repair_categories (company_id, community_id, id) on delete cascade,
  constraint repair_assign_rules_building_fkey foreign key (company_id, community_id, building_id)
    references public.buildings (company_id, community_id, id) on delete cascade,
  constraint repair_assign_rules_technician_fkey foreign key (company_id, technician_id)
    references public.company_members (company_id, id) on delete cascade,
  constraint repair_assign_rules_technician_named check ((strategy = 'technician') = (technician_id is not null))
);
comment on table public.repair_assign_rules is
  'Auto-assignment of new tickets: the most specific active rule (category and building, then category, then building, then any) picks a named technician or the least-loaded one. Read by staff with repair.read; edited with repair.dispatch.';
comment on column public.repair_assign_rules.category_id is 'Applies to this category only; null = any category.';
comment on column public.repair_assign_rules.building_id is 'Applies to this building only; null = any building (public areas without a building match only null).';
comment on column public.repair_assign_rules.technician_id is 'The technician (company_members.id) for strategy technician.';
create unique index repair_assign_rules_scope_key
  on public.repair_assign_rules (company_id, community_id, category_id, building_id) nulls not distinct;
create index repair_assign_rules_category_idx on public.repair_assign_rules (company_id, community_id, category_id);
create index repair_assign_rules_building_idx on public.repair_assign_rules (company_id, community_id, building_id);
create index repair_assign_rules_technician_idx on public.repair_assign_rules (company_id, technician_id);

create trigger repair_assign_rules_touch_updated_at
  before update on public.repair_assign_rules
  for each row execute function private.touch_updated_at();
create trigger repair_assign_rules_guard_immutable
  before update on public.repair_assign_rules
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'community_id');
create trigger repair_assign_rules_audit
  after insert or update or delete on public.repair_assign_rules
  for each row execute function audit.capture_change('company_id');

-- -------------------------------------------------------------------------------------
-- Timeline
-- -------------------------------------------------------------------------------------
create table public.repair_ticket_events (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  ticket_id uuid not null,
  event public.repair_event_type not null,
  from_status public.repair_status,
  to_status public.repair_status not null,
  actor_id uuid,
  actor_name text,
  reason text,
  data jsonb not null default '{}',
  visible_to_resident boolean not null default true,
  created_at timestamptz not null default clock_timestamp(),
  constraint repair_ticket_events_ticket_fkey foreign key (company_id, community_id, ticket_id)
    references public.repair_tickets (company_id, community_id, id) on delete cascade
);
comment on table public.repair_ticket_events is
  'The ticket timeline (进度): one row per step, written only by triggers on repair_tickets (append-only; it is itself the ticket''s history, so it has no audit trigger). Residents see the rows marked visible_to_resident.';
comment on column public.repair_ticket_events.actor_id is 'auth.uid() of whoever caused the step; null for jobs and automatic steps (auto-assignment).';
comment on column public.repair_ticket_events.actor_name is 'The actor''s display name when the step happened (a snapshot, so the timeline reads without access to profiles).';
comment on column public.repair_ticket_events.data is 'Details of the step: {"assignee_id", "assignee_name"} for dispatches, {"appointment_at"}, {"merged_into_number"}.';
comment on column public.repair_ticket_events.visible_to_resident is 'False for internal steps (a technician declining a task, a dispatcher recalling it).';
comment on column public.repair_ticket_events.created_at is 'clock_timestamp(): steps of one transaction keep their order.';
create index repair_ticket_events_ticket_idx on public.repair_ticket_events (company_id, community_id, ticket_id, created_at);
create index repair_ticket_events_ticket_id_idx on public.repair_ticket_events (ticket_id, created_at);

-- -------------------------------------------------------------------------------------
-- Messages
-- -------------------------------------------------------------------------------------
create table public.repair_messages (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  ticket_id uuid not null,
  author_id uuid default auth.uid() references public.profiles (id) on delete set null,
  author_name text not null default '',
  from_staff boolean not null default false,
  visibility public.repair_message_visibility not null default 'public',
  body text not null check (char_length(btrim(body)) between 1 and 1000),
  created_at timestamptz not null default now(),
  constraint repair_messages_ticket_fkey foreign key (company_id, community_id, ticket_id)
    references public.repair_tickets (company_id, community_id, id) on delete cascade,
  constraint repair_messages_company_id_id_key unique (company_id, id)
);
comment on table public.repair_messages is
  'Messages inside a ticket between the household and staff/technician (public), and staff-only notes (internal). Messages are never edited.';
comment on column public.repair_messages.author_name is 'The author''s display name when writing (snapshot, set by trigger).';
comment on column public.repair_messages.from_staff is 'Set by trigger: the author held repair.read in the community when writing.';
create index repair_messages_ticket_idx on public.repair_messages (company_id, community_id, ticket_id, created_at);
create index repair_messages_ticket_id_idx on public.repair_messages (ticket_id, created_at);
create index repair_messages_author_idx on public.repair_messages (author_id);

-- -------------------------------------------------------------------------------------
-- Media
-- -------------------------------------------------------------------------------------
create table public.repair_media (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  ticket_id uuid not null,
  kind public.repair_media_kind not null,
  message_id uuid,
  internal boolean not null default false,
  object_path text not null check (char_length(object_path) <= 200 and object_path !~ '(^/|\.\.)'),
  media_type public.repair_media_type not null,
  mime_type text not null,
  size_bytes bigint not null,
  uploaded_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  constraint repair_media_ticket_fkey foreign key (company_id, community_id, ticket_id)
    references public.repair_tickets (company_id, community_id, id) on delete cascade,
  constraint repair_media_message_fkey foreign key (company_id, message_id)
    references public.repair_messages (company_id, id) on delete cascade,
  constraint repair_media_object_path_key unique (object_path),
  constraint repair_media_message_kind check ((kind = 'message') = (message_id is not null))
);
comment on table public.repair_media is
  'Photos and videos of a ticket: objects in the private Storage bucket "repair-media" under <uploader id>/…. An object becomes readable by the ticket''s household and the community''s staff once a row here links it to the ticket (storage policy repair_media_select); internal (message) media by staff only.';
comment on column public.repair_media.internal is 'Copied from the message: media of an internal note is staff-only.';
comment on column public.repair_media.object_path is 'Object name in bucket repair-media: <uploader user id>/<random>.<ext>.';
comment on column public.repair_media.media_type is 'image or video, from the stored object''s MIME type (set by trigger).';
comment on column public.repair_media.mime_type is 'MIME type recorded by Storage (checked against the bytes on upload).';
comment on column public.repair_media.size_bytes is 'Object size recorded by Storage.';
create index repair_media_ticket_idx on public.repair_media (company_id, community_id, ticket_id, kind);
create index repair_media_ticket_id_idx on public.repair_media (ticket_id);
create index repair_media_message_idx on public.repair_media (company_id, message_id);
create index repair_media_uploaded_by_idx on public.repair_media (uploaded_by);

-- -------------------------------------------------------------------------------------
-- Ratings (评价)
-- -------------------------------------------------------------------------------------
create table public.repair_ratings (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  ticket_id uuid not null,
  round smallint not null default 0,
  technician_id uuid,
  speed smallint not null check (speed between 1 and 5),
  quality smallint not null check (quality between 1 and 5),
  attitude smallint not null check (attitude between 1 and 5),
  comment text check (char_length(comment) <= 500),
  rated_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  constraint repair_ratings_ticket_fkey foreign key (company_id, community_id, ticket_id)
    references public.repair_tickets (company_id, community_id, id) on delete cascade,
  constraint repair_ratings_technician_fkey foreign key (company_id, technician_id)
    references public.company_members (company_id, id) on delete set null (technician_id),
  constraint repair_ratings_ticket_round_key unique (ticket_id, round)
);
comment on table public.repair_ratings is
  'The household''s appraisal of completed work (维修速度, 维修质量, 服务态度, 1–5 each) with a comment; one per ticket and round (a reopened ticket is rated again). Drives technician performance.';
comment on column public.repair_ratings.round is 'The ticket''s reopen_count when rated (set by trigger).';
comment on column public.repair_ratings.technician_id is 'The technician who did the work (set by trigger from the ticket''s assignee).';
create index repair_ratings_ticket_idx on public.repair_ratings (company_id, community_id, ticket_id);
create index repair_ratings_technician_idx on public.repair_ratings (company_id, technician_id, created_at);
create index repair_ratings_rated_by_idx on public.repair_ratings (rated_by);

-- -------------------------------------------------------------------------------------
-- Followers ("我也遇到了" on public-area tickets)
-- -------------------------------------------------------------------------------------
create table public.repair_followers (
  ticket_id uuid not null,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  company_id uuid not null,
  community_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (ticket_id, user_id),
  constraint repair_followers_ticket_fkey foreign key (company_id, community_id, ticket_id)
    references public.repair_tickets (company_id, community_id, id) on delete cascade
);
comment on table public.repair_followers is
  'Residents of the community who have the same public-area fault as an open ticket: counted on the ticket and notified of its progress (they do not see the reporter''s details).';
create index repair_followers_ticket_idx on public.repair_followers (company_id, community_id, ticket_id);
create index repair_followers_user_idx on public.repair_followers (user_id);

-- -------------------------------------------------------------------------------------
-- Technician location (opt-in, last position only)
-- -------------------------------------------------------------------------------------
create table public.repair_technician_locations (
  ticket_id uuid primary key,
  company_id uuid not null,
  community_id uuid not null,
  technician_id uuid not null,
  latitude numeric(9, 6) not null check (latitude between -90 and 90),
  longitude numeric(9, 6) not null check (longitude between -180 and 180),
  accuracy_m integer check (accuracy_m between 0 and 100000),
  recorded_at timestamptz not null default now(),
  constraint repair_technician_locations_ticket_fkey foreign key (company_id, community_id, ticket_id)
    references public.repair_tickets (company_id, community_id, id) on delete cascade,
  constraint repair_technician_locations_technician_fkey foreign key (company_id, technician_id)
    references public.company_members (company_id, id) on delete cascade
);
comment on table public.repair_technician_locations is
  'The assigned technician''s last shared position while on the way (opt-in). Only the latest point is kept and it is deleted on arrival, start, completion or reassignment; no history and no audit trail (a location trail is personal data the feature does not need). Residents never read coordinates: the app shows distance and ETA.';
comment on column public.repair_technician_locations.technician_id is 'The sharing technician (company_members.id); must be the ticket''s assignee.';
comment on column public.repair_technician_locations.accuracy_m is 'Accuracy reported by the device, metres.';
create index repair_technician_locations_company_idx on public.repair_technician_locations (company_id, community_id, ticket_id);
create index repair_technician_locations_technician_idx on public.repair_technician_locations (company_id, technician_id);

alter table public.repair_categories enable row level security;
alter table public.repair_community_settings enable row level security;
alter table public.repair_tickets enable row level security;
alter table public.repair_assign_rules enable row level security;
alter table public.repair_ticket_events enable row level security;
alter table public.repair_messages enable row level security;
alter table public.repair_media enable row level security;
alter table public.repair_ratings enable row level security;
alter table public.repair_followers enable row level security;
alter table public.repair_technician_locations enable row level security;
revoke all on public.repair_categories, public.repair_community_settings, public.repair_tickets,
  public.repair_assign_rules, public.repair_ticket_events, public.repair_messages, public.repair_media,
  public.repair_ratings, public.repair_followers, public.repair_technician_locations
  from public, anon, authenticated;
