import type { Tx } from '~/lib/db.server';
import { RepairError } from './errors';
import type { Material, QueueFilter, RepairStatus } from './repairs.schema';
import {
  attachMedia,
  type CategoryDTO,
  dbStep,
  named,
  placeLabel,
  TICKET_LIST_SELECT,
  type TicketDTO,
  type TicketRow,
  toCategory,
  toTicket,
  updateTicket,
} from './repairs.server';

/**
 * Repairs in the back office: the staff queue, dispatching, the technician's task list and
 * the settings. Functions take a `withUser` transaction; RLS and the workflow guard decide.
 */

export type OfficeCommunity = {
  id: string;
  companyId: string;
  name: string;
  canDispatch: boolean;
  canCreate: boolean;
  canWork: boolean;
  canManage: boolean;
};

/** Communities where the caller holds repair.read, with what else they may do there. */
export async function officeScope(tx: Tx): Promise<OfficeCommunity[]> {
  const { rows } = await tx.query<{
    id: string;
    company_id: string;
    name: string;
    can_dispatch: boolean;
    can_create: boolean;
    can_work: boolean;
    can_manage: boolean;
  }>(
    `select c.id, c.company_id, c.name,
       private.has_permission(c.company_id, 'repair.dispatch', c.id) as can_dispatch,
       private.has_permission(c.company_id, 'repair.create', c.id) as can_create,
       private.has_permission(c.company_id, 'repair.work', c.id) as can_work,
       private.has_permission(c.company_id, 'community.manage', c.id) as can_manage
     from public.communities c
     where c.id = any (private.communities_with_permission('repair.read'))
     order by c.name`,
  );
  return rows.map((r) => ({
    id: r.id,
    companyId: r.company_id,
    name: r.name,
    canDispatch: r.can_dispatch,
    canCreate: r.can_create,
    canWork: r.can_work,
    canManage: r.can_manage,
  }));
}

export type QueueItem = TicketDTO & { assigneeName: string | null };
export type QueuePage = { items: QueueItem[]; page: number; hasMore: boolean };
export const QUEUE_PAGE_SIZE = 20;

/**
 * One page of the staff queue: newest first. `communityIds` is the caller's scope (or the one
 * community picked). The page's ids come from private.repair_queue_ids (the staff branch of
 * ticket visibility applied on the queue index); its rows are then read under RLS.
 */
export async function listQueue(
  tx: Tx,
  communityIds: readonly string[],
  filter: QueueFilter,
): Promise<QueuePage> {
  const page = filter.page ?? 1;
  const statuses =
    filter.status === 'all'
      ? null
      : filter.status === 'open' || !filter.status
        ? ['pending', 'accepted', 'dispatched', 'in_progress', 'paused']
        : [filter.status];
  const { rows } = await tx.query<TicketRow & { assignee_name: string | null }>(
    named(
      'repairs.queue',
      `with page as (
         select id, ordinality as n
         from private.repair_queue_ids($1::uuid[], $2::public.repair_status[], $3, $4, $5, $6, $7, $8, $9) with ordinality as x (id, ordinality)
       ), names as (
         select * from private.repair_assignee_names(array(select id from page))
       )
       ${TICKET_LIST_SELECT.replace('select t.id,', 'select t.id, (select n.name from names n where n.ticket_id = t.id) as assignee_name, ')}
       join page on page.id = t.id
       order by page.n`,
    ),
    [
      filter.community ? [filter.community] : communityIds,
      statuses,
      filter.category ?? null,
      filter.building ?? null,
      filter.assignee ?? null,
      filter.overdue,
      filter.q || null,
      QUEUE_PAGE_SIZE + 1,
      (page - 1) * QUEUE_PAGE_SIZE,
    ],
  );
  const items = rows
    .slice(0, QUEUE_PAGE_SIZE)
    .map((r) => ({ ...toTicket(r), assigneeName: r.assignee_name }));
  return { items, page, hasMore: rows.length > QUEUE_PAGE_SIZE };
}

export type StatusCounts = Partial<Record<RepairStatus, number>> & { overdue: number };

/** Open tickets by status and how many breach their SLA, for the queue's filter chips. */
export async function statusCounts(tx: Tx, communityIds: readonly string[]): Promise<StatusCounts> {
  const { rows } = await tx.query<{ status: RepairStatus; n: number; overdue: number }>(
    named('repairs.counts', 'select status, n, overdue from private.repair_open_counts($1::uuid[])'),
    [communityIds],
  );
  const counts: StatusCounts = { overdue: 0 };
  for (const r of rows) {
    counts[r.status] = r.n;
    counts.overdue += r.overdue;
  }
  return counts;
}

