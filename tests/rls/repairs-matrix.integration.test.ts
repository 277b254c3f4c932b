import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../app/lib/db.server';
import { createTestDatabase } from '../support/platform';
import { type MatrixSpec, matrixTests, newTally, tallyLine } from './support/matrix';
import { buildRepairsWorld, createObject, type RepairsWorld } from './support/repairs-world';
import { rows } from './support/run-as';
import { buildTenancyWorld, type TenancyWorld } from './support/world';

/**
 * The authorization matrix of repairs: table × verb (and workflow step) × persona → allow/deny.
 * Every cell runs as that persona (role and JWT claims set as withUser sets them) in a
 * transaction that is rolled back. Steps of the status machine are cells too: the workflow
 * guard (private.repair_tickets_guard) refuses with 42501 when the persona may not take the
 * step, and with P0001 when no one may (listed per cell in `refusals`).
 * The media cells include a resident of another unit asking for a ticket's photo by path; the
 * signed-URL variant goes through the Storage service in repairs-media.integration.test.ts.
 */

type W = TenancyWorld & { r: RepairsWorld };
type Spec = MatrixSpec<W>;

// ----- persona groups --------------------------------------------------------------
const SERVICE = ['service_role'] as const;
/** repair.read in C1: company admin, community manager, front desk, technician. */
const REPAIR_STAFF_C1 = ['admin_a', 'manager_c1', 'front_desk_c1', 'technician_c1'] as const;
/** repair.dispatch (and repair.create) in C1. */
const DISPATCHERS_C1 = ['admin_a', 'manager_c1', 'front_desk_c1'] as const;
/** community.manage in C1. */
const MANAGERS_C1 = ['admin_a', 'manager_c1'] as const;
/** U1's household that sees repairs: the owner and the family member with repairs.read. */
const READERS_U1 = ['owner_u1', 'family_full'] as const;
/** U1's household that may report (repairs.create): the owner and the limited family member. */
const REPORTERS_U1 = ['owner_u1', 'family_limited'] as const;
/**
 * Who acts for U1's household on T1 (reported by the owner): members who may both report and
 * read the household's repairs. The limited family member may report, but only acts on
 * their own reports (they cannot see the others).
 */
const HOUSEHOLD_U1 = ['owner_u1'] as const;
const RESIDENTS_C1 = ['owner_u1', 'family_full', 'family_limited', 'neighbour_c1'] as const;
const NOBODY = [] as const;

const count = (tx: Tx, table: string, where: string, values: unknown[]) =>
  rows(tx, `select count(*)::int as n from ${table} where ${where}`, values);
const update = (tx: Tx, set: string, id: string, values: unknown[] = []) =>
  rows(tx, `update public.repair_tickets set ${set} where id = $1`, [id, ...values]);

