import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../app/lib/db.server';
import { createTestDatabase } from '../support/platform';
import { type MatrixSpec, matrixTests, newTally, tallyLine } from './support/matrix';
import { rows } from './support/run-as';
import { buildTenancyWorld, createUser, PERSONAS, type TenancyWorld } from './support/world';

/**
 * The authorization matrix of the tenancy tables: table × verb × persona → allow/deny.
 * Each table lists, per verb, the personas that must be allowed; every other persona
 * must be denied. Every cell runs as that persona (role + JWT claims set in the
 * transaction, as withUser does) against a fresh database, and is rolled back.
 * `move_*` rows try to carry a row into another community or company by UPDATE: nobody may.
 */

type TableSpec = MatrixSpec<TenancyWorld>;

// ----- persona groups --------------------------------------------------------------
const SERVICE = ['service_role'] as const;
const PLATFORM = ['platform_owner', 'platform_admin', 'platform_support'] as const;
const PLATFORM_COMPANY_MANAGERS = ['platform_owner', 'platform_admin'] as const;
const STAFF_A = [
  'admin_a',
  'manager_c1',
  'manager_c2',
  'front_desk_c1',
  'technician_c1',
  'finance_a',
  'security_c1',
] as const;
/** Staff of company A holding community.read / unit.read in C1 (manager_c2 is scoped to C2). */
const STAFF_A_IN_C1 = [
  'admin_a',
  'manager_c1',
  'front_desk_c1',
  'technician_c1',
  'finance_a',
  'security_c1',
] as const;
/** resident.read in C1: admin, manager, front desk, finance — not technician or security. */
const RESIDENT_READERS_C1 = ['admin_a', 'manager_c1', 'front_desk_c1', 'finance_a'] as const;
/** resident.verify in C1. */
const VERIFIERS_C1 = ['admin_a', 'manager_c1', 'front_desk_c1'] as const;
/** unit.manage / community.manage / resident.manage / staff.manage in C1. */
const MANAGERS_C1 = ['admin_a', 'manager_c1'] as const;
const RESIDENTS_U1 = ['owner_u1', 'family_full', 'family_limited'] as const;
const RESIDENTS_C1 = [...RESIDENTS_U1, 'neighbour_c1'] as const;
const RESIDENTS_A = [...RESIDENTS_C1, 'resident_c2'] as const;
const AUTHENTICATED = PERSONAS.filter((p) => p !== 'anonymous' && p !== 'service_role');
const NOBODY = [] as const;

const count = (tx: Tx, table: string, where: string, values: unknown[]) =>
  rows(tx, `select count(*)::int as n from ${table} where ${where}`, values);