export type TechnicianDTO = {
  memberId: string;
  userId: string;
  name: string;
  phone: string | null;
  jobTitle: string | null;
  openCount: number;
  lastDispatchedAt: string | null;
  alsoDispatches: boolean;
};

/** Who can be assigned in a community, with their current load (open tickets). */
export async function listTechnicians(tx: Tx, communityId: string): Promise<TechnicianDTO[]> {
  const { rows } = await tx.query<{
    member_id: string;
    user_id: string;
    name: string;
    phone: string | null;
    job_title: string | null;
    open_count: number;
    last_dispatched_at: string | null;
    also_dispatches: boolean;
  }>('select * from private.repair_technicians($1)', [communityId]);
  return rows.map((r) => ({
    memberId: r.member_id,
    userId: r.user_id,
    name: r.name,
    phone: r.phone,
    jobTitle: r.job_title,
    openCount: r.open_count,
    lastDispatchedAt: r.last_dispatched_at,
    alsoDispatches: r.also_dispatches,
  }));
}

const OPEN: RepairStatus[] = ['pending', 'accepted', 'dispatched', 'in_progress', 'paused'];

/** Staff steps on a ticket; each names the statuses it starts from (stale pages fail cleanly). */
export const officeActions = {
  accept: (tx: Tx, id: string) => updateTicket(tx, id, ['pending'], { status: 'accepted' }),
  dispatch: async (tx: Tx, id: string, assigneeId: string) => {
    const { rows } = await tx.query<{ status: RepairStatus }>(
      'select status from public.repair_tickets where id = $1',
      [id],
    );
    const status = rows[0]?.status;
    if (!status) throw new RepairError('repairs.not_found');
    // From the pool it is a dispatch; on a dispatched or paused ticket a reassignment.
    if (status === 'pending' || status === 'accepted') {
      return updateTicket(tx, id, [status], { status: 'dispatched', assignee_id: assigneeId });
    }
    return updateTicket(tx, id, ['dispatched', 'paused'], { assignee_id: assigneeId });
  },
  recall: (tx: Tx, id: string, reason: string) =>
    updateTicket(tx, id, ['dispatched'], { status: 'accepted', status_reason: reason }),
  returnToResident: (tx: Tx, id: string, reason: string) =>
    updateTicket(tx, id, ['pending', 'accepted'], { status: 'returned', status_reason: reason }),
  cancel: (tx: Tx, id: string, reason: string) =>
    updateTicket(tx, id, ['pending', 'accepted', 'dispatched', 'paused'], {
      status: 'cancelled',
      status_reason: reason,
    }),
  appointment: (tx: Tx, id: string, appointmentAt: string) =>
    updateTicket(tx, id, ['pending', 'accepted', 'dispatched', 'paused'], { appointment_at: appointmentAt }),
  priority: (tx: Tx, id: string, priority: 'normal' | 'urgent') => updateTicket(tx, id, OPEN, { priority }),
  category: (tx: Tx, id: string, categoryId: string) =>
    updateTicket(tx, id, OPEN, { category_id: categoryId }),
  /** Merges this duplicate into the ticket with that number (same community): it is cancelled and points there. */
  merge: async (tx: Tx, id: string, targetNumber: string) => {
    const { rows } = await tx.query<{ id: string }>(
      `select t.id from public.repair_tickets t
       join public.repair_tickets me on me.id = $1 and me.community_id = t.community_id
       where t.number = $2 and t.id <> $1`,
      [id, targetNumber],
    );
    if (!rows[0]) throw new RepairError('repairs.merge_invalid');
    await updateTicket(tx, id, ['pending', 'accepted', 'dispatched'], {
      status: 'cancelled',
      merged_into_id: rows[0].id,
      status_reason: null,
    });
  },
};

/** The work itself, by the assigned technician (or a dispatcher on their behalf). */
export const workActions = {
  arrive: (tx: Tx, id: string) =>
    updateTicket(tx, id, ['dispatched'], { arrived_at: new Date().toISOString() }),
  start: (tx: Tx, id: string) => updateTicket(tx, id, ['dispatched'], { status: 'in_progress' }),
  pause: (tx: Tx, id: string, reason: string) =>
    updateTicket(tx, id, ['in_progress'], { status: 'paused', status_reason: reason }),
  resume: (tx: Tx, id: string) => updateTicket(tx, id, ['paused'], { status: 'in_progress' }),
  appointment: (tx: Tx, id: string, appointmentAt: string) =>
    updateTicket(tx, id, ['dispatched', 'paused'], { appointment_at: appointmentAt }),
  decline: (tx: Tx, id: string, reason: string) =>
    updateTicket(tx, id, ['dispatched'], { status: 'accepted', status_reason: reason }),
  complete: async (
    tx: Tx,
    id: string,
    done: { note: string | null; materials: Material[]; media: string[] },
  ) => {
    // Photos first: completion media may be attached while the ticket is in progress.
    await attachMedia(tx, id, 'completion', done.media);
    await updateTicket(tx, id, ['in_progress'], {
      completion_note: done.note,
      materials: JSON.stringify(done.materials),
      status: 'completed',
    });
  },
  /** The technician's position while on the way (only the latest point is kept). */
  shareLocation: (tx: Tx, id: string, at: { latitude: number; longitude: number; accuracy?: number }) =>
    dbStep(() =>
      tx.query(
        `insert into public.repair_technician_locations (ticket_id, latitude, longitude, accuracy_m)
         values ($1, $2, $3, $4)
         on conflict (ticket_id) do update
           set latitude = excluded.latitude, longitude = excluded.longitude, accuracy_m = excluded.accuracy_m`,
        [id, at.latitude, at.longitude, at.accuracy === undefined ? null : Math.round(at.accuracy)],
      ),
    ),
  stopSharing: (tx: Tx, id: string) =>
    dbStep(() => tx.query('delete from public.repair_technician_locations where ticket_id = $1', [id])),
};

