import { randomUUID } from 'node:crypto';
import type { JwtClaims, PlatformRole, Tx } from '../../../app/lib/db.server';

/**
 * Factories for tenancy tests: plain objects in, ids out, inserted through a connection
 * that bypasses RLS (the database owner), exactly as a seed or an admin import would.
 */

type Sql = Tx;

let phoneCounter = 0;
/** A unique mainland mobile number in the stored form: 86 + 11 digits (unique per test process). */
export function nextPhone(): string {
  phoneCounter += 1;
  return `86139${String(process.pid % 1000).padStart(3, '0')}${String(phoneCounter).padStart(5, '0')}`;
}

export type TestUser = { id: string; phone: string; claims: JwtClaims };

export async function createUser(
  sql: Sql,
  opts: { name?: string; phone?: string; platformRole?: PlatformRole } = {},
): Promise<TestUser> {
  const id = randomUUID();
  const phone = opts.phone ?? nextPhone();
  const appMetadata: Record<string, unknown> = { provider: 'phone', providers: ['phone'] };
  if (opts.platformRole) appMetadata.platform_role = opts.platformRole;
  await sql.query(
    `insert into auth.users (instance_id, id, aud, role, phone, phone_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
     values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, now(), $3, $4, now(), now())`,
    [id, phone, appMetadata, { full_name: opts.name ?? '' }],
  );
  return {
    id,
    phone,
    claims: {
      role: 'authenticated',
      sub: id,
      aud: 'authenticated',
      phone,
      app_metadata: appMetadata,
      user_metadata: {},
    },
  };
}

export async function createCompany(
  sql: Sql,
  name: string,
): Promise<{ id: string; roles: Record<string, string> }> {
  const { rows } = await sql.query<{ id: string }>(
    'insert into public.companies (name) values ($1) returning id',
    [name],
  );
  const id = rows[0].id;
  const roles = await sql.query<{ id: string; template_code: string }>(
    'select id, template_code from public.company_roles where company_id = $1',
    [id],
  );
  return { id, roles: Object.fromEntries(roles.rows.map((r) => [r.template_code, r.id])) };
}

export async function createCommunity(sql: Sql, companyId: string, name: string): Promise<string> {
  const { rows } = await sql.query<{ id: string }>(
    `insert into public.communities (company_id, name, city) values ($1, $2, '杭州') returning id`,
    [companyId, name],
  );
  return rows[0].id;
}

export async function createBuilding(
  sql: Sql,
  companyId: string,
  communityId: string,
  name: string,
): Promise<string> {
  const { rows } = await sql.query<{ id: string }>(
    'insert into public.buildings (company_id, community_id, name, floor_count, entrance_count) values ($1, $2, $3, 18, 2) returning id',
    [companyId, communityId, name],
  );
  return rows[0].id;
}

export type UnitRef = { id: string; companyId: string; communityId: string; buildingId: string };

export async function createUnit(
  sql: Sql,
  at: { companyId: string; communityId: string; buildingId: string },
  number: string,
): Promise<UnitRef> {
  const { rows } = await sql.query<{ id: string }>(
    `insert into public.units (company_id, community_id, building_id, entrance, floor, number, floor_area)
     values ($1, $2, $3, 1, $4, $5, 89.5) returning id`,
    [at.companyId, at.communityId, at.buildingId, Number.parseInt(number.slice(0, -2), 10) || 1, number],
  );
  return { id: rows[0].id, ...at };
}

export async function createOccupancy(
  sql: Sql,
  unit: UnitRef,
  opts: {
    userId?: string | null;
    relation: 'owner' | 'tenant' | 'family';
    name: string;
    grants?: string[];
    phone?: string;
  },
): Promise<string> {
  const { rows } = await sql.query<{ id: string }>(
    `insert into public.occupancies (unit_id, user_id, relation, name, phone, household_grants, move_in_date)
     values ($1, $2, $3, $4, $5, $6, current_date - 30) returning id`,
    [unit.id, opts.userId ?? null, opts.relation, opts.name, opts.phone ?? null, opts.grants ?? []],
  );
  return rows[0].id;
}

