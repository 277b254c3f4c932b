import { createHash } from 'node:crypto';
import type { Tx } from '~/lib/db.server';
import { fromDatabaseError, RepairError } from './errors';
import { approach } from './geo';
import type {
  CategoryIcon,
  Material,
  RepairEventType,
  RepairStatus,
  ReportInput,
  TimeSlot,
} from './repairs.schema';

/**
 * Repairs, shared reads and the resident's side. Every function takes a transaction from
 * `withUser`, so row-level security decides what the caller sees; the workflow rules (who may
 * take which step) are the database's (private.repair_tickets_guard). Functions return DTOs.
 */

export type RepairActor = 'reporter' | 'creator' | 'dispatcher' | 'assignee' | 'system';

export type CategoryDTO = {
  id: string;
  communityId: string;
  name: string;
  nameEn: string | null;
  icon: CategoryIcon;
  forHome: boolean;
  forPublic: boolean;
  responseMinutes: number;
  resolveHours: number;
  sortOrder: number;
  active: boolean;
};

export type TicketDTO = {
  id: string;
  number: string;
  status: RepairStatus;
  area: 'home' | 'public';
  priority: 'normal' | 'urgent';
  source: 'resident' | 'staff';
  companyId: string;
  communityId: string;
  communityName: string;
  category: { id: string; name: string; nameEn: string | null; icon: CategoryIcon };
  buildingId: string | null;
  unitId: string | null;
  place: string;
  locationNote: string | null;
  description: string;
  contactName: string | null;
  contactPhone: string | null;
  preferredDate: string | null;
  preferredSlot: TimeSlot;
  statusReason: string | null;
  assigneeId: string | null;
  appointmentAt: string | null;
  completionNote: string | null;
  materials: Material[];
  mergedIntoId: string | null;
  mergedIntoNumber: string | null;
  reopenCount: number;
  followerCount: number;
  responseDueAt: string;
  resolveDueAt: string;
  firstResponseAt: string | null;
  dispatchedAt: string | null;
  arrivedAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  ratedAt: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
  overdue: boolean;
  /** Capacities in which the viewer may act on this ticket. */
  actors: RepairActor[];
};

export type TicketEventDTO = {
  id: string;
  event: RepairEventType;
  fromStatus: RepairStatus | null;
  toStatus: RepairStatus;
  actorName: string | null;
  reason: string | null;
  assigneeName: string | null;
  appointmentAt: string | null;
  mergedIntoNumber: string | null;
  createdAt: string;
};

export type MediaDTO = {
  id: string;
  kind: 'report' | 'message' | 'completion' | 'rating';
  mediaType: 'image' | 'video';
  path: string;
  messageId: string | null;
  /** A signed URL, filled in by the route (repairs-media.server.ts). */
  url: string | null;
};

export type MessageDTO = {
  id: string;
  body: string;
  authorName: string;
  fromStaff: boolean;
  mine: boolean;
  internal: boolean;
  createdAt: string;
};

export type RatingDTO = {
  round: number;
  speed: number;
  quality: number;
  attitude: number;
  comment: string | null;
  createdAt: string;
};

export type AssigneeDTO = {
  memberId: string;
  name: string;
  phone: string | null;
  avatarPath: string | null;
  jobTitle: string | null;
};

export type LocationDTO = {
  sharing: boolean;
  updatedAt: string | null;
  /** No fix for two minutes: the technician may have lost signal. */
  stale: boolean;
  distanceM: number | null;
  bearing: number | null;
  etaMinutes: number | null;
};

export type TicketDetail = {
  ticket: TicketDTO;
  events: TicketEventDTO[];
  messages: MessageDTO[];
  media: MediaDTO[];
  ratings: RatingDTO[];
  assignee: AssigneeDTO | null;
  location: LocationDTO;
};

/**
 * A named statement for a hot query: Postgres plans it once per connection and reuses the plan
 * (planning these joins costs more than running them). The name carries a hash of the text,
 * so variants built from filters never collide.
 */
