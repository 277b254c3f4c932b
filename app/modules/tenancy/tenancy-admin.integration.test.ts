import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTenancyWorld, createUser, type TenancyWorld } from '../../../tests/rls/support/world';
import { createTestDatabase } from '../../../tests/support/platform';
import { createDb, type Db } from '../../lib/db.server';
import {
  buildingsForBinding,
  listMyBindingRequests,
  requestBinding,
  searchCommunities,
} from './binding.server';
import { approveBindingRequest, listPendingBindingRequests, rejectBindingRequest } from './directory.server';
import { getMyHomes, inviteHouseholdMember, removeHouseholdMember } from './household.server';
import { listCommunitiesOverview, listCompaniesOverview } from './platform-overview.server';
import { listCommunities } from './property-admin.server';
import {
  inviteStaff,
  listRoles,
  listStaff,
  saveRolePermissions,
  setMemberStatus,
} from './staff-admin.server';
import { TenancyError } from './tenancy-errors';
import type { RawUnitRow } from './unit-import.schema';
import { importUnits } from './unit-import.server';

/**
 * The tenancy screens' domain functions as different personas, through withUser (RLS applies),
 * on a fresh copy of the migrated database with the tenancy world of tests/rls.
 */

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let owner: pg.Client;
let dal: Db;
let w: TenancyWorld;

beforeAll(async () => {
  db = await createTestDatabase();
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
  dal = createDb(db.url, { max: 2 });
});

afterAll(async () => {
  await dal?.close();
  await owner?.end();
  await db?.drop();
});

beforeEach(async () => {
  await owner.query(
    `truncate public.staff_invitations, public.household_invitations, public.unit_binding_requests, public.occupancies,
       public.staff_role_assignments, public.company_members, public.company_role_permissions, public.company_roles,
       public.units, public.buildings, public.communities, public.companies, public.profiles, audit.log cascade`,
  );
  await owner.query('delete from auth.users');
  w = await buildTenancyWorld(owner);
});

const raw = (n: number, over: Partial<RawUnitRow> = {}): RawUnitRow => ({
  row: n,
  building: '9栋',
  entrance: '1',
  floor: '1',
  number: `10${n}`,
  floorArea: '88',
  use: '住宅',
  note: '',
  ...over,
});
const unitCount = async (communityId: string) =>
  Number(
    (
      await owner.query<{ n: string }>('select count(*) as n from public.units where community_id = $1', [
        communityId,
      ])
    ).rows[0].n,
  );
const buildingCount = async (communityId: string) =>
  Number(
    (
      await owner.query<{ n: string }>('select count(*) as n from public.buildings where community_id = $1', [
        communityId,
      ])
    ).rows[0].n,
  );