export type TaskItem = {
  id: string;
  number: string;
  status: RepairStatus;
  priority: 'normal' | 'urgent';
  categoryName: string;
  categoryIcon: TicketDTO['category']['icon'];
  communityName: string;
  place: string;
  summary: string;
  appointmentAt: string | null;
  preferredDate: string | null;
  preferredSlot: TicketDTO['preferredSlot'];
  contactName: string | null;
  contactPhone: string | null;
  createdAt: string;
  completedAt: string | null;
};

/** The technician's tasks: open ones (urgent and earliest appointment first), then the last week's completed. */
export async function listMyTasks(tx: Tx): Promise<TaskItem[]> {
  const { rows } = await tx.query<TicketRow & { summary: string }>(
    `${TICKET_LIST_SELECT.replace('select t.id,', 'select left(t.description, 80) as summary, t.id,')}
     where t.assignee_id = any (private.my_member_ids())
       and (t.status in ('dispatched', 'in_progress', 'paused')
            or (t.status in ('completed', 'rated') and t.completed_at > now() - interval '7 days'))
     order by (t.status in ('completed', 'rated')), (t.priority = 'urgent') desc,
       t.appointment_at nulls last, t.created_at
     limit 100`,
  );
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    status: r.status,
    priority: r.priority,
    categoryName: r.category_name,
    categoryIcon: r.category_icon,
    communityName: r.community_name,
    place: placeLabel(r),
    summary: r.summary,
    appointmentAt: r.appointment_at,
    preferredDate: r.preferred_date,
    preferredSlot: r.preferred_slot,
    contactName: r.contact_name,
    contactPhone: r.contact_phone,
    createdAt: r.created_at,
    completedAt: r.completed_at,
  }));
}

/** Tickets merged into this one (duplicates), for the staff detail page. */
export async function listMergedDuplicates(
  tx: Tx,
  id: string,
): Promise<{ id: string; number: string; createdAt: string }[]> {
  const { rows } = await tx.query<{ id: string; number: string; created_at: string }>(
    'select id, number, created_at from public.repair_tickets where merged_into_id = $1 order by created_at',
    [id],
  );
  return rows.map((r) => ({ id: r.id, number: r.number, createdAt: r.created_at }));
}

// ---------------------------------------------------------------------------------------
// Settings: categories, auto-assignment rules, the community's position
// ---------------------------------------------------------------------------------------

export async function listCategories(tx: Tx, communityId: string): Promise<CategoryDTO[]> {
  const { rows } = await tx.query<Parameters<typeof toCategory>[0]>(
    `select id, community_id, name, name_en, icon, for_home, for_public, response_minutes, resolve_hours, sort_order, is_active
     from public.repair_categories where community_id = $1 order by sort_order, name`,
    [communityId],
  );
  return rows.map(toCategory);
}

export async function saveCategory(
  tx: Tx,
  c: {
    id?: string;
    communityId: string;
    name: string;
    nameEn: string | null;
    icon: string;
    forHome: boolean;
    forPublic: boolean;
    responseMinutes: number;
    resolveHours: number;
    active: boolean;
  },
): Promise<void> {
  const values = [
    c.name,
    c.nameEn,
    c.icon,
    c.forHome,
    c.forPublic,
    c.responseMinutes,
    c.resolveHours,
    c.active,
  ];
  const result = await dbStep(() =>
    c.id
      ? tx.query(
          `update public.repair_categories set name = $1, name_en = $2, icon = $3, for_home = $4, for_public = $5,
             response_minutes = $6, resolve_hours = $7, is_active = $8
           where id = $9 and community_id = $10`,
          [...values, c.id, c.communityId],
        )
      : tx.query(
          `insert into public.repair_categories (company_id, community_id, name, name_en, icon, for_home, for_public,
             response_minutes, resolve_hours, is_active, sort_order)
           select cm.company_id, cm.id, $1, $2, $3, $4, $5, $6, $7, $8,
             coalesce((select max(sort_order) + 10 from public.repair_categories where community_id = cm.id), 10)
           from public.communities cm where cm.id = $9`,
          [...values, c.communityId],
        ),
  );
  if (result.rowCount === 0) throw new RepairError('repairs.forbidden');
}

