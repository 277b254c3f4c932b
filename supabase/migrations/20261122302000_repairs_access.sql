-- =====================================================================================
-- Repairs (issue #7): grants and policies, the media bucket, and the Realtime topics
--
-- Who sees a ticket: staff with repair.read in its community (front desk, managers,
-- technicians, company admins), the unit's household (principals, and family members with
-- the repairs.read grant) and whoever reported it. Finer rules — who may take which status
-- step or change which field — are the workflow's (private.repair_tickets_guard), so they
-- hold for every caller, not only for API users.
-- tests/rls/repairs-matrix.integration.test.ts exercises every policy for every persona.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- Service role: full table access for jobs (it bypasses RLS; the workflow still applies)
-- -------------------------------------------------------------------------------------
grant select, insert, update, delete on
  public.repair_categories, public.repair_community_settings, public.repair_tickets,
  public.repair_assign_rules, public.repair_ticket_events, public.repair_messages, public.repair_media,
  public.repair_ratings, public.repair_followers, public.repair_technician_locations
  to service_role;

-- =====================================================================================
-- repair_categories
-- =====================================================================================
grant select, delete on public.repair_categories to authenticated;
grant insert (company_id, community_id, name, name_en, icon, for_home, for_public, response_minutes, resolve_hours, sort_order, is_active)
  on public.repair_categories to authenticated;
grant update (name, name_en, icon, for_home, for_public, response_minutes, resolve_hours, sort_order, is_active)
  on public.repair_categories to authenticated;

create policy repair_categories_select on public.repair_categories
  for select to authenticated
  using (
    community_id = any ((select private.my_community_ids())::uuid[])
    or community_id = any ((select private.communities_with_permission('repair.read'))::uuid[])
  );
create policy repair_categories_insert on public.repair_categories
  for insert to authenticated
  with check (community_id = any ((select private.communities_with_permission('community.manage'))::uuid[]));
create policy repair_categories_update on public.repair_categories
  for update to authenticated
  using (community_id = any ((select private.communities_with_permission('community.manage'))::uuid[]))
  with check (community_id = any ((select private.communities_with_permission('community.manage'))::uuid[]));
create policy repair_categories_delete on public.repair_categories
  for delete to authenticated
  using (community_id = any ((select private.communities_with_permission('community.manage'))::uuid[]));

-- =====================================================================================
-- repair_community_settings (one row per community, created by trigger)
-- =====================================================================================
grant select on public.repair_community_settings to authenticated;
grant update (latitude, longitude, travel_speed_kmh) on public.repair_community_settings to authenticated;

-- Residents read it too: the ETA they see is measured to this point.
create policy repair_community_settings_select on public.repair_community_settings
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('repair.read'))::uuid[])
    or community_id = any ((select private.my_community_ids())::uuid[])
  );
create policy repair_community_settings_update on public.repair_community_settings
  for update to authenticated
  using (community_id = any ((select private.communities_with_permission('community.manage'))::uuid[]))
  with check (community_id = any ((select private.communities_with_permission('community.manage'))::uuid[]));

-- =====================================================================================
-- repair_assign_rules
-- =====================================================================================
grant select, delete on public.repair_assign_rules to authenticated;
grant insert (company_id, community_id, category_id, building_id, strategy, technician_id, is_active)
  on public.repair_assign_rules to authenticated;
grant update (strategy, technician_id, is_active) on public.repair_assign_rules to authenticated;

create policy repair_assign_rules_select on public.repair_assign_rules
  for select to authenticated
  using (community_id = any ((select private.communities_with_permission('repair.read'))::uuid[]));
create policy repair_assign_rules_insert on public.repair_assign_rules
  for insert to authenticated
  with check (community_id = any ((select private.communities_with_permission('repair.dispatch'))::uuid[]));
create policy repair_assign_rules_update on public.repair_assign_rules
  for update to authenticated
  using (community_id = any ((select private.communities_with_permission('repair.dispatch'))::uuid[]))
  with check (community_id = any ((select private.communities_with_permission('repair.dispatch'))::uuid[]));
create policy repair_assign_rules_delete on public.repair_assign_rules
  for delete to authenticated
  using (community_id = any ((select private.communities_with_permission('repair.dispatch'))::uuid[]));

-- =====================================================================================
-- repair_tickets (no DELETE: cancel instead)
-- =====================================================================================
grant select on public.repair_tickets to authenticated;
grant insert (area, unit_id, community_id, building_id, location_note, category_id, description,
  contact_name, contact_phone, preferred_date, preferred_slot)
  on public.repair_tickets to authenticated;