describe('unit import', () => {
  it('imports good rows in one go, creating buildings, and is idempotent', async () => {
    const c1 = w.communities.c1;
    const before = await unitCount(c1);
    const rows = [raw(2), raw(3), raw(4, { building: '10栋', entrance: '', floorArea: '' })];
    const first = await dal.withUser(w.claims.admin_a, (tx) => importUnits(tx, c1, rows));
    expect(first).toEqual({
      status: 'imported',
      total: 3,
      created: 3,
      updated: 0,
      unchanged: 0,
      buildingsCreated: 2,
    });
    expect(await unitCount(c1)).toBe(before + 3);

    const again = await dal.withUser(w.claims.admin_a, (tx) =>
      importUnits(tx, c1, [...rows.slice(0, 2), { ...rows[2], floorArea: '120.5' }]),
    );
    expect(again).toEqual({
      status: 'imported',
      total: 3,
      created: 0,
      updated: 1,
      unchanged: 2,
      buildingsCreated: 0,
    });
    expect(await unitCount(c1)).toBe(before + 3);
  });

  it('a sheet with a bad row imports nothing and reports every problem', async () => {
    const c1 = w.communities.c1;
    const before = [await unitCount(c1), await buildingCount(c1)];
    const report = await dal.withUser(w.claims.admin_a, (tx) =>
      importUnits(tx, c1, [
        raw(2),
        raw(3, { floor: '999' }),
        raw(4, { number: '1099' }),
        raw(5, { number: '1099' }),
      ]),
    );
    expect(report).toEqual({
      status: 'invalid',
      total: 4,
      problems: [
        { row: 3, column: 'floor', key: 'tenancy.import.error.floor' },
        { row: 5, column: 'number', key: 'tenancy.import.error.duplicate', vars: { row: 4 } },
      ],
    });
    expect([await unitCount(c1), await buildingCount(c1)]).toEqual(before);
  });

  it('a unit that exists on another floor is a conflict', async () => {
    // Unit 101 of 1栋 (entrance 1) exists on floor 1.
    const report = await dal.withUser(w.claims.admin_a, (tx) =>
      importUnits(tx, w.communities.c1, [raw(2, { building: '1栋', number: '101', floor: '7' })]),
    );
    expect(report).toMatchObject({
      status: 'invalid',
      problems: [{ row: 2, column: 'floor', key: 'tenancy.import.error.floorConflict', vars: { floor: 1 } }],
    });
  });

  it('a failure while writing rolls back the rows already written', async () => {
    const c1 = w.communities.c1;
    const before = [await unitCount(c1), await buildingCount(c1)];
    // The validator passes; the database refuses the third row (unit numbers are checked again there).
    await owner.query(
      `alter table public.units add constraint units_test_no_666 check (number <> '666') not valid`,
    );
    try {
      await expect(
        dal.withUser(w.claims.admin_a, (tx) =>
          importUnits(tx, c1, [raw(2), raw(3), raw(4, { number: '666' })]),
        ),
      ).rejects.toThrow();
    } finally {
      await owner.query('alter table public.units drop constraint units_test_no_666');
    }
    expect([await unitCount(c1), await buildingCount(c1)]).toEqual(before);
  });

  it('staff of another company, or without unit.manage, cannot import into the community', async () => {
    for (const persona of ['admin_b', 'front_desk_c1', 'manager_c2', 'owner_u1'] as const) {
      await expect(
        dal.withUser(w.claims[persona], (tx) => importUnits(tx, w.communities.c1, [raw(2)])),
      ).rejects.toMatchObject({ code: 'tenancy.forbidden' });
    }
    expect(await buildingCount(w.communities.c1)).toBe(1);
    // The community manager of C1 may.
    const ok = await dal.withUser(w.claims.manager_c1, (tx) => importUnits(tx, w.communities.c1, [raw(2)]));
    expect(ok.status).toBe('imported');
  });
});

describe('binding requests: resident → verification queue', () => {
  it('a new user finds the community and building, asks for a unit; front desk approves; the home appears', async () => {
    const newcomer = await createUser(owner, { name: '新住户' });
    const [community] = await dal.withUser(newcomer.claims, (tx) => searchCommunities(tx, '翠湖'));
    expect(community.id).toBe(w.communities.c1);
    const buildings = await dal.withUser(newcomer.claims, (tx) => buildingsForBinding(tx, community.id));
    expect(buildings.map((b) => b.name)).toEqual(['1栋']);

    await expect(
      dal.withUser(newcomer.claims, (tx) =>
        requestBinding(tx, {
          communityId: community.id,
          buildingId: buildings[0].id,
          entrance: 1,
          number: '999',
          relation: 'owner',
          applicantName: '新住户',
          note: '',
          proofPath: null,
        }),
      ),
    ).rejects.toMatchObject({ code: 'tenancy.unit_not_found' });

    const input = {
      communityId: community.id,
      buildingId: buildings[0].id,
      entrance: 1,
      number: '103',
      relation: 'owner' as const,
      applicantName: '新住户',
      note: '购房合同',
      proofPath: null,
    };
    const requestId = await dal.withUser(newcomer.claims, (tx) => requestBinding(tx, input));
    await expect(dal.withUser(newcomer.claims, (tx) => requestBinding(tx, input))).rejects.toMatchObject({
      code: 'tenancy.already_requested',
    });
    const mine = await dal.withUser(newcomer.claims, (tx) => listMyBindingRequests(tx));
    expect(mine).toMatchObject([{ id: requestId, status: 'pending', building: '1栋', number: '103' }]);

    // Staff of the other company and of the other community do not see it.
    expect(
      await dal.withUser(w.claims.admin_b, (tx) => listPendingBindingRequests(tx, w.companyA.id)),
    ).toEqual([]);
    expect(
      (await dal.withUser(w.claims.manager_c2, (tx) => listPendingBindingRequests(tx, w.companyA.id))).map(
        (r) => r.id,
      ),
    ).not.toContain(requestId);
    await expect(
      dal.withUser(w.claims.admin_b, (tx) => approveBindingRequest(tx, requestId)),
    ).rejects.toBeInstanceOf(TenancyError);

    const queue = await dal.withUser(w.claims.front_desk_c1, (tx) =>
      listPendingBindingRequests(tx, w.companyA.id),
    );
    expect(queue.map((r) => r.id)).toContain(requestId);
    await dal.withUser(w.claims.front_desk_c1, (tx) => approveBindingRequest(tx, requestId));
    await expect(
      dal.withUser(w.claims.front_desk_c1, (tx) => rejectBindingRequest(tx, requestId, '重复')),
    ).rejects.toMatchObject({ code: 'tenancy.binding_request_not_pending' });

    const homes = await dal.withUser(newcomer.claims, (tx) => getMyHomes(tx, newcomer.id));
    expect(homes).toMatchObject([
      { unitId: w.units.u3.id, number: '103', myRelation: 'owner', isOwner: true },
    ]);
  });

  it('rejection needs a reason and shows it to the applicant', async () => {
    await expect(
      dal.withUser(w.claims.front_desk_c1, (tx) => rejectBindingRequest(tx, w.bindingRequest, '  ')),
    ).rejects.toMatchObject({ code: 'tenancy.rejection_reason_required' });
    await dal.withUser(w.claims.front_desk_c1, (tx) =>
      rejectBindingRequest(tx, w.bindingRequest, '合同不清晰'),
    );
    const mine = await dal.withUser(w.claims.applicant, (tx) => listMyBindingRequests(tx));
    expect(mine).toMatchObject([{ status: 'rejected', reviewReason: '合同不清晰' }]);
  });
});