export type RuleDTO = {
  id: string;
  categoryId: string | null;
  categoryName: string | null;
  buildingId: string | null;
  buildingName: string | null;
  strategy: 'technician' | 'least_loaded';
  technicianId: string | null;
  active: boolean;
};

export async function listRules(tx: Tx, communityId: string): Promise<RuleDTO[]> {
  const { rows } = await tx.query<{
    id: string;
    category_id: string | null;
    category_name: string | null;
    building_id: string | null;
    building_name: string | null;
    strategy: 'technician' | 'least_loaded';
    technician_id: string | null;
    is_active: boolean;
  }>(
    `select r.id, r.category_id, c.name as category_name, r.building_id, b.name as building_name, r.strategy,
       r.technician_id, r.is_active
     from public.repair_assign_rules r
     left join public.repair_categories c on c.id = r.category_id
     left join public.buildings b on b.id = r.building_id
     where r.community_id = $1
     order by (r.category_id is not null) desc, (r.building_id is not null) desc, c.sort_order, b.name`,
    [communityId],
  );
  return rows.map((r) => ({
    id: r.id,
    categoryId: r.category_id,
    categoryName: r.category_name,
    buildingId: r.building_id,
    buildingName: r.building_name,
    strategy: r.strategy,
    technicianId: r.technician_id,
    active: r.is_active,
  }));
}

/** Adds or replaces the rule for a category × building scope. */
export async function saveRule(
  tx: Tx,
  r: {
    communityId: string;
    categoryId: string | null;
    buildingId: string | null;
    strategy: 'technician' | 'least_loaded';
    technicianId: string | null;
  },
): Promise<void> {
  const result = await dbStep(() =>
    tx.query(
      `insert into public.repair_assign_rules (company_id, community_id, category_id, building_id, strategy, technician_id)
       select cm.company_id, cm.id, $2, $3, $4, $5 from public.communities cm where cm.id = $1
       on conflict (company_id, community_id, category_id, building_id)
       do update set strategy = excluded.strategy, technician_id = excluded.technician_id, is_active = true`,
      [
        r.communityId,
        r.categoryId,
        r.buildingId,
        r.strategy,
        r.strategy === 'technician' ? r.technicianId : null,
      ],
    ),
  );
  if (result.rowCount === 0) throw new RepairError('repairs.forbidden');
}

export async function deleteRule(tx: Tx, id: string): Promise<void> {
  const result = await dbStep(() => tx.query('delete from public.repair_assign_rules where id = $1', [id]));
  if (result.rowCount === 0) throw new RepairError('repairs.not_found');
}

export type CommunitySettingsDTO = {
  communityId: string;
  latitude: number | null;
  longitude: number | null;
  travelSpeedKmh: number;
};

export async function getCommunitySettings(tx: Tx, communityId: string): Promise<CommunitySettingsDTO> {
  const { rows } = await tx.query<{
    latitude: number | null;
    longitude: number | null;
    travel_speed_kmh: number;
  }>(
    'select latitude, longitude, travel_speed_kmh from public.repair_community_settings where community_id = $1',
    [communityId],
  );
  return {
    communityId,
    latitude: rows[0]?.latitude ?? null,
    longitude: rows[0]?.longitude ?? null,
    travelSpeedKmh: rows[0]?.travel_speed_kmh ?? 15,
  };
}

export async function saveCommunitySettings(tx: Tx, s: CommunitySettingsDTO): Promise<void> {
  const result = await dbStep(() =>
    tx.query(
      'update public.repair_community_settings set latitude = $2, longitude = $3, travel_speed_kmh = $4 where community_id = $1',
      [s.communityId, s.latitude, s.longitude, s.travelSpeedKmh],
    ),
  );
  if (result.rowCount === 0) throw new RepairError('repairs.forbidden');
}

export async function listBuildings(
  tx: Tx,
  communityIds: readonly string[],
): Promise<{ id: string; communityId: string; name: string }[]> {
  const { rows } = await tx.query<{ id: string; community_id: string; name: string }>(
    'select id, community_id, name from public.buildings where community_id = any ($1::uuid[]) order by sort_order, name',
    [communityIds],
  );
  return rows.map((r) => ({ id: r.id, communityId: r.community_id, name: r.name }));
}