grant update (status, status_reason, description, contact_name, contact_phone, preferred_date, preferred_slot,
  location_note, category_id, priority, assignee_id, appointment_at, arrived_at, completion_note, materials,
  merged_into_id)
  on public.repair_tickets to authenticated;

create policy repair_tickets_select on public.repair_tickets
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('repair.read'))::uuid[])
    or unit_id = any ((select private.household_unit_ids('repairs.read'))::uuid[])
    or reporter_id = (select auth.uid())
  );
-- Checked after the BEFORE triggers, so company and community are the unit's, not the client's.
create policy repair_tickets_insert on public.repair_tickets
  for insert to authenticated
  with check (
    (area = 'home' and unit_id = any ((select private.household_unit_ids('repairs.create'))::uuid[]))
    or (area = 'public' and community_id = any ((select private.my_community_ids())::uuid[]))
    or community_id = any ((select private.communities_with_permission('repair.create'))::uuid[])
  );
-- Row access for everyone who may act on a ticket; which step or field is theirs is the guard's.
create policy repair_tickets_update on public.repair_tickets
  for update to authenticated
  using (
    community_id = any ((select private.communities_with_permission('repair.dispatch'))::uuid[])
    or community_id = any ((select private.communities_with_permission('repair.work'))::uuid[])
    or unit_id = any ((select private.household_unit_ids('repairs.create'))::uuid[])
    or reporter_id = (select auth.uid())
  )
  with check (
    community_id = any ((select private.communities_with_permission('repair.dispatch'))::uuid[])
    or community_id = any ((select private.communities_with_permission('repair.work'))::uuid[])
    or unit_id = any ((select private.household_unit_ids('repairs.create'))::uuid[])
    or reporter_id = (select auth.uid())
  );

-- =====================================================================================
-- repair_ticket_events (written by triggers only)
-- =====================================================================================
grant select on public.repair_ticket_events to authenticated;

create policy repair_ticket_events_select on public.repair_ticket_events
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('repair.read'))::uuid[])
    or (visible_to_resident and ticket_id = any ((select private.my_repair_ticket_ids())::uuid[]))
  );

-- =====================================================================================
-- repair_messages (insert only; internal notes are staff-only)
-- =====================================================================================
grant select on public.repair_messages to authenticated;
grant insert (ticket_id, visibility, body) on public.repair_messages to authenticated;

create policy repair_messages_select on public.repair_messages
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('repair.read'))::uuid[])
    or (visibility = 'public' and ticket_id = any ((select private.my_repair_ticket_ids())::uuid[]))
  );
create policy repair_messages_insert on public.repair_messages
  for insert to authenticated
  with check (author_id = (select auth.uid()) and private.can_read_repair_ticket(ticket_id));

-- =====================================================================================
-- repair_media (insert only; the objects themselves are governed by the storage policies)
-- =====================================================================================
grant select on public.repair_media to authenticated;
grant insert (ticket_id, kind, message_id, object_path) on public.repair_media to authenticated;

create policy repair_media_select on public.repair_media
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('repair.read'))::uuid[])
    or (not internal and ticket_id = any ((select private.my_repair_ticket_ids())::uuid[]))
  );
-- Only one's own uploads (first folder = own user id), attached where one may attach.
create policy repair_media_insert on public.repair_media
  for insert to authenticated
  with check (
    uploaded_by = (select auth.uid())
    and (storage.foldername(object_path))[1] = (select auth.uid())::text
    and private.can_attach_repair_media(ticket_id, kind, message_id)
  );

-- =====================================================================================
-- repair_ratings
-- =====================================================================================
grant select on public.repair_ratings to authenticated;
grant insert (ticket_id, speed, quality, attitude, comment) on public.repair_ratings to authenticated;

create policy repair_ratings_select on public.repair_ratings
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('repair.read'))::uuid[])
    or ticket_id = any ((select private.my_repair_ticket_ids())::uuid[])
  );
create policy repair_ratings_insert on public.repair_ratings
  for insert to authenticated
  with check (rated_by = (select auth.uid()) and private.can_rate_repair(ticket_id));

-- =====================================================================================
-- repair_followers
-- =====================================================================================
grant select, delete on public.repair_followers to authenticated;
grant insert (ticket_id) on public.repair_followers to authenticated;

