import ExcelJS from 'exceljs';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { translate } from '~/i18n/translate';
import { createDb, type Db, type Tx } from '~/lib/db.server';
import { createObject } from '../../../tests/rls/support/repairs-world';
import { buildTenancyWorld, type TenancyWorld } from '../../../tests/rls/support/world';
import { createTestDatabase } from '../../../tests/support/platform';
import { RepairError } from './errors';
import {
  followTicket,
  getTicketDetail,
  listMyRepairs,
  loadReportContext,
  postMessage,
  publicMatches,
  rateTicket,
  residentActions,
  submitReport,
} from './repairs.server';
import { exportTickets } from './repairs-export.server';
import {
  listMyTasks,
  listQueue,
  listTechnicians,
  officeActions,
  saveRule,
  statusCounts,
  workActions,
} from './repairs-office.server';
import { loadDashboard } from './repairs-stats.server';

/**
 * The repairs domain end to end against a real database, as the app calls it (withUser):
 * the status machine with its side effects, the timeline, notifications and broadcasts,
 * auto-assignment, SLA deadlines, merging, following, media limits, the queue, the dashboard
 * and the Excel export.
 */

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let owner: pg.Pool;
let db: Db;
let w: TenancyWorld;
let water: string;
let elevator: string;

const as = <T>(who: keyof TenancyWorld['users'], fn: (tx: Tx) => Promise<T>) =>
  db.withUser(w.users[who].claims, fn);
const ownerTx: Tx = { query: (q, v) => owner.query(typeof q === 'string' ? q : q.text, v as unknown[]) };

async function report(description = '厨房水龙头漏水', media: string[] = []) {
  return as('owner_u1', (tx) =>
    submitReport(tx, {
      area: 'home',
      unitId: w.units.u1.id,
      categoryId: water,
      description,
      locationNote: null,
      preferredDate: null,
      preferredSlot: 'morning',
      contactName: null,
      contactPhone: null,
      media,
    }),
  );
}

beforeAll(async () => {
  database = await createTestDatabase();
  owner = new pg.Pool({ connectionString: database.url, max: 2 });
  db = createDb(database.url, { max: 4 });
  w = await buildTenancyWorld(ownerTx);
  const cats = await owner.query<{ id: string; name: string }>(
    `select id, name from public.repair_categories where community_id = $1`,
    [w.communities.c1],
  );
  water = cats.rows.find((c) => c.name === '水电')!.id;
  elevator = cats.rows.find((c) => c.name === '电梯')!.id;
});

afterAll(async () => {
  await db?.close();
  await owner?.end();
  await database?.drop();
});

beforeEach(async () => {
  await owner.query('delete from public.repair_assign_rules');
});