export function named(prefix: string, text: string): { name: string; text: string } {
  return { name: `${prefix}.${createHash('sha1').update(text).digest('hex').slice(0, 12)}`, text };
}

/** Runs a unit of database work, turning the database's refusals into RepairErrors. */
export async function dbStep<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw fromDatabaseError(err);
  }
}

// ---------------------------------------------------------------------------------------
// Tickets
// ---------------------------------------------------------------------------------------

/**
 * Columns and joins of a ticket row as TicketDTO wants it, without the viewer's capacities
 * (lists; `actors` comes back empty). Joins are left: RLS may hide a row.
 */
export const TICKET_LIST_SELECT = `
  select t.id, t.number, t.status, t.area, t.priority, t.source, t.company_id, t.community_id,
    coalesce(cm.name, '') as community_name,
    t.category_id, coalesce(c.name, '') as category_name, c.name_en as category_name_en,
    coalesce(c.icon, 'wrench') as category_icon,
    t.building_id, t.unit_id, b.name as building_name, u.entrance as unit_entrance, u.number as unit_number,
    t.location_note, t.description, t.contact_name, t.contact_phone, t.preferred_date, t.preferred_slot,
    t.status_reason, t.assignee_id, t.appointment_at, t.completion_note, t.materials, t.merged_into_id,
    mt.number as merged_into_number, t.reopen_count, t.follower_count, t.response_due_at, t.resolve_due_at,
    t.first_response_at, t.dispatched_at, t.arrived_at, t.started_at, t.completed_at, t.rated_at, t.closed_at,
    t.created_at, t.updated_at,
    (
      (t.first_response_at is null and t.status = 'pending' and now() > t.response_due_at)
      or t.first_response_at > t.response_due_at
      or (t.completed_at is null and t.status in ('accepted', 'dispatched', 'in_progress', 'paused') and now() > t.resolve_due_at)
      or t.completed_at > t.resolve_due_at
    ) as overdue,
    '{}'::text[] as actors
  from public.repair_tickets t
  left join public.repair_categories c on c.id = t.category_id
  left join public.communities cm on cm.id = t.community_id
  left join public.buildings b on b.id = t.building_id
  left join public.units u on u.id = t.unit_id
  left join public.repair_tickets mt on mt.id = t.merged_into_id`;

/** One ticket with the capacities in which the viewer may act on it (detail pages). */
export const TICKET_SELECT = TICKET_LIST_SELECT.replace(
  `'{}'::text[] as actors`,
  'private.repair_actors(t.company_id, t.community_id, t.area, t.unit_id, t.reporter_id, t.assignee_id, false)::text[] as actors',
);

export type TicketRow = {
  id: string;
  number: string;
  status: RepairStatus;
  area: 'home' | 'public';
  priority: 'normal' | 'urgent';
  source: 'resident' | 'staff';
  company_id: string;
  community_id: string;
  community_name: string;
  category_id: string;
  category_name: string;
  category_name_en: string | null;
  category_icon: CategoryIcon;
  building_id: string | null;
  unit_id: string | null;
  building_name: string | null;
  unit_entrance: number | null;
  unit_number: string | null;
  location_note: string | null;
  description: string;
  contact_name: string | null;
  contact_phone: string | null;
  preferred_date: string | null;
  preferred_slot: TimeSlot;
  status_reason: string | null;
  assignee_id: string | null;
  appointment_at: string | null;
  completion_note: string | null;
  materials: Material[];
  merged_into_id: string | null;
  merged_into_number: string | null;
  reopen_count: number;
  follower_count: number;
  response_due_at: string;
  resolve_due_at: string;
  first_response_at: string | null;
  dispatched_at: string | null;
  arrived_at: string | null;
  started_at: string | null;
  completed_at: string | null;
  rated_at: string | null;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
  overdue: boolean;
  actors: RepairActor[];
};