create policy repair_followers_select on public.repair_followers
  for select to authenticated
  using (
    user_id = (select auth.uid())
    or community_id = any ((select private.communities_with_permission('repair.read'))::uuid[])
  );
create policy repair_followers_insert on public.repair_followers
  for insert to authenticated
  with check (user_id = (select auth.uid()) and private.can_follow_repair(ticket_id));
create policy repair_followers_delete on public.repair_followers
  for delete to authenticated
  using (user_id = (select auth.uid()));

-- =====================================================================================
-- repair_technician_locations (the assigned technician writes; household and staff read)
-- =====================================================================================
grant select, delete on public.repair_technician_locations to authenticated;
grant insert (ticket_id, latitude, longitude, accuracy_m) on public.repair_technician_locations to authenticated;
grant update (latitude, longitude, accuracy_m) on public.repair_technician_locations to authenticated;

create policy repair_technician_locations_select on public.repair_technician_locations
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('repair.read'))::uuid[])
    or ticket_id = any ((select private.my_repair_ticket_ids())::uuid[])
  );
create policy repair_technician_locations_insert on public.repair_technician_locations
  for insert to authenticated
  with check (private.is_repair_assignee_on_the_way(ticket_id));
create policy repair_technician_locations_update on public.repair_technician_locations
  for update to authenticated
  using (private.is_repair_assignee_on_the_way(ticket_id))
  with check (private.is_repair_assignee_on_the_way(ticket_id));
create policy repair_technician_locations_delete on public.repair_technician_locations
  for delete to authenticated
  using (technician_id = any ((select private.my_member_ids())::uuid[]));

-- =====================================================================================
-- Storage: the private bucket "repair-media"
--   object names: <uploader user id>/<random>.<ext>
--   upload  verified residents and repair staff, into their own folder, allowed types only
--   read    the uploader, and whoever may see a repair_media row linking the object (that
--           table's policy: the ticket's household and the community's staff; internal
--           media staff only). Signed URLs are created as the caller, so the same rule holds.
--   delete  the uploader, while the object is not attached to a ticket
-- =====================================================================================
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values (
  'repair-media', 'repair-media', false, 104857600,
  array['image/jpeg', 'image/png', 'image/webp', 'video/mp4', 'video/quicktime', 'video/webm']
)
on conflict (id) do update
  set public = excluded.public,
      file_size_limit = excluded.file_size_limit,
      allowed_mime_types = excluded.allowed_mime_types;

create or replace function private.repair_can_upload()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select cardinality(private.my_unit_ids()) > 0
    or cardinality(private.communities_with_permission('repair.read')) > 0
$$;
comment on function private.repair_can_upload() is 'Verified residents and staff with repair.read somewhere may upload repair media.';

create or replace function private.repair_object_attached(p_name text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select 1 from public.repair_media m where m.object_path = p_name)
$$;
comment on function private.repair_object_attached(text) is 'Whether a repair-media object is linked to a ticket (then it can no longer be deleted by its uploader).';

revoke all on function private.repair_can_upload() from public, anon;
revoke all on function private.repair_object_attached(text) from public, anon;
grant execute on function private.repair_can_upload() to authenticated, service_role;
grant execute on function private.repair_object_attached(text) to authenticated, service_role;

create policy repair_media_objects_select on storage.objects
  for select to authenticated
  using (
    bucket_id = 'repair-media'
    and (
      owner_id = (select auth.uid())::text
      or exists (select 1 from public.repair_media m where m.object_path = objects.name)
    )
  );
create policy repair_media_objects_insert on storage.objects
  for insert to authenticated
  with check (
    bucket_id = 'repair-media'
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and lower(storage.extension(name)) in ('jpg', 'jpeg', 'png', 'webp', 'mp4', 'mov', 'webm')
    and (select private.repair_can_upload())
  );
create policy repair_media_objects_delete on storage.objects
  for delete to authenticated
  using (
    bucket_id = 'repair-media'
    and owner_id = (select auth.uid())::text
    and not private.repair_object_attached(name)
  );

-- =====================================================================================
-- Realtime: private topics repair:ticket:<id> and repair:community:<id> (read only; only the
-- database broadcasts on them, clients cannot send)
-- =====================================================================================
create policy repair_topics_read on realtime.messages
  for select to authenticated
  using (
    extension = 'broadcast'
    and (select private.can_read_repair_topic((select realtime.topic())))
  );