const TABLES: Spec[] = [
  {
    table: 'repair_tickets',
    cells: {
      select: {
        allow: [...REPAIR_STAFF_C1, ...READERS_U1, ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.repair_tickets', 'id = $1', [w.r.t1.id]),
      },
      select_other_company: {
        allow: ['resident_c3', 'admin_b', ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.repair_tickets', 'id = $1', [w.r.t3.id]),
      },
      insert_home: {
        allow: [...REPORTERS_U1, ...DISPATCHERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(
            tx,
            `insert into public.repair_tickets (area, unit_id, category_id, description) values ('home', $1, $2, '门锁坏了')`,
            [w.units.u1.id, w.r.categories.waterC1],
          ),
      },
      insert_other_unit: {
        // U3 has no occupants: only staff entering a report for it (and jobs).
        allow: [...DISPATCHERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(
            tx,
            `insert into public.repair_tickets (area, unit_id, category_id, description) values ('home', $1, $2, '门锁坏了')`,
            [w.units.u3.id, w.r.categories.waterC1],
          ),
      },
      insert_public: {
        allow: [...RESIDENTS_C1, ...DISPATCHERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(
            tx,
            `insert into public.repair_tickets (area, community_id, location_note, category_id, description)
             values ('public', $1, '南门', $2, '路灯不亮')`,
            [w.communities.c1, w.r.categories.elevatorC1],
          ),
      },
      update_description: {
        allow: [...HOUSEHOLD_U1, ...SERVICE],
        act: (tx, { w }) => update(tx, `description = '厨房和卫生间都漏水'`, w.r.t1.id),
      },
      accept: {
        allow: DISPATCHERS_C1,
        act: (tx, { w }) => update(tx, `status = 'accepted'`, w.r.t1.id),
      },
      dispatch: {
        allow: [...DISPATCHERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          update(tx, `status = 'dispatched', assignee_id = $2`, w.r.t1.id, [w.r.technician]),
      },
      reassign_to_non_technician: {
        // The finance member does not hold repair.work: nobody may assign them.
        allow: NOBODY,
        act: (tx, { w }) =>
          update(tx, `status = 'dispatched', assignee_id = $2`, w.r.t1.id, [w.staff.finance_a.memberId]),
        refusals: ['P0001'],
      },
      start: {
        allow: ['technician_c1', ...DISPATCHERS_C1],
        arrange: (_tx, w) => w.r.walk('dispatched'),
        act: (tx, { arranged }) => update(tx, `status = 'in_progress'`, arranged),
      },
      arrive: {
        allow: ['technician_c1', ...SERVICE],
        arrange: (_tx, w) => w.r.walk('dispatched'),
        act: (tx, { arranged }) => update(tx, 'arrived_at = now()', arranged),
      },
      complete: {
        allow: ['technician_c1', ...DISPATCHERS_C1],
        arrange: (_tx, w) => w.r.walk('in_progress'),
        act: (tx, { arranged }) => update(tx, `status = 'completed', completion_note = '已修好'`, arranged),
      },
      pause_without_reason: {
        allow: NOBODY,
        arrange: (_tx, w) => w.r.walk('in_progress'),
        act: (tx, { arranged }) => update(tx, `status = 'paused'`, arranged),
        refusals: ['22023'],
      },
      cancel_before_work: {
        allow: [...HOUSEHOLD_U1, ...DISPATCHERS_C1],
        act: (tx, { w }) => update(tx, `status = 'cancelled', status_reason = '已自行修好'`, w.r.t1.id),
      },
      cancel_during_work: {
        allow: NOBODY,
        arrange: (_tx, w) => w.r.walk('in_progress'),
        act: (tx, { arranged }) => update(tx, `status = 'cancelled', status_reason = '不修了'`, arranged),
        refusals: ['P0001'],
      },
      return_to_resident: {
        allow: DISPATCHERS_C1,
        act: (tx, { w }) => update(tx, `status = 'returned', status_reason = '请补充照片'`, w.r.t1.id),
      },
      reopen_within_7_days: {
        allow: HOUSEHOLD_U1,
        arrange: (_tx, w) => w.r.walk('completed'),
        act: (tx, { arranged }) => update(tx, `status = 'pending', status_reason = '又漏了'`, arranged),
      },
      reopen_after_7_days: {
        allow: NOBODY,
        arrange: async (tx, w) => {
          await w.r.walk('completed');
          await tx.query(`set local session_replication_role = replica`);
          await tx.query(
            `update public.repair_tickets set completed_at = now() - interval '8 days' where id = $1`,
            [w.r.t1.id],
          );
          await tx.query(`set local session_replication_role = origin`);
          return w.r.t1.id;
        },
        act: (tx, { arranged }) => update(tx, `status = 'pending', status_reason = '又漏了'`, arranged),
        refusals: ['P0001'],
      },
      set_rated_directly: {
        // Rated comes through a rating row (the system step), never from a person directly.
        allow: SERVICE,
        arrange: (_tx, w) => w.r.walk('completed'),
        act: (tx, { arranged }) => update(tx, `status = 'rated'`, arranged),
      },
      move_community: {
        allow: NOBODY,
        act: (tx, { w }) => update(tx, 'community_id = $2', w.r.t1.id, [w.communities.c2]),
      },
      delete: {
        allow: SERVICE,
        act: (tx, { w }) => rows(tx, 'delete from public.repair_tickets where id = $1', [w.r.t3.id]),
      },
    },
  },
  {
    table: 'repair_ticket_events',
    cells: {
      select: {
        allow: [...REPAIR_STAFF_C1, ...READERS_U1, ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.repair_ticket_events', 'ticket_id = $1', [w.r.t1.id]),
      },
      insert: {
        allow: SERVICE,
        act: (tx, { w }) =>
          rows(
            tx,
            `insert into public.repair_ticket_events (company_id, community_id, ticket_id, event, to_status)
             values ($1, $2, $3, 'accepted', 'accepted')`,
            [w.companyA.id, w.communities.c1, w.r.t1.id],
          ),
      },
      update: {
        allow: SERVICE,
        act: (tx, { w }) =>
          rows(tx, `update public.repair_ticket_events set reason = 'x' where ticket_id = $1`, [w.r.t1.id]),
      },
      delete: {
        allow: SERVICE,
        act: (tx, { w }) =>
          rows(tx, 'delete from public.repair_ticket_events where ticket_id = $1', [w.r.t1.id]),
      },
    },
  },
  {
    table: 'repair_messages',
    cells: {
      select: {
        allow: [...REPAIR_STAFF_C1, ...READERS_U1, ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.repair_messages', 'id = $1', [w.r.publicMessage]),
      },
      select_internal_note: {
        allow: [...REPAIR_STAFF_C1, ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.repair_messages', 'id = $1', [w.r.internalNote]),
      },
      insert: {
        allow: [...REPAIR_STAFF_C1, ...READERS_U1, ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, `insert into public.repair_messages (ticket_id, body) values ($1, '好的，谢谢')`, [
            w.r.t1.id,
          ]),
      },
      insert_internal_note: {
        allow: [...REPAIR_STAFF_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(
            tx,
            `insert into public.repair_messages (ticket_id, visibility, body) values ($1, 'internal', '备注')`,
            [w.r.t1.id],
          ),
      },
      update: {
        allow: SERVICE,
        act: (tx, { w }) =>
          rows(tx, `update public.repair_messages set body = '改' where id = $1`, [w.r.publicMessage]),
      },
      delete: {
        allow: SERVICE,
        act: (tx, { w }) => rows(tx, 'delete from public.repair_messages where id = $1', [w.r.publicMessage]),
      },
    },
  },
  {
    table: 'repair_media',
    cells: {
      select: {
        allow: [...REPAIR_STAFF_C1, ...READERS_U1, ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.repair_media', 'object_path = $1', [w.r.reportPhoto]),
      },
      select_internal: {
        allow: [...REPAIR_STAFF_C1, ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.repair_media', 'object_path = $1', [w.r.notePhoto]),
      },
      // Upload into one's own folder, then attach to T1's report.
      insert_own_upload: {
        allow: [...HOUSEHOLD_U1, ...DISPATCHERS_C1],
        act: async (tx, { w }) => {
          const { rows: me } = await tx.query<{ uid: string | null }>('select auth.uid() as uid');
          if (!me[0].uid) return 0;
          const name = `${me[0].uid}/${crypto.randomUUID()}.jpg`;
          await tx.query(
            `insert into storage.objects (bucket_id, name, owner, owner_id, version, metadata)
             values ('repair-media', $1, $2::uuid, $2::text, gen_random_uuid()::text, '{"mimetype":"image/jpeg","size":1000}')`,
            [name, me[0].uid],
          );
          return rows(
            tx,
            `insert into public.repair_media (ticket_id, kind, object_path) values ($1, 'report', $2)`,
            [w.r.t1.id, name],
          );
        },
      },
      // Someone else's uploaded object cannot be attached (the path is not in one's own folder).
      insert_foreign_object: {
        allow: SERVICE,
        arrange: (tx, w) => createObject(tx, w.users.neighbour_c1.id),
        act: (tx, { w, arranged }) =>
          rows(
            tx,
            `insert into public.repair_media (ticket_id, kind, object_path, uploaded_by) values ($1, 'report', $2, $3)`,
            [w.r.t1.id, arranged, w.users.neighbour_c1.id],
          ),
      },
      update: {
        allow: SERVICE,
        act: (tx, { w }) =>
          rows(tx, `update public.repair_media set internal = true where object_path = $1`, [
            w.r.reportPhoto,
          ]),
      },
      delete: {
        allow: SERVICE,
        act: (tx, { w }) =>
          rows(tx, 'delete from public.repair_media where object_path = $1', [w.r.reportPhoto]),
      },
    },
  },
  {
    table: 'storage.objects (repair-media)',
    cells: {
      // The ticket's photo, asked for by its path (what a download or a signed URL request does).
      select_by_path: {
        allow: [...REPAIR_STAFF_C1, ...READERS_U1, ...SERVICE],
        act: (tx, { w }) =>
          count(tx, 'storage.objects', `bucket_id = 'repair-media' and name = $1`, [w.r.reportPhoto]),
      },
      select_internal_by_path: {
        allow: [...REPAIR_STAFF_C1, ...SERVICE],
        act: (tx, { w }) =>
          count(tx, 'storage.objects', `bucket_id = 'repair-media' and name = $1`, [w.r.notePhoto]),
      },
      upload_into_own_folder: {
        // Verified residents and repair staff; not strangers, other-tenant-less staff or platform.
        allow: [
          'owner_u1',
          'family_full',
          'family_limited',
          'neighbour_c1',
          'resident_c2',
          'resident_c3',
          'admin_a',
          'manager_c1',
          'manager_c2',
          'front_desk_c1',
          'technician_c1',
          'admin_b',
          ...SERVICE,
        ],
        act: (tx) =>
          rows(
            tx,
            `insert into storage.objects (bucket_id, name, owner_id, metadata)
             values ('repair-media', coalesce(auth.uid()::text, 'service') || '/' || gen_random_uuid() || '.jpg', auth.uid()::text, '{}')`,
          ),
      },
      upload_into_someone_elses_folder: {
        allow: SERVICE,
        act: (tx, { w }) =>
          rows(
            tx,
            `insert into storage.objects (bucket_id, name, owner_id, metadata)
             values ('repair-media', $1 || '/' || gen_random_uuid() || '.jpg', auth.uid()::text, '{}')`,
            [w.users.stranger.id],
          ),
      },
      upload_wrong_extension: {
        allow: SERVICE,
        act: (tx) =>
          rows(
            tx,
            `insert into storage.objects (bucket_id, name, owner_id, metadata)
             values ('repair-media', coalesce(auth.uid()::text, 'service') || '/' || gen_random_uuid() || '.exe', auth.uid()::text, '{}')`,
          ),
      },
      // Deletes as the Storage API runs them (it lifts storage.protect_delete for its own statements).
      delete_attached: {
        allow: SERVICE,
        act: async (tx, { w }) => {
          await tx.query(`select set_config('storage.allow_delete_query', 'true', true)`);
          return rows(tx, `delete from storage.objects where bucket_id = 'repair-media' and name = $1`, [
            w.r.reportPhoto,
          ]);
        },
      },
      delete_own_unattached: {
        allow: ['owner_u1', ...SERVICE],
        arrange: (tx, w) => createObject(tx, w.users.owner_u1.id),
        act: async (tx, { arranged }) => {
          await tx.query(`select set_config('storage.allow_delete_query', 'true', true)`);
          return rows(tx, `delete from storage.objects where bucket_id = 'repair-media' and name = $1`, [
            arranged,
          ]);
        },
      },
    },
  },
  {
    table: 'repair_ratings',
    cells: {
      insert: {
        allow: [...HOUSEHOLD_U1, ...SERVICE],
        arrange: (_tx, w) => w.r.walk('completed'),
        act: (tx, { arranged }) =>
          rows(
            tx,
            'insert into public.repair_ratings (ticket_id, speed, quality, attitude) values ($1, 5, 5, 4)',
            [arranged],
          ),
      },
      insert_before_completion: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(
            tx,
            'insert into public.repair_ratings (ticket_id, speed, quality, attitude) values ($1, 5, 5, 4)',
            [w.r.t1.id],
          ),
        refusals: ['P0001'],
      },
      select: {
        allow: [...REPAIR_STAFF_C1, ...READERS_U1, ...SERVICE],
        arrange: (_tx, w) => w.r.walk('rated'),
        act: (tx, { arranged }) => count(tx, 'public.repair_ratings', 'ticket_id = $1', [arranged]),
      },
      update: {
        allow: SERVICE,
        arrange: (_tx, w) => w.r.walk('rated'),
        act: (tx, { arranged }) =>
          rows(tx, `update public.repair_ratings set comment = '改评' where ticket_id = $1`, [arranged]),
      },
      delete: {
        allow: SERVICE,
        arrange: (_tx, w) => w.r.walk('rated'),
        act: (tx, { arranged }) =>
          rows(tx, 'delete from public.repair_ratings where ticket_id = $1', [arranged]),
      },
    },
  },
  {
    table: 'repair_followers',
    cells: {
      insert: {
        // Residents of C1 other than the reporter (the neighbour) say "me too".
        allow: ['owner_u1', 'family_full', 'family_limited'],
        act: (tx, { w }) =>
          rows(tx, 'insert into public.repair_followers (ticket_id) values ($1)', [w.r.tPublic.id]),
        refusals: ['23502'],
      },
      insert_home_ticket: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(tx, 'insert into public.repair_followers (ticket_id) values ($1)', [w.r.t1.id]),
        refusals: ['23502'],
      },
      select: {
        allow: ['owner_u1', ...REPAIR_STAFF_C1, ...SERVICE],
        arrange: async (tx, w) => {
          await tx.query('insert into public.repair_followers (ticket_id, user_id) values ($1, $2)', [
            w.r.tPublic.id,
            w.users.owner_u1.id,
          ]);
          return w.r.tPublic.id;
        },
        act: (tx, { arranged }) => count(tx, 'public.repair_followers', 'ticket_id = $1', [arranged]),
      },
      delete: {
        allow: ['owner_u1', ...SERVICE],
        arrange: async (tx, w) => {
          await tx.query('insert into public.repair_followers (ticket_id, user_id) values ($1, $2)', [
            w.r.tPublic.id,
            w.users.owner_u1.id,
          ]);
          return w.r.tPublic.id;
        },
        act: (tx, { arranged }) =>
          rows(tx, 'delete from public.repair_followers where ticket_id = $1', [arranged]),
      },
      update: {
        allow: SERVICE,
        arrange: async (tx, w) => {
          await tx.query('insert into public.repair_followers (ticket_id, user_id) values ($1, $2)', [
            w.r.tPublic.id,
            w.users.owner_u1.id,
          ]);
          return w.r.tPublic.id;
        },
        act: (tx, { arranged }) =>
          rows(tx, 'update public.repair_followers set created_at = now() where ticket_id = $1', [arranged]),
      },
    },
  },
  {
    table: 'repair_technician_locations',
    cells: {
      insert: {
        allow: ['technician_c1', ...SERVICE],
        arrange: (_tx, w) => w.r.walk('dispatched'),
        act: (tx, { arranged }) =>
          rows(
            tx,
            'insert into public.repair_technician_locations (ticket_id, latitude, longitude) values ($1, 30.27, 120.15)',
            [arranged],
          ),
      },
      insert_after_arrival: {
        allow: NOBODY,
        arrange: async (tx, w) => {
          await w.r.walk('dispatched');
          await tx.query('update public.repair_tickets set arrived_at = now() where id = $1', [w.r.t1.id]);
          return w.r.t1.id;
        },
        act: (tx, { arranged }) =>
          rows(
            tx,
            'insert into public.repair_technician_locations (ticket_id, latitude, longitude) values ($1, 30.27, 120.15)',
            [arranged],
          ),
        refusals: ['P0001'],
      },
      select: {
        allow: [...REPAIR_STAFF_C1, ...READERS_U1, ...SERVICE],
        arrange: async (tx, w) => {
          await w.r.walk('dispatched');
          await tx.query(
            'insert into public.repair_technician_locations (ticket_id, latitude, longitude) values ($1, 30.27, 120.15)',
            [w.r.t1.id],
          );
          return w.r.t1.id;
        },
        act: (tx, { arranged }) =>
          count(tx, 'public.repair_technician_locations', 'ticket_id = $1', [arranged]),
      },
      update: {
        allow: ['technician_c1', ...SERVICE],
        arrange: async (tx, w) => {
          await w.r.walk('dispatched');
          await tx.query(
            'insert into public.repair_technician_locations (ticket_id, latitude, longitude) values ($1, 30.27, 120.15)',
            [w.r.t1.id],
          );
          return w.r.t1.id;
        },
        act: (tx, { arranged }) =>
          rows(tx, 'update public.repair_technician_locations set latitude = 30.28 where ticket_id = $1', [
            arranged,
          ]),
      },
      delete: {
        allow: ['technician_c1', ...SERVICE],
        arrange: async (tx, w) => {
          await w.r.walk('dispatched');
          await tx.query(
            'insert into public.repair_technician_locations (ticket_id, latitude, longitude) values ($1, 30.27, 120.15)',
            [w.r.t1.id],
          );
          return w.r.t1.id;
        },
        act: (tx, { arranged }) =>
          rows(tx, 'delete from public.repair_technician_locations where ticket_id = $1', [arranged]),
      },
    },
  },
  {
    table: 'repair_categories',
    cells: {
      select: {
        allow: [...RESIDENTS_C1, ...REPAIR_STAFF_C1, ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.repair_categories', 'id = $1', [w.r.categories.waterC1]),
      },
      insert: {
        allow: [...MANAGERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(
            tx,
            `insert into public.repair_categories (company_id, community_id, name) values ($1, $2, '外墙')`,
            [w.companyA.id, w.communities.c1],
          ),
      },
      update: {
        allow: [...MANAGERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, 'update public.repair_categories set response_minutes = 30 where id = $1', [
            w.r.categories.waterC1,
          ]),
      },
      delete: {
        allow: [...MANAGERS_C1, ...SERVICE],
        arrange: async (tx, w) =>
          (
            await tx.query<{ id: string }>(
              `insert into public.repair_categories (company_id, community_id, name) values ($1, $2, '待删除') returning id`,
              [w.companyA.id, w.communities.c1],
            )
          ).rows[0].id,
        act: (tx, { arranged }) => rows(tx, 'delete from public.repair_categories where id = $1', [arranged]),
      },
      move_community: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(tx, 'update public.repair_categories set community_id = $2 where id = $1', [
            w.r.categories.waterC1,
            w.communities.c2,
          ]),
      },
    },
  },
  {
    table: 'repair_community_settings',
    cells: {
      select: {
        allow: [...RESIDENTS_C1, ...REPAIR_STAFF_C1, ...SERVICE],
        act: (tx, { w }) =>
          count(tx, 'public.repair_community_settings', 'community_id = $1', [w.communities.c1]),
      },
      update: {
        allow: [...MANAGERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(
            tx,
            'update public.repair_community_settings set latitude = 30.27, longitude = 120.15 where community_id = $1',
            [w.communities.c1],
          ),
      },
      insert: {
        allow: SERVICE,
        arrange: async (tx, w) => {
          await tx.query('delete from public.repair_community_settings where community_id = $1', [
            w.communities.c1,
          ]);
          return w.communities.c1;
        },
        act: (tx, { w, arranged }) =>
          rows(
            tx,
            'insert into public.repair_community_settings (company_id, community_id) values ($1, $2)',
            [w.companyA.id, arranged],
          ),
      },
      delete: {
        allow: SERVICE,
        act: (tx, { w }) =>
          rows(tx, 'delete from public.repair_community_settings where community_id = $1', [
            w.communities.c1,
          ]),
      },
    },
  },
  {
    table: 'repair_assign_rules',
    cells: {
      select: {
        allow: [...REPAIR_STAFF_C1, ...SERVICE],
        arrange: async (tx, w) =>
          (
            await tx.query<{ id: string }>(
              `insert into public.repair_assign_rules (company_id, community_id, strategy) values ($1, $2, 'least_loaded') returning id`,
              [w.companyA.id, w.communities.c1],
            )
          ).rows[0].id,
        act: (tx, { arranged }) => count(tx, 'public.repair_assign_rules', 'id = $1', [arranged]),
      },
      insert: {
        allow: [...DISPATCHERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(
            tx,
            `insert into public.repair_assign_rules (company_id, community_id, strategy) values ($1, $2, 'least_loaded')`,
            [w.companyA.id, w.communities.c1],
          ),
      },
      update: {
        allow: [...DISPATCHERS_C1, ...SERVICE],
        arrange: async (tx, w) =>
          (
            await tx.query<{ id: string }>(
              `insert into public.repair_assign_rules (company_id, community_id, strategy) values ($1, $2, 'least_loaded') returning id`,
              [w.companyA.id, w.communities.c1],
            )
          ).rows[0].id,
        act: (tx, { arranged }) =>
          rows(tx, 'update public.repair_assign_rules set is_active = false where id = $1', [arranged]),
      },
      delete: {
        allow: [...DISPATCHERS_C1, ...SERVICE],
        arrange: async (tx, w) =>
          (
            await tx.query<{ id: string }>(
              `insert into public.repair_assign_rules (company_id, community_id, strategy) values ($1, $2, 'least_loaded') returning id`,
              [w.companyA.id, w.communities.c1],
            )
          ).rows[0].id,
        act: (tx, { arranged }) =>
          rows(tx, 'delete from public.repair_assign_rules where id = $1', [arranged]),
      },
    },
  },
  {
    table: 'realtime.messages (repair topics)',
    cells: {
      // What joining a private channel checks: can the caller read broadcasts on the topic?
      ticket_topic: {
        allow: [...REPAIR_STAFF_C1, ...READERS_U1, ...SERVICE],
        act: async (tx, { w }) => {
          const topic = `repair:ticket:${w.r.t1.id}`;
          await tx.query(`select set_config('realtime.topic', $1, true)`, [topic]);
          return count(tx, 'realtime.messages', `topic = $1 and extension = 'broadcast'`, [topic]);
        },
      },
      community_topic: {
        allow: [...REPAIR_STAFF_C1, ...SERVICE],
        act: async (tx, { w }) => {
          const topic = `repair:community:${w.communities.c1}`;
          await tx.query(`select set_config('realtime.topic', $1, true)`, [topic]);
          return count(tx, 'realtime.messages', `topic = $1 and extension = 'broadcast'`, [topic]);
        },
      },
      send_on_ticket_topic: {
        allow: SERVICE,
        act: async (tx, { w }) => {
          const topic = `repair:ticket:${w.r.t1.id}`;
          await tx.query(`select set_config('realtime.topic', $1, true)`, [topic]);
          return rows(
            tx,
            `insert into realtime.messages (topic, extension, event, payload, private) values ($1, 'broadcast', 'x', '{}', true)`,
            [topic],
          );
        },
      },
    },
  },
];

const FUNCTIONS: Spec = {
  table: 'functions',
  cells: {
    repair_public_matches: {
      allow: [...RESIDENTS_C1, ...REPAIR_STAFF_C1],
      act: (tx, { w }) => count(tx, 'private.repair_public_matches($1)', 'true', [w.communities.c1]),
    },
    repair_technicians: {
      allow: REPAIR_STAFF_C1,
      act: (tx, { w }) => count(tx, 'private.repair_technicians($1)', 'true', [w.communities.c1]),
    },
    repair_assignee: {
      allow: [...REPAIR_STAFF_C1, ...READERS_U1],
      arrange: (_tx, w) => w.r.walk('dispatched'),
      act: (tx, { arranged }) => count(tx, 'private.repair_assignee($1)', 'true', [arranged]),
    },
  },
};

describe('repairs authorization matrix', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: pg.Client;
  let world: W;
  const tally = newTally();

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const tx: Tx = {
      query: (q, v) => client.query({ ...(typeof q === 'string' ? { text: q } : q), values: v as unknown[] }),
    };
    const tenancy = await buildTenancyWorld(tx);
    // A message row on each topic, as a database broadcast would leave it.
    const r = await buildRepairsWorld(tx, tenancy);
    await client.query(
      `insert into realtime.messages (topic, extension, event, payload, private)
       values ($1, 'broadcast', 'ticket_changed', '{}', true), ($2, 'broadcast', 'ticket_changed', '{}', true)`,
      [`repair:ticket:${r.t1.id}`, `repair:community:${tenancy.communities.c1}`],
    );
    world = { ...tenancy, r };
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
    process.stdout.write(tallyLine('repairs', tally));
  });

  matrixTests([...TABLES, FUNCTIONS], () => ({ client, world }), tally);

  it('covers select, insert, update and delete of every repairs table', () => {
    for (const table of [
      'repair_tickets',
      'repair_ticket_events',
      'repair_messages',
      'repair_media',
      'repair_ratings',
      'repair_followers',
      'repair_technician_locations',
      'repair_categories',
      'repair_community_settings',
      'repair_assign_rules',
    ]) {
      const spec = TABLES.find((t) => t.table === table);
      expect(spec, table).toBeDefined();
      const verbs = Object.keys(spec?.cells ?? {}).join(' ');
      for (const verb of ['select', 'insert', 'update', 'delete'])
        expect(verbs, `${table} ${verb}`).toMatch(new RegExp(`(^| )${verb}`));
    }
  });
});