/** "1栋 2单元 1201" for a unit, "3栋 · 电梯厅" or "电梯厅" for a public area. */
export function placeLabel(
  row: Pick<TicketRow, 'area' | 'building_name' | 'unit_entrance' | 'unit_number' | 'location_note'>,
): string {
  if (row.area === 'home') {
    return [row.building_name, row.unit_entrance ? `${row.unit_entrance}单元` : null, row.unit_number]
      .filter(Boolean)
      .join(' ');
  }
  return [row.building_name, row.location_note].filter(Boolean).join(' · ');
}

export function toTicket(row: TicketRow): TicketDTO {
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    area: row.area,
    priority: row.priority,
    source: row.source,
    companyId: row.company_id,
    communityId: row.community_id,
    communityName: row.community_name,
    category: {
      id: row.category_id,
      name: row.category_name,
      nameEn: row.category_name_en,
      icon: row.category_icon,
    },
    buildingId: row.building_id,
    unitId: row.unit_id,
    place: placeLabel(row),
    locationNote: row.location_note,
    description: row.description,
    contactName: row.contact_name,
    contactPhone: row.contact_phone,
    preferredDate: row.preferred_date,
    preferredSlot: row.preferred_slot,
    statusReason: row.status_reason,
    assigneeId: row.assignee_id,
    appointmentAt: row.appointment_at,
    completionNote: row.completion_note,
    materials: row.materials ?? [],
    mergedIntoId: row.merged_into_id,
    mergedIntoNumber: row.merged_into_number,
    reopenCount: row.reopen_count,
    followerCount: row.follower_count,
    responseDueAt: row.response_due_at,
    resolveDueAt: row.resolve_due_at,
    firstResponseAt: row.first_response_at,
    dispatchedAt: row.dispatched_at,
    arrivedAt: row.arrived_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    ratedAt: row.rated_at,
    closedAt: row.closed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    overdue: row.overdue,
    actors: row.actors ?? [],
  };
}

export async function getTicket(tx: Tx, id: string): Promise<TicketDTO> {
  const { rows } = await tx.query<TicketRow>(`${TICKET_SELECT} where t.id = $1`, [id]);
  if (!rows[0]) throw new RepairError('repairs.not_found');
  return toTicket(rows[0]);
}