describe('household', () => {
  it('the owner invites by phone (accepted on sign-in) and removes a member; a family member cannot', async () => {
    const phone = '8613912345678';
    await dal.withUser(w.claims.owner_u1, (tx) =>
      inviteHouseholdMember(tx, {
        unitId: w.units.u1.id,
        phone: '13912345678',
        name: '表弟',
        relation: 'family',
      }),
    );
    await expect(
      dal.withUser(w.claims.family_full, (tx) =>
        inviteHouseholdMember(tx, {
          unitId: w.units.u1.id,
          phone: '13912345679',
          name: '',
          relation: 'family',
        }),
      ),
    ).rejects.toMatchObject({ code: 'tenancy.forbidden' });
    const cousin = await createUser(owner, { name: '表弟', phone });
    let homes = await dal.withUser(w.claims.owner_u1, (tx) => getMyHomes(tx, w.users.owner_u1.id));
    const member = homes[0].members.find((m) => m.name === '表弟');
    expect(member).toMatchObject({ relation: 'family', hasAccount: true });
    expect(homes[0].invitations.map((i) => i.phone)).not.toContain(phone);

    await expect(
      dal.withUser(w.claims.family_full, (tx) => removeHouseholdMember(tx, member!.occupancyId)),
    ).rejects.toMatchObject({ code: 'tenancy.forbidden' });
    await expect(
      dal.withUser(w.claims.owner_u1, (tx) => removeHouseholdMember(tx, w.occupancies.owner_u1)),
    ).rejects.toMatchObject({ code: 'tenancy.member_not_removable' });
    await dal.withUser(w.claims.owner_u1, (tx) => removeHouseholdMember(tx, member!.occupancyId));
    homes = await dal.withUser(w.claims.owner_u1, (tx) => getMyHomes(tx, w.users.owner_u1.id));
    expect(homes[0].members.map((m) => m.name)).not.toContain('表弟');
    expect(await dal.withUser(cousin.claims, (tx) => getMyHomes(tx, cousin.id))).toEqual([]);
  });

  it('a family member without members.read does not see the members', async () => {
    const [home] = await dal.withUser(w.claims.family_limited, (tx) =>
      getMyHomes(tx, w.users.family_limited.id),
    );
    expect(home.canSeeMembers).toBe(false);
  });
});