describe('reporting', () => {
  it('offers the household its units, communities and active categories, with the contact prefilled', async () => {
    const ctx = await as('owner_u1', (tx) => loadReportContext(tx));
    expect(ctx.units.map((u) => u.id)).toEqual([w.units.u1.id]);
    expect(ctx.communities.map((c) => c.id)).toEqual([w.communities.c1]);
    expect(ctx.categories.map((c) => c.name)).toEqual([
      '水电',
      '门窗',
      '电梯',
      '公共设施',
      '燃气',
      '网络',
      '其他',
    ]);
    expect(ctx.contactPhone).toBe(w.users.owner_u1.phone);
  });

  it('files a ticket with its SLA deadlines, number, contact and the first timeline step', async () => {
    const { id, number } = await report();
    expect(number).toMatch(/^BX\d{6}-\d{6}$/);
    const { ticket, events } = await as('owner_u1', (tx) => getTicketDetail(tx, id));
    expect(ticket.status).toBe('pending');
    expect(ticket.source).toBe('resident');
    expect(ticket.contactPhone).toBe(w.users.owner_u1.phone);
    // 水电: respond within 60 minutes, complete within 24 hours.
    expect(Date.parse(ticket.responseDueAt) - Date.parse(ticket.createdAt)).toBeCloseTo(60 * 60_000, -4);
    expect(Date.parse(ticket.resolveDueAt) - Date.parse(ticket.createdAt)).toBeCloseTo(24 * 3600_000, -4);
    expect(events.map((e) => e.event)).toEqual(['created']);
    expect(ticket.actors).toEqual(['reporter']);
  });

  it('refuses a category that is not offered for the area', async () => {
    const err = await as('owner_u1', (tx) =>
      submitReport(tx, {
        area: 'home',
        unitId: w.units.u1.id,
        categoryId: elevator,
        description: '电梯',
        locationNote: null,
        preferredDate: null,
        preferredSlot: 'any',
        contactName: null,
        contactPhone: null,
        media: [],
      }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(RepairError);
    expect(err.code).toBe('repairs.category_unavailable');
  });

  it('attaches at most 9 photos to a report, all in one transaction', async () => {
    const photos = await Promise.all(
      Array.from({ length: 10 }, () => createObject(ownerTx, w.users.owner_u1.id)),
    );
    const err = await report('十张照片', photos).catch((e) => e);
    expect(err).toBeInstanceOf(RepairError);
    expect(err.code).toBe('repairs.media_limit');
    const { id } = await report('九张照片', photos.slice(0, 9));
    const { media } = await as('family_full', (tx) => getTicketDetail(tx, id));
    expect(media).toHaveLength(9);
    expect(media.every((m) => m.mediaType === 'image' && m.kind === 'report')).toBe(true);
  });
});

describe('the workflow', () => {
  it('walks pending → accepted → dispatched → in progress → paused → completed → rated, with the timeline, notifications and broadcasts', async () => {
    const { id } = await report();
    const tech = w.staff.technician_c1.memberId;
    await as('front_desk_c1', (tx) => officeActions.accept(tx, id));
    await as('front_desk_c1', (tx) => officeActions.dispatch(tx, id, tech));
    await as('front_desk_c1', (tx) => officeActions.appointment(tx, id, '2026-11-23T02:00:00.000Z'));
    await as('technician_c1', (tx) =>
      workActions.shareLocation(tx, id, { latitude: 30.28, longitude: 120.16, accuracy: 12 }),
    );
    await as('technician_c1', (tx) => workActions.arrive(tx, id));
    await as('technician_c1', (tx) => workActions.start(tx, id));
    await as('technician_c1', (tx) => workActions.pause(tx, id, '等待配件'));
    await as('technician_c1', (tx) => workActions.resume(tx, id));
    await as('technician_c1', (tx) =>
      workActions.complete(tx, id, {
        note: '已更换',
        materials: [{ name: '阀芯', quantity: 1, unit: '个' }],
        media: [],
      }),
    );
    await as('owner_u1', (tx) =>
      rateTicket(tx, id, { speed: 5, quality: 4, attitude: 5, comment: '很好', media: [] }),
    );

    const detail = await as('owner_u1', (tx) => getTicketDetail(tx, id));
    expect(detail.ticket.status).toBe('rated');
    expect(detail.events.map((e) => e.event)).toEqual([
      'created',
      'accepted',
      'dispatched',
      'appointment_set',
      'arrived',
      'started',
      'paused',
      'resumed',
      'completed',
      'rated',
    ]);
    expect(detail.events.find((e) => e.event === 'paused')?.reason).toBe('等待配件');
    expect(detail.events.find((e) => e.event === 'dispatched')?.assigneeName).toBe('technician_c1');
    expect(detail.assignee?.name).toBe('technician_c1');
    expect(detail.ratings).toMatchObject([{ speed: 5, quality: 4, attitude: 5, comment: '很好', round: 0 }]);
    expect(detail.ticket.materials).toEqual([{ name: '阀芯', quantity: 1, unit: '个' }]);
    // Arrival ended location sharing.
    const locations = await owner.query(
      'select 1 from public.repair_technician_locations where ticket_id = $1',
      [id],
    );
    expect(locations.rowCount).toBe(0);

    // Notifications: the office of the new report, the household of each visible step, the technician of the assignment.
    const notes = await owner.query<{ user_id: string; title: string }>(
      `select user_id, title from public.notifications where data ->> 'repair_id' = $1 order by created_at`,
      [id],
    );
    const titlesFor = (user: string) => notes.rows.filter((n) => n.user_id === user).map((n) => n.title);
    expect(titlesFor(w.users.front_desk_c1.id)).toContain('新报修待受理');
    expect(titlesFor(w.users.technician_c1.id)).toEqual(['新的维修任务', '上门时间已确定']);
    expect(titlesFor(w.users.owner_u1.id)).toEqual(
      expect.arrayContaining([
        '报修已受理',
        '报修已派单',
        '维修师傅已到达',
        '开始维修',
        '维修暂停',
        '维修已完成，请评价',
      ]),
    );
    // The family member who may read repairs hears too; the one who may not, does not.
    expect(titlesFor(w.users.family_full.id)).toContain('报修已派单');
    expect(titlesFor(w.users.family_limited.id)).toEqual([]);

    // Broadcasts on the ticket and community topics, without personal data.
    const sent = await owner.query<{ topic: string; event: string; payload: Record<string, unknown> }>(
      `select topic, event, payload from realtime.messages where payload ->> 'ticket_id' = $1 order by inserted_at`,
      [id],
    );
    expect(new Set(sent.rows.map((m) => m.topic))).toEqual(
      new Set([`repair:ticket:${id}`, `repair:community:${w.communities.c1}`]),
    );
    expect(sent.rows.find((m) => m.topic.startsWith('repair:community'))?.payload).toMatchObject({
      event: 'created',
      status: 'pending',
    });
    for (const m of sent.rows) expect(Object.keys(m.payload).sort()).not.toContain('description');
  });

  it('lets the technician decline (back to 已受理, assignee cleared) and the household cancel before work starts', async () => {
    const { id } = await report();
    await as('front_desk_c1', (tx) => officeActions.dispatch(tx, id, w.staff.technician_c1.memberId));
    await as('technician_c1', (tx) => workActions.decline(tx, id, '不在片区'));
    let t = (await as('front_desk_c1', (tx) => getTicketDetail(tx, id))).ticket;
    expect([t.status, t.assigneeId]).toEqual(['accepted', null]);
    // The household never sees the internal decline.
    const seen = await as('owner_u1', (tx) => getTicketDetail(tx, id));
    expect(seen.events.map((e) => e.event)).toEqual(['created', 'dispatched']);
    await as('owner_u1', (tx) => residentActions.cancel(tx, id, '已自行修好'));
    t = (await as('owner_u1', (tx) => getTicketDetail(tx, id))).ticket;
    expect(t.status).toBe('cancelled');
    expect(t.closedAt).not.toBeNull();
  });

  it('returns a report with a reason; the resident edits and resubmits it', async () => {
    const { id } = await report('漏水');
    await as('front_desk_c1', (tx) => officeActions.returnToResident(tx, id, '请补充具体位置'));
    await as('owner_u1', (tx) => residentActions.resubmit(tx, id, '厨房水槽下方漏水'));
    const { ticket, events } = await as('owner_u1', (tx) => getTicketDetail(tx, id));
    expect(ticket.status).toBe('pending');
    expect(ticket.description).toBe('厨房水槽下方漏水');
    expect(events.map((e) => [e.event, e.reason])).toEqual([
      ['created', null],
      ['returned', '请补充具体位置'],
      ['resubmitted', null],
    ]);
  });

  it('reopens within 7 days: a new round, new deadlines, rated again', async () => {
    const { id } = await report();
    await as('front_desk_c1', (tx) => officeActions.dispatch(tx, id, w.staff.technician_c1.memberId));
    await as('technician_c1', (tx) => workActions.start(tx, id));
    await as('technician_c1', (tx) => workActions.complete(tx, id, { note: null, materials: [], media: [] }));
    await as('owner_u1', (tx) =>
      rateTicket(tx, id, { speed: 3, quality: 2, attitude: 4, comment: null, media: [] }),
    );
    await as('owner_u1', (tx) => residentActions.reopen(tx, id, '又开始滴水'));
    let t = (await as('owner_u1', (tx) => getTicketDetail(tx, id))).ticket;
    expect([t.status, t.reopenCount, t.assigneeId, t.completedAt]).toEqual(['pending', 1, null, null]);
    await as('front_desk_c1', (tx) => officeActions.dispatch(tx, id, w.staff.technician_c1.memberId));
    await as('technician_c1', (tx) => workActions.start(tx, id));
    await as('technician_c1', (tx) => workActions.complete(tx, id, { note: null, materials: [], media: [] }));
    await as('owner_u1', (tx) =>
      rateTicket(tx, id, { speed: 5, quality: 5, attitude: 5, comment: null, media: [] }),
    );
    const detail = await as('owner_u1', (tx) => getTicketDetail(tx, id));
    t = detail.ticket;
    expect(t.status).toBe('rated');
    expect(detail.ratings.map((r) => r.round)).toEqual([0, 1]);
  });

  it('refuses stale pages cleanly', async () => {
    const { id } = await report();
    await as('front_desk_c1', (tx) => officeActions.accept(tx, id));
    const err = await as('manager_c1', (tx) => officeActions.accept(tx, id)).catch((e) => e);
    expect(err).toBeInstanceOf(RepairError);
    expect(err.code).toBe('repairs.stale');
  });

  it('merges a duplicate into the original: cancelled, pointing there, listed on it', async () => {
    const first = await report('门厅灯不亮');
    const dup = await as('neighbour_c1', (tx) =>
      submitReport(tx, {
        area: 'home',
        unitId: w.units.u2.id,
        categoryId: water,
        description: '同一盏灯',
        locationNote: null,
        preferredDate: null,
        preferredSlot: 'any',
        contactName: null,
        contactPhone: null,
        media: [],
      }),
    );
    await as('manager_c1', (tx) => officeActions.merge(tx, dup.id, first.number));
    const t = (await as('neighbour_c1', (tx) => getTicketDetail(tx, dup.id))).ticket;
    expect([t.status, t.mergedIntoNumber]).toEqual(['cancelled', first.number]);
  });
});

describe('auto-assignment', () => {
  it('dispatches by the most specific rule: a named technician for a category, else the least loaded', async () => {
    await as('manager_c1', (tx) =>
      saveRule(tx, {
        communityId: w.communities.c1,
        categoryId: null,
        buildingId: null,
        strategy: 'least_loaded',
        technicianId: null,
      }),
    );
    await as('manager_c1', (tx) =>
      saveRule(tx, {
        communityId: w.communities.c1,
        categoryId: water,
        buildingId: null,
        strategy: 'technician',
        technicianId: w.staff.technician_c1.memberId,
      }),
    );
    const { id } = await report('自动派单');
    const detail = await as('owner_u1', (tx) => getTicketDetail(tx, id));
    expect(detail.ticket.status).toBe('dispatched');
    expect(detail.assignee?.memberId).toBe(w.staff.technician_c1.memberId);
    expect(detail.events.map((e) => e.event)).toEqual(['created', 'dispatched']);
    const tasks = await as('technician_c1', (tx) => listMyTasks(tx));
    expect(tasks.map((t) => t.id)).toContain(id);
  });

  it('shows dispatchers each technician with their load, dedicated technicians first', async () => {
    const techs = await as('front_desk_c1', (tx) => listTechnicians(tx, w.communities.c1));
    expect(techs[0]).toMatchObject({ name: 'technician_c1', alsoDispatches: false });
    expect(techs.map((t) => t.name)).toEqual(expect.arrayContaining(['admin_a', 'manager_c1']));
    expect(await as('owner_u1', (tx) => listTechnicians(tx, w.communities.c1))).toEqual([]);
  });
});

describe('public areas', () => {
  it('shows open public reports to neighbours and counts "me too"', async () => {
    const { id } = await as('neighbour_c1', (tx) =>
      submitReport(tx, {
        area: 'public',
        communityId: w.communities.c1,
        locationNote: '1栋电梯',
        categoryId: elevator,
        description: '电梯停在 3 楼不动了',
        preferredDate: null,
        preferredSlot: 'any',
        contactName: null,
        contactPhone: null,
        media: [],
      }),
    );
    const matches = await as('owner_u1', (tx) => publicMatches(tx, w.communities.c1, elevator));
    expect(matches.find((m) => m.id === id)).toMatchObject({
      locationNote: '1栋电梯',
      following: false,
      followerCount: 0,
    });
    await as('owner_u1', (tx) => followTicket(tx, id));
    await as('owner_u1', (tx) => followTicket(tx, id));
    const again = await as('owner_u1', (tx) => publicMatches(tx, w.communities.c1, elevator));
    expect(again.find((m) => m.id === id)).toMatchObject({ following: true, followerCount: 1 });
    // A resident of another community sees none of it.
    expect(await as('resident_c2', (tx) => publicMatches(tx, w.communities.c1, elevator))).toEqual([]);
    // The follower hears about progress.
    await as('front_desk_c1', (tx) => officeActions.accept(tx, id));
    const notes = await owner.query(
      `select 1 from public.notifications where user_id = $1 and data ->> 'repair_id' = $2`,
      [w.users.owner_u1.id, id],
    );
    expect(notes.rowCount).toBe(1);
  });
});

describe('messages', () => {
  it('keeps internal notes from the household', async () => {
    const { id } = await report();
    await as('owner_u1', (tx) => postMessage(tx, id, { body: '下午在家' }));
    await as('front_desk_c1', (tx) => postMessage(tx, id, { body: '住户较急', internal: true }));
    await as('front_desk_c1', (tx) => postMessage(tx, id, { body: '师傅下午两点到' }));
    const residentView = await as('owner_u1', (tx) => getTicketDetail(tx, id));
    expect(residentView.messages.map((m) => [m.body, m.fromStaff, m.mine])).toEqual([
      ['下午在家', false, true],
      ['师傅下午两点到', true, false],
    ]);
    const staffView = await as('technician_c1', (tx) => getTicketDetail(tx, id));
    expect(staffView.messages.map((m) => m.internal)).toEqual([false, true, false]);
    expect(staffView.messages[1].authorName).toBe('front_desk_c1');
  });
});

describe('the office', () => {
  it('pages the queue with filters and counts, and builds the dashboard and the Excel export', async () => {
    const scope = [w.communities.c1, w.communities.c2];
    const queue = await as('manager_c1', (tx) => listQueue(tx, scope, { overdue: false, status: 'all' }));
    expect(queue.items.length).toBeGreaterThan(0);
    expect(queue.items.every((t) => t.communityId === w.communities.c1)).toBe(true);
    const pending = await as('manager_c1', (tx) =>
      listQueue(tx, scope, { overdue: false, status: 'pending' }),
    );
    expect(pending.items.every((t) => t.status === 'pending')).toBe(true);
    const byNumber = await as('manager_c1', (tx) =>
      listQueue(tx, scope, { overdue: false, status: 'all', q: queue.items[0].number }),
    );
    expect(byNumber.items.map((t) => t.id)).toEqual([queue.items[0].id]);
    const counts = await as('manager_c1', (tx) => statusCounts(tx, scope));
    expect(counts.pending).toBe(pending.items.length);
    // Another company's admin sees nothing of company A.
    expect(
      (await as('admin_b', (tx) => listQueue(tx, scope, { overdue: false, status: 'all' }))).items,
    ).toEqual([]);

    const today = new Date().toISOString().slice(0, 10);
    const dash = await as('manager_c1', (tx) =>
      loadDashboard(tx, [w.communities.c1], { from: today, to: today, bucket: 'day' }),
    );
    expect(dash.created).toBeGreaterThan(5);
    expect(dash.byCategory.labels).toEqual([today]);
    expect(dash.technicians.find((t) => t.name === 'technician_c1')?.ratings).toBeGreaterThan(0);

    const xlsx = await as('manager_c1', (tx) =>
      exportTickets(tx, [w.communities.c1], { from: today, to: today }, (k, v) => translate('zh-CN', k, v)),
    );
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('报修单');
    expect(sheet?.getRow(1).getCell(1).value).toBe('单号');
    expect(sheet?.rowCount).toBe(dash.created + 1);
  });

  it("lists only the caller's own repairs for residents", async () => {
    const mine = await as('owner_u1', (tx) => listMyRepairs(tx));
    expect(mine.length).toBeGreaterThan(0);
    expect(await as('resident_c3', (tx) => listMyRepairs(tx))).toEqual([]);
    // The filters split the same list, newest first, and the page size caps it.
    const open = await as('owner_u1', (tx) => listMyRepairs(tx, { filter: 'open' }));
    const done = await as('owner_u1', (tx) => listMyRepairs(tx, { filter: 'done' }));
    expect(open.every((t) => !['completed', 'rated', 'cancelled'].includes(t.status))).toBe(true);
    expect(done.every((t) => ['completed', 'rated', 'cancelled'].includes(t.status))).toBe(true);
    expect(new Set([...open, ...done].map((t) => t.id))).toEqual(new Set(mine.map((t) => t.id)));
    expect(mine.map((t) => t.createdAt)).toEqual([...mine.map((t) => t.createdAt)].sort().reverse());
    expect(await as('owner_u1', (tx) => listMyRepairs(tx, { limit: 1 }))).toEqual(mine.slice(0, 1));
  });
});