/** The ticket with its timeline, conversation, media, ratings, technician and location, as the caller may see them. */
export async function getTicketDetail(tx: Tx, id: string): Promise<TicketDetail> {
  const ticket = await getTicket(tx, id);
  const [events, messages, media, ratings, assignee, location] = await Promise.all([
    tx.query<{
      id: string;
      event: RepairEventType;
      from_status: RepairStatus | null;
      to_status: RepairStatus;
      actor_name: string | null;
      reason: string | null;
      data: { assignee_name?: string; appointment_at?: string; merged_into_number?: string };
      created_at: string;
    }>(
      `select id, event, from_status, to_status, actor_name, reason, data, created_at
       from public.repair_ticket_events where ticket_id = $1 order by created_at, id`,
      [id],
    ),
    tx.query<{
      id: string;
      body: string;
      author_name: string;
      from_staff: boolean;
      mine: boolean;
      visibility: 'public' | 'internal';
      created_at: string;
    }>(
      `select id, body, author_name, from_staff, author_id = (select auth.uid()) as mine, visibility, created_at
       from public.repair_messages where ticket_id = $1 order by created_at, id`,
      [id],
    ),
    tx.query<{
      id: string;
      kind: MediaDTO['kind'];
      media_type: MediaDTO['mediaType'];
      object_path: string;
      message_id: string | null;
    }>(
      `select id, kind, media_type, object_path, message_id
       from public.repair_media where ticket_id = $1 order by created_at, id`,
      [id],
    ),
    tx.query<{
      round: number;
      speed: number;
      quality: number;
      attitude: number;
      comment: string | null;
      created_at: string;
    }>(
      `select round, speed, quality, attitude, comment, created_at
       from public.repair_ratings where ticket_id = $1 order by round`,
      [id],
    ),
    tx.query<{
      member_id: string;
      name: string;
      phone: string | null;
      avatar_path: string | null;
      job_title: string | null;
    }>('select member_id, name, phone, avatar_path, job_title from private.repair_assignee($1)', [id]),
    getLocation(tx, ticket),
  ]);
  // The ticket a duplicate was merged into may belong to another household (not readable
  // here); its number is recorded in the timeline.
  const merged = events.rows.findLast((e) => e.event === 'merged');
  if (ticket.mergedIntoId && !ticket.mergedIntoNumber && merged) {
    ticket.mergedIntoNumber = merged.data.merged_into_number ?? null;
  }
  return {
    ticket,
    events: events.rows.map((e) => ({
      id: e.id,
      event: e.event,
      fromStatus: e.from_status,
      toStatus: e.to_status,
      actorName: e.actor_name,
      reason: e.reason,
      assigneeName: e.data.assignee_name ?? null,
      appointmentAt: e.data.appointment_at ?? null,
      mergedIntoNumber: e.data.merged_into_number ?? null,
      createdAt: e.created_at,
    })),
    messages: messages.rows.map((m) => ({
      id: m.id,
      body: m.body,
      authorName: m.author_name,
      fromStaff: m.from_staff,
      mine: m.mine,
      internal: m.visibility === 'internal',
      createdAt: m.created_at,
    })),
    media: media.rows.map((m) => ({
      id: m.id,
      kind: m.kind,
      mediaType: m.media_type,
      path: m.object_path,
      messageId: m.message_id,
      url: null,
    })),
    ratings: ratings.rows.map((r) => ({
      round: r.round,
      speed: r.speed,
      quality: r.quality,
      attitude: r.attitude,
      comment: r.comment,
      createdAt: r.created_at,
    })),
    assignee: assignee.rows[0]
      ? {
          memberId: assignee.rows[0].member_id,
          name: assignee.rows[0].name,
          phone: assignee.rows[0].phone,
          avatarPath: assignee.rows[0].avatar_path,
          jobTitle: assignee.rows[0].job_title,
        }
      : null,
    location,
  };
}

const STALE_AFTER_MS = 2 * 60 * 1000;

/** Distance, direction and ETA of the technician on the way; never the coordinates themselves. */
async function getLocation(tx: Tx, ticket: TicketDTO): Promise<LocationDTO> {
  const none: LocationDTO = {
    sharing: false,
    updatedAt: null,
    stale: false,
    distanceM: null,
    bearing: null,
    etaMinutes: null,
  };
  if (ticket.status !== 'dispatched' || ticket.arrivedAt) return none;
  const { rows } = await tx.query<{
    latitude: number;
    longitude: number;
    recorded_at: string;
    dest_lat: number | null;
    dest_lng: number | null;
    speed: number | null;
  }>(
    `select l.latitude, l.longitude, l.recorded_at, s.latitude as dest_lat, s.longitude as dest_lng, s.travel_speed_kmh as speed
     from public.repair_technician_locations l
     left join public.repair_community_settings s on s.community_id = l.community_id
     where l.ticket_id = $1`,
    [ticket.id],
  );
  const row = rows[0];
  if (!row) return none;
  const stale = Date.now() - Date.parse(row.recorded_at) > STALE_AFTER_MS;
  if (row.dest_lat === null || row.dest_lng === null) {
    return { ...none, sharing: true, updatedAt: row.recorded_at, stale };
  }
  const a = approach(
    { latitude: row.latitude, longitude: row.longitude },
    { latitude: row.dest_lat, longitude: row.dest_lng },
    row.speed ?? 15,
  );
  return {
    sharing: true,
    updatedAt: row.recorded_at,
    stale,
    distanceM: a.distanceM,
    bearing: a.bearing,
    etaMinutes: a.etaMinutes,
  };
}

// ---------------------------------------------------------------------------------------
// The resident's list and report form
// ---------------------------------------------------------------------------------------