describe('staff and roles', () => {
  it('the company admin invites an existing account (joins at once) and a new phone (joins on sign-in)', async () => {
    const r = w.companyA.roles;
    const existing = await createUser(owner, { name: '老员工' });
    const now = await dal.withUser(w.claims.admin_a, (tx) =>
      inviteStaff(tx, {
        companyId: w.companyA.id,
        phone: existing.phone,
        fullName: '',
        jobTitle: '客服',
        roleId: r.front_desk,
        communityId: w.communities.c1,
      }),
    );
    expect(now.accepted).toBe(true);
    const later = await dal.withUser(w.claims.admin_a, (tx) =>
      inviteStaff(tx, {
        companyId: w.companyA.id,
        phone: '13911112222',
        fullName: '新同事',
        jobTitle: '',
        roleId: r.technician,
        communityId: null,
      }),
    );
    expect(later.accepted).toBe(false);
    const newcomer = await createUser(owner, { phone: '8613911112222' });
    const staff = await dal.withUser(w.claims.admin_a, (tx) => listStaff(tx, w.companyA.id));
    expect(staff.find((m) => m.userId === existing.id)).toMatchObject({ jobTitle: '客服', status: 'active' });
    expect(staff.find((m) => m.userId === newcomer.id)).toMatchObject({
      name: '新同事',
      assignments: [{ roleId: r.technician, communityId: null }],
    });
    // Front desk cannot invite (no staff.manage); the other company's admin cannot use company A.
    for (const persona of ['front_desk_c1', 'admin_b'] as const) {
      await expect(
        dal.withUser(w.claims[persona], (tx) =>
          inviteStaff(tx, {
            companyId: w.companyA.id,
            phone: '13911113333',
            fullName: '',
            jobTitle: '',
            roleId: r.security,
            communityId: w.communities.c1,
          }),
        ),
      ).rejects.toMatchObject({ code: 'tenancy.forbidden' });
    }
  });

  it('suspends a member but not oneself; role permissions are editable for unlocked roles only', async () => {
    await dal.withUser(w.claims.admin_a, (tx) =>
      setMemberStatus(tx, w.staff.security_c1.memberId, 'suspended'),
    );
    await expect(
      dal.withUser(w.claims.admin_a, (tx) => setMemberStatus(tx, w.staff.admin_a.memberId, 'suspended')),
    ).rejects.toMatchObject({ code: 'tenancy.forbidden' });

    const roles = await dal.withUser(w.claims.admin_a, (tx) => listRoles(tx, w.companyA.id));
    const admin = roles.find((x) => x.templateCode === 'company_admin')!;
    const security = roles.find((x) => x.templateCode === 'security')!;
    expect(admin.isLocked).toBe(true);
    await expect(
      dal.withUser(w.claims.admin_a, (tx) => saveRolePermissions(tx, admin.id, [])),
    ).rejects.toMatchObject({ code: 'tenancy.role_locked' });
    await dal.withUser(w.claims.admin_a, (tx) =>
      saveRolePermissions(tx, security.id, [...security.permissions, 'unit.read']),
    );
    const after = await dal.withUser(w.claims.admin_a, (tx) => listRoles(tx, w.companyA.id));
    expect(after.find((x) => x.id === security.id)!.permissions).toContain('unit.read');
    await expect(
      dal.withUser(w.claims.admin_b, (tx) => saveRolePermissions(tx, security.id, [])),
    ).rejects.toBeInstanceOf(TenancyError);
  });
});

describe('console and office overviews', () => {
  it('platform roles see every company with counts; staff and residents are refused', async () => {
    const companies = await dal.withUser(w.claims.platform_support, (tx) => listCompaniesOverview(tx, ''));
    expect(companies.find((c) => c.id === w.companyA.id)).toMatchObject({
      communities: 2,
      units: 4,
      residents: 5,
    });
    const communities = await dal.withUser(w.claims.platform_admin, (tx) =>
      listCommunitiesOverview(tx, '翠湖', null),
    );
    expect(communities).toMatchObject([{ id: w.communities.c1, units: 3, residents: 4 }]);
    for (const persona of ['admin_a', 'owner_u1'] as const) {
      await expect(
        dal.withUser(w.claims[persona], (tx) => listCompaniesOverview(tx, '')),
      ).rejects.toMatchObject({
        code: 'tenancy.forbidden',
      });
    }
  });

  it('the office community list shows only the communities the member may read', async () => {
    expect((await dal.withUser(w.claims.admin_a, (tx) => listCommunities(tx, w.companyA.id))).length).toBe(2);
    expect(
      (await dal.withUser(w.claims.manager_c1, (tx) => listCommunities(tx, w.companyA.id))).map((c) => c.id),
    ).toEqual([w.communities.c1]);
    expect(await dal.withUser(w.claims.admin_b, (tx) => listCommunities(tx, w.companyA.id))).toEqual([]);
  });
});