export async function createStaff(
  sql: Sql,
  companyId: string,
  userId: string,
  assignments: Array<{ roleId: string; communityId: string | null }>,
  status: 'active' | 'suspended' = 'active',
): Promise<{ memberId: string; assignmentIds: string[] }> {
  const { rows } = await sql.query<{ id: string }>(
    'insert into public.company_members (company_id, user_id) values ($1, $2) returning id',
    [companyId, userId],
  );
  const memberId = rows[0].id;
  // Members start active (state machine member_status); suspension is a later transition.
  if (status === 'suspended') {
    await sql.query(`update public.company_members set status = 'suspended' where id = $1`, [memberId]);
  }
  const assignmentIds: string[] = [];
  for (const a of assignments) {
    const r = await sql.query<{ id: string }>(
      'insert into public.staff_role_assignments (company_id, member_id, role_id, community_id) values ($1, $2, $3, $4) returning id',
      [companyId, memberId, a.roleId, a.communityId],
    );
    assignmentIds.push(r.rows[0].id);
  }
  return { memberId, assignmentIds };
}

/** Every persona of the authorization matrix, by name. */
export const PERSONAS = [
  'anonymous',
  'stranger',
  'applicant',
  'invitee',
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
  'finance_a',
  'security_c1',
  'suspended_c1',
  'admin_b',
  'platform_owner',
  'platform_admin',
  'platform_support',
  'service_role',
] as const;
export type Persona = (typeof PERSONAS)[number];

export const PERSONA_DESCRIPTIONS: Record<Persona, string> = {
  anonymous: 'not signed in (anon key)',
  stranger: 'signed in, no link to anything',
  applicant: 'signed in, pending binding request for U1',
  invitee: 'signed in, phone invited to U1 by its owner (not accepted yet)',
  owner_u1: 'resident: owner of unit U1 (community C1, company A)',
  family_full: 'resident: family member of U1 with members.read',
  family_limited: 'resident: family member of U1 without members.read',
  neighbour_c1: 'resident: owner of U2, same community C1',
  resident_c2: 'resident: owner in community C2 (same company A)',
  resident_c3: 'resident: owner in community C3 (company B)',
  admin_a: 'staff A: company admin (company-wide)',
  manager_c1: 'staff A: community manager of C1',
  manager_c2: 'staff A: community manager of C2',
  front_desk_c1: 'staff A: front desk of C1',
  technician_c1: 'staff A: technician of C1',
  finance_a: 'staff A: finance (company-wide)',
  security_c1: 'staff A: security guard of C1',
  suspended_c1: 'staff A: suspended member who held community manager of C1',
  admin_b: 'staff B: company admin of another company',
  platform_owner: 'platform owner (app_metadata.platform_role = owner)',
  platform_admin: 'platform admin',
  platform_support: 'platform support',
  service_role: 'service role (control: bypasses RLS, grants only)',
};

export type TenancyWorld = Awaited<ReturnType<typeof buildTenancyWorld>>;

/**
 * Two companies, three communities (C1, C2 in A; C3 in B), units, residents with a
 * household, staff in every role, a pending binding request and a pending invitation.
 */