export type TicketListItem = {
  id: string;
  number: string;
  status: RepairStatus;
  area: 'home' | 'public';
  categoryName: string;
  categoryNameEn: string | null;
  categoryIcon: CategoryIcon;
  place: string;
  summary: string;
  createdAt: string;
  overdue: boolean;
};

export type MyRepairsFilter = 'open' | 'done' | 'all';

/**
 * "My repairs": the household's tickets and the caller's own reports, newest first. The filter
 * names the caller's units and id explicitly (so the query can use the indexes that start
 * from them); RLS still applies. `household` replaces the caller's own lookup with given
 * units and user: only the service-role baseline of bench/repairs.ts passes it.
 *
 * The status filter and the page size are written into the statement (both come from this
 * code, not from input), one named statement per shape: the caller's statement then has no
 * parameters and keeps one cached plan, where a `limit $n` made Postgres re-plan it on every
 * call (a custom plan per execution, with every policy planned again).
 */
export async function listMyRepairs(
  tx: Tx,
  {
    filter = 'all',
    limit = 20,
    household,
  }: { filter?: MyRepairsFilter; limit?: number; household?: { unitIds: string[]; userId: string } } = {},
): Promise<TicketListItem[]> {
  const statuses: RepairStatus[] | null =
    filter === 'open'
      ? ['pending', 'accepted', 'dispatched', 'in_progress', 'paused', 'returned']
      : filter === 'done'
        ? ['completed', 'rated', 'cancelled']
        : null;
  const pageSize = Math.min(100, Math.max(1, Math.trunc(limit)));
  const statusFilter = statuses ? `and t.status in (${statuses.map((st) => `'${st}'`).join(', ')})` : '';
  const { rows } = await tx.query<{
    id: string;
    number: string;
    status: RepairStatus;
    area: 'home' | 'public';
    category_name: string;
    category_name_en: string | null;
    category_icon: CategoryIcon;
    building_name: string | null;
    unit_entrance: number | null;
    unit_number: string | null;
    location_note: string | null;
    summary: string;
    created_at: string;
    overdue: boolean;
  }>(
    named(
      `repairs.mine.${filter}.${pageSize}`,
      `with me as (${
        household
          ? 'select $1::uuid[] as units, $2::uuid as uid'
          : `select (select private.household_unit_ids('repairs.read')) as units, (select auth.uid()) as uid`
      })
     select t.id, t.number, t.status, t.area, coalesce(c.name, '') as category_name, c.name_en as category_name_en,
       coalesce(c.icon, 'wrench') as category_icon, b.name as building_name, u.entrance as unit_entrance,
       u.number as unit_number, t.location_note, left(t.description, 80) as summary, t.created_at,
       (t.first_response_at is null and t.status = 'pending' and now() > t.response_due_at) as overdue
     from me, lateral (
       select * from public.repair_tickets t
       where (t.unit_id = any (me.units) or t.reporter_id = me.uid)
         ${statusFilter}
       order by t.created_at desc
       limit ${pageSize}
     ) t
     left join public.repair_categories c on c.id = t.category_id
     left join public.buildings b on b.id = t.building_id
     left join public.units u on u.id = t.unit_id
     order by t.created_at desc`,
    ),
    household ? [household.unitIds, household.userId] : [],
  );
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    status: r.status,
    area: r.area,
    categoryName: r.category_name,
    categoryNameEn: r.category_name_en,
    categoryIcon: r.category_icon,
    place: placeLabel({ ...r, area: r.area }),
    summary: r.summary,
    createdAt: r.created_at,
    overdue: r.overdue,
  }));
}

export type ReportContext = {
  units: { id: string; label: string; communityId: string; communityName: string }[];
  communities: { id: string; name: string }[];
  categories: CategoryDTO[];
  /** Default contact: the caller's name and phone. */
  contactName: string;
  contactPhone: string | null;
};