const TABLES: TableSpec[] = [
  {
    table: 'companies',
    cells: {
      select: {
        allow: [...STAFF_A, ...RESIDENTS_A, ...PLATFORM, ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.companies', 'id = $1', [w.companyA.id]),
      },
      insert: {
        allow: [...PLATFORM_COMPANY_MANAGERS, ...SERVICE],
        act: (tx) => rows(tx, `insert into public.companies (name) values ('新开物业公司')`),
      },
      update: {
        allow: ['admin_a', ...PLATFORM_COMPANY_MANAGERS, ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, `update public.companies set contact_name = '张经理' where id = $1`, [w.companyA.id]),
      },
      delete: {
        allow: SERVICE,
        arrange: async (tx) =>
          (
            await tx.query<{ id: string }>(
              `insert into public.companies (name) values ('待删除公司') returning id`,
            )
          ).rows[0].id,
        act: (tx, { arranged }) => rows(tx, 'delete from public.companies where id = $1', [arranged]),
      },
      suspend: {
        allow: [...PLATFORM_COMPANY_MANAGERS, ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, `update public.companies set status = 'suspended' where id = $1`, [w.companyA.id]),
      },
    },
  },
  {
    table: 'communities',
    cells: {
      select: {
        allow: [...STAFF_A_IN_C1, ...RESIDENTS_C1, ...PLATFORM, ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.communities', 'id = $1', [w.communities.c1]),
      },
      insert: {
        allow: ['admin_a', ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, `insert into public.communities (company_id, name) values ($1, '新建小区')`, [
            w.companyA.id,
          ]),
      },
      update: {
        allow: [...MANAGERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, `update public.communities set contact_phone = '8657188886666' where id = $1`, [
            w.communities.c1,
          ]),
      },
      delete: {
        allow: ['admin_a', ...SERVICE],
        arrange: async (tx, w) =>
          (
            await tx.query<{ id: string }>(
              `insert into public.communities (company_id, name) values ($1, '待删除小区') returning id`,
              [w.companyA.id],
            )
          ).rows[0].id,
        act: (tx, { arranged }) => rows(tx, 'delete from public.communities where id = $1', [arranged]),
      },
      move_company: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(tx, 'update public.communities set company_id = $2 where id = $1', [
            w.communities.c1,
            w.companyB.id,
          ]),
      },
    },
  },
  {
    table: 'buildings',
    cells: {
      select: {
        allow: [...STAFF_A_IN_C1, ...RESIDENTS_C1, ...PLATFORM, ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.buildings', 'id = $1', [w.buildings.b1]),
      },
      insert: {
        allow: [...MANAGERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, `insert into public.buildings (company_id, community_id, name) values ($1, $2, '9栋')`, [
            w.companyA.id,
            w.communities.c1,
          ]),
      },
      update: {
        allow: [...MANAGERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, `update public.buildings set note = '电梯两部' where id = $1`, [w.buildings.b1]),
      },
      delete: {
        allow: [...MANAGERS_C1, ...SERVICE],
        arrange: async (tx, w) =>
          (
            await tx.query<{ id: string }>(
              `insert into public.buildings (company_id, community_id, name) values ($1, $2, '待删除楼') returning id`,
              [w.companyA.id, w.communities.c1],
            )
          ).rows[0].id,
        act: (tx, { arranged }) => rows(tx, 'delete from public.buildings where id = $1', [arranged]),
      },
      move_community: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(tx, 'update public.buildings set community_id = $2 where id = $1', [
            w.buildings.b1,
            w.communities.c2,
          ]),
      },
      move_company: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(tx, 'update public.buildings set company_id = $2, community_id = $3 where id = $1', [
            w.buildings.b1,
            w.companyB.id,
            w.communities.c3,
          ]),
      },
    },
  },
  {
    table: 'units',
    cells: {
      select: {
        allow: [...STAFF_A_IN_C1, ...RESIDENTS_U1, ...PLATFORM, ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.units', 'id = $1', [w.units.u1.id]),
      },
      insert: {
        allow: [...MANAGERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(
            tx,
            `insert into public.units (company_id, community_id, building_id, floor, number) values ($1, $2, $3, 9, '901')`,
            [w.companyA.id, w.communities.c1, w.buildings.b1],
          ),
      },
      update: {
        allow: [...MANAGERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, 'update public.units set floor_area = 120.5 where id = $1', [w.units.u1.id]),
      },
      soft_delete: {
        allow: [...MANAGERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, 'update public.units set deleted_at = now() where id = $1', [w.units.u1.id]),
      },
      delete: {
        allow: SERVICE,
        arrange: async (tx, w) =>
          (
            await tx.query<{ id: string }>(
              `insert into public.units (company_id, community_id, building_id, floor, number)
               values ($1, $2, $3, 9, '902') returning id`,
              [w.companyA.id, w.communities.c1, w.buildings.b1],
            )
          ).rows[0].id,
        act: (tx, { arranged }) => rows(tx, 'delete from public.units where id = $1', [arranged]),
      },
      move_community: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(tx, 'update public.units set community_id = $2, building_id = $3 where id = $1', [
            w.units.u1.id,
            w.communities.c2,
            w.buildings.b2,
          ]),
      },
      move_company: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(
            tx,
            'update public.units set company_id = $2, community_id = $3, building_id = $4 where id = $1',
            [w.units.u1.id, w.companyB.id, w.communities.c3, w.buildings.b3],
          ),
      },
    },
  },
  {
    table: 'occupancies',
    cells: {
      select: {
        allow: [...RESIDENT_READERS_C1, 'owner_u1', 'family_full', ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.occupancies', 'id = $1', [w.occupancies.owner_u1]),
      },
      insert: {
        allow: [...MANAGERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(
            tx,
            `insert into public.occupancies (unit_id, relation, name) values ($1, 'owner', '新业主')`,
            [w.units.u3.id],
          ),
      },
      update: {
        allow: [...MANAGERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, `update public.occupancies set note = '已核实' where id = $1`, [w.occupancies.owner_u1]),
      },
      soft_delete: {
        allow: [...MANAGERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, 'update public.occupancies set deleted_at = now() where id = $1', [
            w.occupancies.owner_u1,
          ]),
      },
      delete: {
        allow: SERVICE,
        arrange: async (tx, w) =>
          (
            await tx.query<{ id: string }>(
              `insert into public.occupancies (unit_id, relation, name) values ($1, 'owner', '待删除') returning id`,
              [w.units.u3.id],
            )
          ).rows[0].id,
        act: (tx, { arranged }) => rows(tx, 'delete from public.occupancies where id = $1', [arranged]),
      },
      move_unit: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(tx, 'update public.occupancies set unit_id = $2 where id = $1', [
            w.occupancies.owner_u1,
            w.units.u2.id,
          ]),
      },
      move_company: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(
            tx,
            'update public.occupancies set company_id = $2, community_id = $3, unit_id = $4 where id = $1',
            [w.occupancies.owner_u1, w.companyB.id, w.communities.c3, w.units.u5.id],
          ),
      },
    },
  },
  {
    table: 'profiles',
    cells: {
      select: {
        allow: ['owner_u1', 'family_full', ...RESIDENT_READERS_C1, ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.profiles', 'id = $1', [w.users.owner_u1.id]),
      },
      insert: {
        allow: SERVICE,
        arrange: async (tx) => {
          const user = await createUser(tx);
          await tx.query('delete from public.profiles where id = $1', [user.id]);
          return user.id;
        },
        act: (tx, { arranged }) => rows(tx, 'insert into public.profiles (id) values ($1)', [arranged]),
      },
      update: {
        allow: ['owner_u1', ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, `update public.profiles set full_name = '新名字' where id = $1`, [w.users.owner_u1.id]),
      },
      delete: {
        allow: SERVICE,
        act: (tx, { w }) => rows(tx, 'delete from public.profiles where id = $1', [w.users.owner_u1.id]),
      },
      change_phone: {
        allow: SERVICE,
        act: (tx, { w }) =>
          rows(tx, `update public.profiles set phone = '8613000000000' where id = $1`, [w.users.owner_u1.id]),
      },
    },
  },
  {
    table: 'company_members',
    cells: {
      select: {
        allow: ['technician_c1', 'admin_a', 'manager_c1', ...PLATFORM, ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.company_members', 'id = $1', [w.staff.technician_c1.memberId]),
      },
      insert: {
        allow: ['admin_a', ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, 'insert into public.company_members (company_id, user_id) values ($1, $2)', [
            w.companyA.id,
            w.users.stranger.id,
          ]),
      },
      update: {
        allow: ['admin_a', ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, `update public.company_members set job_title = '维修主管' where id = $1`, [
            w.staff.technician_c1.memberId,
          ]),
      },
      delete: {
        allow: ['admin_a', ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, 'delete from public.company_members where id = $1', [w.staff.technician_c1.memberId]),
      },
      move_company: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(tx, 'update public.company_members set company_id = $2 where id = $1', [
            w.staff.technician_c1.memberId,
            w.companyB.id,
          ]),
      },
    },
  },
  {
    table: 'staff_role_assignments',
    cells: {
      select: {
        allow: ['technician_c1', 'admin_a', 'manager_c1', ...PLATFORM, ...SERVICE],
        act: (tx, { w }) =>
          count(tx, 'public.staff_role_assignments', 'id = $1', [w.staff.technician_c1.assignmentIds[0]]),
      },
      insert: {
        allow: [...MANAGERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(
            tx,
            'insert into public.staff_role_assignments (company_id, member_id, role_id, community_id) values ($1, $2, $3, $4)',
            [w.companyA.id, w.staff.security_c1.memberId, w.companyA.roles.technician, w.communities.c1],
          ),
      },
      // Moving the scope from C1 to C2 needs the right to grant in both.
      update: {
        allow: ['admin_a', ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, 'update public.staff_role_assignments set community_id = $2 where id = $1', [
            w.staff.technician_c1.assignmentIds[0],
            w.communities.c2,
          ]),
      },
      delete: {
        allow: [...MANAGERS_C1, ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, 'delete from public.staff_role_assignments where id = $1', [
            w.staff.technician_c1.assignmentIds[0],
          ]),
      },
      move_company: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(tx, 'update public.staff_role_assignments set company_id = $2 where id = $1', [
            w.staff.technician_c1.assignmentIds[0],
            w.companyB.id,
          ]),
      },
    },
  },
  {
    table: 'company_roles',
    cells: {
      select: {
        allow: [...STAFF_A, ...PLATFORM, ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.company_roles', 'id = $1', [w.companyA.roles.technician]),
      },
      insert: {
        allow: ['admin_a', ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, `insert into public.company_roles (company_id, name) values ($1, '绿化工')`, [
            w.companyA.id,
          ]),
      },
      update: {
        allow: ['admin_a', ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, `update public.company_roles set description = '水电维修' where id = $1`, [
            w.companyA.roles.technician,
          ]),
      },
      delete: {
        allow: ['admin_a', ...SERVICE],
        arrange: async (tx, w) =>
          (
            await tx.query<{ id: string }>(
              `insert into public.company_roles (company_id, name) values ($1, '临时岗位') returning id`,
              [w.companyA.id],
            )
          ).rows[0].id,
        act: (tx, { arranged }) => rows(tx, 'delete from public.company_roles where id = $1', [arranged]),
      },
      update_locked: {
        allow: SERVICE,
        act: (tx, { w }) =>
          rows(tx, `update public.company_roles set name = '超级管理员' where id = $1`, [
            w.companyA.roles.company_admin,
          ]),
      },
      move_company: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(tx, 'update public.company_roles set company_id = $2 where id = $1', [
            w.companyA.roles.technician,
            w.companyB.id,
          ]),
      },
    },
  },
  {
    table: 'company_role_permissions',
    cells: {
      select: {
        allow: [...STAFF_A, ...PLATFORM, ...SERVICE],
        act: (tx, { w }) =>
          count(tx, 'public.company_role_permissions', `role_id = $1 and permission = 'repair.work'`, [
            w.companyA.roles.technician,
          ]),
      },
      insert: {
        allow: ['admin_a', ...SERVICE],
        act: (tx, { w }) =>
          rows(
            tx,
            `insert into public.company_role_permissions (company_id, role_id, permission) values ($1, $2, 'bill.read')`,
            [w.companyA.id, w.companyA.roles.technician],
          ),
      },
      update: {
        allow: SERVICE,
        act: (tx, { w }) =>
          rows(
            tx,
            `update public.company_role_permissions set permission = 'bill.read' where role_id = $1 and permission = 'repair.work'`,
            [w.companyA.roles.technician],
          ),
      },
      delete: {
        allow: ['admin_a', ...SERVICE],
        act: (tx, { w }) =>
          rows(
            tx,
            `delete from public.company_role_permissions where role_id = $1 and permission = 'repair.work'`,
            [w.companyA.roles.technician],
          ),
      },
      strip_locked_role: {
        allow: SERVICE,
        act: (tx, { w }) =>
          rows(
            tx,
            `delete from public.company_role_permissions where role_id = $1 and permission = 'staff.manage'`,
            [w.companyA.roles.company_admin],
          ),
      },
      move_company: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(
            tx,
            `update public.company_role_permissions set company_id = $2 where role_id = $1 and permission = 'repair.work'`,
            [w.companyA.roles.technician, w.companyB.id],
          ),
      },
    },
  },
  {
    table: 'role_templates',
    cells: {
      select: {
        allow: [...AUTHENTICATED, ...SERVICE],
        act: (tx) => count(tx, 'public.role_templates', `code = 'technician'`, []),
      },
      insert: {
        allow: ['platform_owner', ...SERVICE],
        act: (tx) => rows(tx, `insert into public.role_templates (code, name) values ('gardener', '绿化工')`),
      },
      update: {
        allow: ['platform_owner', ...SERVICE],
        act: (tx) =>
          rows(tx, `update public.role_templates set description = '维修' where code = 'technician'`),
      },
      delete: {
        allow: ['platform_owner', ...SERVICE],
        arrange: async (tx) => {
          await tx.query(`insert into public.role_templates (code, name) values ('temp_role', '临时')`);
          return 'temp_role';
        },
        act: (tx, { arranged }) => rows(tx, 'delete from public.role_templates where code = $1', [arranged]),
      },
    },
  },
  {
    table: 'role_template_permissions',
    cells: {
      select: {
        allow: [...AUTHENTICATED, ...SERVICE],
        act: (tx) =>
          count(
            tx,
            'public.role_template_permissions',
            `template_code = 'technician' and permission = 'repair.work'`,
            [],
          ),
      },
      insert: {
        allow: ['platform_owner', ...SERVICE],
        act: (tx) =>
          rows(
            tx,
            `insert into public.role_template_permissions (template_code, permission) values ('technician', 'bill.read')`,
          ),
      },
      update: {
        allow: SERVICE,
        act: (tx) =>
          rows(
            tx,
            `update public.role_template_permissions set permission = 'bill.read' where template_code = 'technician' and permission = 'repair.work'`,
          ),
      },
      delete: {
        allow: ['platform_owner', ...SERVICE],
        act: (tx) =>
          rows(
            tx,
            `delete from public.role_template_permissions where template_code = 'technician' and permission = 'repair.work'`,
          ),
      },
    },
  },
  {
    table: 'unit_binding_requests',
    cells: {
      select: {
        allow: ['applicant', ...RESIDENT_READERS_C1, ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.unit_binding_requests', 'id = $1', [w.bindingRequest]),
      },
      // Anyone signed in may ask to be linked to a unit; the service role names the user.
      insert: {
        allow: [...AUTHENTICATED, ...SERVICE],
        act: (tx, { w, persona }) =>
          persona === 'service_role'
            ? rows(
                tx,
                `insert into public.unit_binding_requests (unit_id, user_id, relation, applicant_name) values ($1, $2, 'owner', '测试')`,
                [w.units.u3.id, w.users.stranger.id],
              )
            : rows(
                tx,
                `insert into public.unit_binding_requests (unit_id, relation, applicant_name) values ($1, 'owner', '测试')`,
                [w.units.u3.id],
              ),
      },
      update: {
        allow: ['applicant', ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, `update public.unit_binding_requests set status = 'cancelled' where id = $1`, [
            w.bindingRequest,
          ]),
      },
      delete: {
        allow: SERVICE,
        act: (tx, { w }) =>
          rows(tx, 'delete from public.unit_binding_requests where id = $1', [w.bindingRequest]),
      },
      // Approval only goes through private.approve_binding_request, which links an occupancy.
      approve_by_update: {
        allow: NOBODY,
        // Users are stopped by RLS; even the service role is stopped by the check that an
        // approved request links an occupancy (23514).
        refusals: ['23514'],
        act: (tx, { w }) =>
          rows(tx, `update public.unit_binding_requests set status = 'approved' where id = $1`, [
            w.bindingRequest,
          ]),
      },
      move_unit: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(tx, 'update public.unit_binding_requests set unit_id = $2 where id = $1', [
            w.bindingRequest,
            w.units.u4.id,
          ]),
      },
    },
  },
  {
    table: 'household_invitations',
    cells: {
      select: {
        allow: ['owner_u1', 'invitee', ...RESIDENT_READERS_C1, ...SERVICE],
        act: (tx, { w }) => count(tx, 'public.household_invitations', 'id = $1', [w.invitation]),
      },
      insert: {
        allow: ['owner_u1', ...SERVICE],
        act: (tx, { w, persona }) =>
          persona === 'service_role'
            ? rows(
                tx,
                `insert into public.household_invitations (unit_id, invited_by, phone) values ($1, $2, '13912345678')`,
                [w.units.u1.id, w.users.owner_u1.id],
              )
            : rows(
                tx,
                `insert into public.household_invitations (unit_id, phone) values ($1, '13912345678')`,
                [w.units.u1.id],
              ),
      },
      update: {
        allow: ['owner_u1', ...SERVICE],
        act: (tx, { w }) =>
          rows(tx, `update public.household_invitations set status = 'revoked' where id = $1`, [
            w.invitation,
          ]),
      },
      delete: {
        allow: SERVICE,
        act: (tx, { w }) =>
          rows(tx, 'delete from public.household_invitations where id = $1', [w.invitation]),
      },
      move_unit: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(tx, 'update public.household_invitations set unit_id = $2 where id = $1', [
            w.invitation,
            w.units.u2.id,
          ]),
      },
    },
  },
  {
    table: 'audit.log',
    cells: {
      select: {
        allow: ['admin_a', 'platform_owner', ...SERVICE],
        act: (tx, { w }) =>
          count(tx, 'audit.log', `table_name = 'communities' and row_id = $1 and action = 'INSERT'`, [
            w.communities.c1,
          ]),
      },
      insert: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(
            tx,
            `insert into audit.log (actor_role, company_id, table_schema, table_name, action) values ('x', $1, 'public', 'x', 'INSERT')`,
            [w.companyA.id],
          ),
      },
      update: {
        allow: NOBODY,
        act: (tx, { w }) =>
          rows(tx, `update audit.log set actor_role = 'x' where company_id = $1`, [w.companyA.id]),
      },
      delete: {
        allow: NOBODY,
        act: (tx, { w }) => rows(tx, 'delete from audit.log where company_id = $1', [w.companyA.id]),
      },
    },
  },
];