export async function buildTenancyWorld(sql: Sql) {
  const companyA = await createCompany(sql, '安居物业测试公司');
  const companyB = await createCompany(sql, '悦华物业测试公司');
  const c1 = await createCommunity(sql, companyA.id, '翠湖花园');
  const c2 = await createCommunity(sql, companyA.id, '金桂苑');
  const c3 = await createCommunity(sql, companyB.id, '滨江壹号');
  const b1 = await createBuilding(sql, companyA.id, c1, '1栋');
  const b2 = await createBuilding(sql, companyA.id, c2, '2栋');
  const b3 = await createBuilding(sql, companyB.id, c3, '3栋');
  const u1 = await createUnit(sql, { companyId: companyA.id, communityId: c1, buildingId: b1 }, '101');
  const u2 = await createUnit(sql, { companyId: companyA.id, communityId: c1, buildingId: b1 }, '102');
  const u3 = await createUnit(sql, { companyId: companyA.id, communityId: c1, buildingId: b1 }, '103');
  const u4 = await createUnit(sql, { companyId: companyA.id, communityId: c2, buildingId: b2 }, '201');
  const u5 = await createUnit(sql, { companyId: companyB.id, communityId: c3, buildingId: b3 }, '301');

  const users = {} as Record<Exclude<Persona, 'anonymous' | 'service_role'>, TestUser>;
  for (const p of PERSONAS) {
    if (p === 'anonymous' || p === 'service_role') continue;
    const platformRole = p.startsWith('platform_')
      ? (p.slice('platform_'.length) as PlatformRole)
      : undefined;
    users[p] = await createUser(sql, { name: p, platformRole });
  }

  const occupancies = {
    owner_u1: await createOccupancy(sql, u1, {
      userId: users.owner_u1.id,
      relation: 'owner',
      name: '业主甲',
      phone: users.owner_u1.phone,
    }),
    family_full: await createOccupancy(sql, u1, {
      userId: users.family_full.id,
      relation: 'family',
      name: '家属乙',
      grants: ['members.read', 'repairs.read'],
    }),
    family_limited: await createOccupancy(sql, u1, {
      userId: users.family_limited.id,
      relation: 'family',
      name: '家属丙',
      grants: ['repairs.create'],
    }),
    neighbour_c1: await createOccupancy(sql, u2, {
      userId: users.neighbour_c1.id,
      relation: 'owner',
      name: '邻居丁',
    }),
    resident_c2: await createOccupancy(sql, u4, {
      userId: users.resident_c2.id,
      relation: 'owner',
      name: '住户戊',
    }),
    resident_c3: await createOccupancy(sql, u5, {
      userId: users.resident_c3.id,
      relation: 'owner',
      name: '住户己',
    }),
  };

  const r = companyA.roles;
  const staff = {
    admin_a: await createStaff(sql, companyA.id, users.admin_a.id, [
      { roleId: r.company_admin, communityId: null },
    ]),
    manager_c1: await createStaff(sql, companyA.id, users.manager_c1.id, [
      { roleId: r.community_manager, communityId: c1 },
    ]),
    manager_c2: await createStaff(sql, companyA.id, users.manager_c2.id, [
      { roleId: r.community_manager, communityId: c2 },
    ]),
    front_desk_c1: await createStaff(sql, companyA.id, users.front_desk_c1.id, [
      { roleId: r.front_desk, communityId: c1 },
    ]),
    technician_c1: await createStaff(sql, companyA.id, users.technician_c1.id, [
      { roleId: r.technician, communityId: c1 },
    ]),
    finance_a: await createStaff(sql, companyA.id, users.finance_a.id, [
      { roleId: r.finance, communityId: null },
    ]),
    security_c1: await createStaff(sql, companyA.id, users.security_c1.id, [
      { roleId: r.security, communityId: c1 },
    ]),
    suspended_c1: await createStaff(
      sql,
      companyA.id,
      users.suspended_c1.id,
      [{ roleId: r.community_manager, communityId: c1 }],
      'suspended',
    ),
    admin_b: await createStaff(sql, companyB.id, users.admin_b.id, [
      { roleId: companyB.roles.company_admin, communityId: null },
    ]),
  };

  const bindingRequest = (
    await sql.query<{ id: string }>(
      `insert into public.unit_binding_requests (unit_id, user_id, relation, applicant_name, note)
       values ($1, $2, 'tenant', '申请人庚', '租房合同已上传') returning id`,
      [u1.id, users.applicant.id],
    )
  ).rows[0].id;
  const invitation = (
    await sql.query<{ id: string }>(
      `insert into public.household_invitations (unit_id, invited_by, phone, invitee_name)
       values ($1, $2, $3, '受邀人辛') returning id`,
      [u1.id, users.owner_u1.id, users.invitee.phone],
    )
  ).rows[0].id;

  const claims = {
    anonymous: { role: 'anon' } as JwtClaims,
    service_role: { role: 'service_role' } as JwtClaims,
    ...Object.fromEntries(Object.entries(users).map(([k, u]) => [k, u.claims])),
  } as Record<Persona, JwtClaims>;

  return {
    companyA,
    companyB,
    communities: { c1, c2, c3 },
    buildings: { b1, b2, b3 },
    units: { u1, u2, u3, u4, u5 },
    users,
    occupancies,
    staff,
    bindingRequest,
    invitation,
    claims,
  };
}