const CATEGORY_COLUMNS = `id, community_id, name, name_en, icon, for_home, for_public, response_minutes,
  resolve_hours, sort_order, is_active`;
type CategoryRow = {
  id: string;
  community_id: string;
  name: string;
  name_en: string | null;
  icon: CategoryIcon;
  for_home: boolean;
  for_public: boolean;
  response_minutes: number;
  resolve_hours: number;
  sort_order: number;
  is_active: boolean;
};
export function toCategory(r: CategoryRow): CategoryDTO {
  return {
    id: r.id,
    communityId: r.community_id,
    name: r.name,
    nameEn: r.name_en,
    icon: r.icon,
    forHome: r.for_home,
    forPublic: r.for_public,
    responseMinutes: r.response_minutes,
    resolveHours: r.resolve_hours,
    sortOrder: r.sort_order,
    active: r.is_active,
  };
}

/** What the report form offers: the caller's units (where they may report), communities and active categories. */
export async function loadReportContext(tx: Tx): Promise<ReportContext> {
  const units = await tx.query<{
    id: string;
    community_id: string;
    community_name: string;
    building_name: string;
    entrance: number | null;
    number: string;
  }>(
    `select u.id, u.community_id, c.name as community_name, b.name as building_name, u.entrance, u.number
     from public.units u
     join public.buildings b on b.id = u.building_id
     join public.communities c on c.id = u.community_id
     where u.id = any (private.household_unit_ids('repairs.create'))
     order by c.name, b.sort_order, b.name, u.entrance, u.number`,
  );
  const communities = await tx.query<{ id: string; name: string }>(
    'select c.id, c.name from public.communities c where c.id = any (private.my_community_ids()) order by c.name',
  );
  const categories = await tx.query<CategoryRow>(
    `select ${CATEGORY_COLUMNS} from public.repair_categories
     where community_id = any (private.my_community_ids()) and is_active
     order by community_id, sort_order, name`,
  );
  const me = await tx.query<{ full_name: string; phone: string | null }>(
    'select full_name, phone from public.profiles where id = (select auth.uid())',
  );
  return {
    units: units.rows.map((u) => ({
      id: u.id,
      communityId: u.community_id,
      communityName: u.community_name,
      label: placeLabel({
        area: 'home',
        building_name: u.building_name,
        unit_entrance: u.entrance,
        unit_number: u.number,
        location_note: null,
      }),
    })),
    communities: communities.rows,
    categories: categories.rows.map(toCategory),
    contactName: me.rows[0]?.full_name ?? '',
    contactPhone: me.rows[0]?.phone ?? null,
  };
}

export type PublicMatch = {
  id: string;
  number: string;
  categoryId: string;
  locationNote: string | null;
  summary: string;
  status: RepairStatus;
  followerCount: number;
  createdAt: string;
  following: boolean;
};

/** "Already reported": open public-area tickets in the community (no personal details). */
export async function publicMatches(
  tx: Tx,
  communityId: string,
  categoryId?: string | null,
): Promise<PublicMatch[]> {
  const { rows } = await tx.query<{
    id: string;
    number: string;
    category_id: string;
    location_note: string | null;
    summary: string;
    status: RepairStatus;
    follower_count: number;
    created_at: string;
    following: boolean;
  }>('select * from private.repair_public_matches($1, $2)', [communityId, categoryId ?? null]);
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    categoryId: r.category_id,
    locationNote: r.location_note,
    summary: r.summary,
    status: r.status,
    followerCount: r.follower_count,
    createdAt: r.created_at,
    following: r.following,
  }));
}

/** Links uploaded objects (already in the bucket, owned by the caller) to a ticket. */
export async function attachMedia(
  tx: Tx,
  ticketId: string,
  kind: MediaDTO['kind'],
  paths: readonly string[],
  messageId: string | null = null,
): Promise<void> {
  if (paths.length === 0) return;
  await dbStep(() =>
    tx.query(
      `insert into public.repair_media (ticket_id, kind, message_id, object_path)
       select $1, $2, $3, p from unnest($4::text[]) with ordinality as x (p, i) order by i`,
      [ticketId, kind, messageId, paths],
    ),
  );
}