/** Workflow functions, cell by cell like the tables. */
const call = async (tx: Tx, text: string, values: unknown[]) => {
  await tx.query(text, values);
  return 1;
};
const FUNCTIONS: TableSpec = {
  table: 'private functions',
  cells: {
    approve_binding_request: {
      allow: VERIFIERS_C1,
      act: (tx, { w }) => call(tx, 'select private.approve_binding_request($1)', [w.bindingRequest]),
    },
    reject_binding_request: {
      allow: VERIFIERS_C1,
      act: (tx, { w }) =>
        call(tx, `select private.reject_binding_request($1, '证明材料不清晰')`, [w.bindingRequest]),
    },
    accept_household_invitation: {
      allow: ['invitee'],
      act: (tx, { w }) => call(tx, 'select private.accept_household_invitation($1)', [w.invitation]),
    },
    set_household_grants: {
      allow: ['owner_u1'],
      act: (tx, { w }) =>
        call(tx, `select private.set_household_grants($1, '{members.read,bills.read}')`, [
          w.occupancies.family_limited,
        ]),
    },
    create_company: {
      allow: [...PLATFORM_COMPANY_MANAGERS, ...SERVICE],
      act: (tx, { w }) => call(tx, `select private.create_company('新物业', $1)`, [w.users.stranger.id]),
    },
    has_permission_unit_manage_c1: {
      allow: MANAGERS_C1,
      act: async (tx, { w }) =>
        (
          await tx.query<{ ok: boolean }>(`select private.has_permission($1, 'unit.manage', $2) as ok`, [
            w.companyA.id,
            w.communities.c1,
          ])
        ).rows[0].ok
          ? 1
          : 0,
    },
  },
};

describe('tenancy authorization matrix', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: pg.Client;
  let world: TenancyWorld;
  const tally = newTally();

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    world = await buildTenancyWorld(client);
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
    // One line for the report: how big the matrix is and how many leaks it found.
    process.stdout.write(tallyLine('tenancy', tally));
  });

  matrixTests([...TABLES, FUNCTIONS], () => ({ client, world }), tally);

  it('has select, insert, update and delete cells for every tenancy table', () => {
    const tables = TABLES.map((t) => t.table);
    expect(tables).toEqual(expect.arrayContaining(TENANCY_TABLES));
    for (const spec of TABLES)
      expect(Object.keys(spec.cells)).toEqual(
        expect.arrayContaining(['select', 'insert', 'update', 'delete']),
      );
  });
});

const TENANCY_TABLES = [
  'audit.log',
  'companies',
  'communities',
  'buildings',
  'units',
  'occupancies',
  'profiles',
  'company_members',
  'staff_role_assignments',
  'company_roles',
  'company_role_permissions',
  'role_templates',
  'role_template_permissions',
  'unit_binding_requests',
  'household_invitations',
];