/**
 * Submits a report (resident, or staff entering it for a resident) with its photos and videos,
 * in one transaction: a report whose media cannot be attached is not filed.
 */
export async function submitReport(tx: Tx, input: ReportInput): Promise<{ id: string; number: string }> {
  const { rows } = await dbStep(() =>
    tx.query<{ id: string; number: string }>(
      `insert into public.repair_tickets (area, unit_id, community_id, category_id, location_note, description,
         contact_name, contact_phone, preferred_date, preferred_slot)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       returning id, number`,
      [
        input.area,
        input.area === 'home' ? input.unitId : null,
        input.area === 'public' ? input.communityId : null,
        input.categoryId,
        input.locationNote,
        input.description,
        input.contactName,
        input.contactPhone?.replace(/^\+/, '') ?? null,
        input.preferredDate,
        input.preferredSlot,
      ],
    ),
  );
  await attachMedia(tx, rows[0].id, 'report', input.media);
  return rows[0];
}

/**
 * Updates one ticket as the caller, only if it is still in the status the page showed, so two
 * people acting on a stale page cannot both succeed. The database checks the step itself.
 */
export async function updateTicket(
  tx: Tx,
  id: string,
  expected: readonly RepairStatus[],
  patch: Record<string, unknown>,
): Promise<void> {
  const columns = Object.keys(patch);
  const sets = columns.map((c, i) => `${c} = $${i + 3}`);
  const result = await dbStep(() =>
    tx.query(
      `update public.repair_tickets set ${sets.join(', ')} where id = $1 and status = any ($2::public.repair_status[])`,
      [id, expected, ...columns.map((c) => patch[c])],
    ),
  );
  if (result.rowCount === 0) {
    const exists = await tx.query('select 1 from public.repair_tickets where id = $1', [id]);
    throw new RepairError(exists.rowCount ? 'repairs.stale' : 'repairs.not_found');
  }
}

export const residentActions = {
  cancel: (tx: Tx, id: string, reason: string | null) =>
    updateTicket(tx, id, ['pending', 'accepted', 'dispatched', 'returned'], {
      status: 'cancelled',
      status_reason: reason,
    }),
  resubmit: (tx: Tx, id: string, description: string) =>
    updateTicket(tx, id, ['returned'], { description, status: 'pending', status_reason: null }),
  reopen: (tx: Tx, id: string, reason: string) =>
    updateTicket(tx, id, ['completed', 'rated'], { status: 'pending', status_reason: reason }),
};

export async function rateTicket(
  tx: Tx,
  id: string,
  rating: { speed: number; quality: number; attitude: number; comment: string | null; media: string[] },
): Promise<void> {
  await dbStep(() =>
    tx.query(
      'insert into public.repair_ratings (ticket_id, speed, quality, attitude, comment) values ($1, $2, $3, $4, $5)',
      [id, rating.speed, rating.quality, rating.attitude, rating.comment],
    ),
  );
  await attachMedia(tx, id, 'rating', rating.media);
}

export async function postMessage(
  tx: Tx,
  id: string,
  message: { body: string; internal?: boolean; media?: string[] },
): Promise<string> {
  const { rows } = await dbStep(() =>
    tx.query<{ id: string }>(
      'insert into public.repair_messages (ticket_id, visibility, body) values ($1, $2, $3) returning id',
      [id, message.internal ? 'internal' : 'public', message.body],
    ),
  );
  await attachMedia(tx, id, 'message', message.media ?? [], rows[0].id);
  return rows[0].id;
}

/** "我也遇到了": follow an open public-area ticket (idempotent). */
export async function followTicket(tx: Tx, id: string): Promise<void> {
  await dbStep(() =>
    tx.query('insert into public.repair_followers (ticket_id) values ($1) on conflict do nothing', [id]),
  );
}
