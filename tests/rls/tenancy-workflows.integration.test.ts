import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type Db, type JwtClaims } from '../../app/lib/db.server';
import { createTestDatabase } from '../support/platform';
import { buildTenancyWorld, createOccupancy, createUser, PERSONAS, type TenancyWorld } from './support/world';

/**
 * Tenancy workflows end to end through the real data access layer (createDb → withUser /
 * withServiceRoleDangerously): binding approval, invitations, household grants, moving out,
 * suspension, anti-escalation, the audit trail, and the DAL's own guarantees.
 * Each test builds its own world in a fresh database, so tests do not see each other's changes.
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
  // A clean slate per test: tenancy rows and accounts go, the role templates stay.
  await owner.query(
    `truncate public.household_invitations, public.unit_binding_requests, public.occupancies, public.staff_role_assignments,
       public.company_members, public.company_role_permissions, public.company_roles, public.units, public.buildings,
       public.communities, public.companies, public.profiles, audit.log cascade`,
  );
  await owner.query('delete from auth.users');
  w = await buildTenancyWorld(owner);
});

const as = (claims: JwtClaims) => ({
  one: <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
    dal.withUser(claims, async (tx) => (await tx.query<T>(text, values)).rows[0]),
  all: <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
    dal.withUser(claims, async (tx) => (await tx.query<T>(text, values)).rows),
  count: (text: string, values: unknown[] = []) =>
    dal.withUser(claims, async (tx) => (await tx.query(text, values)).rowCount ?? 0),
});

describe('unit binding requests', () => {
  it('approval links the applicant atomically and opens the community to them', async () => {
    const applicant = as(w.claims.applicant);
    expect(await applicant.count('select 1 from public.communities where id = $1', [w.communities.c1])).toBe(
      0,
    );

    const { occupancy_id } = await as(w.claims.front_desk_c1).one<{ occupancy_id: string }>(
      'select private.approve_binding_request($1) as occupancy_id',
      [w.bindingRequest],
    );
    const request = await applicant.one<{ status: string; reviewed_by: string; occupancy_id: string }>(
      'select status, reviewed_by, occupancy_id from public.unit_binding_requests where id = $1',
      [w.bindingRequest],
    );
    expect(request).toEqual({ status: 'approved', reviewed_by: w.users.front_desk_c1.id, occupancy_id });
    const occupancy = await applicant.one(
      'select user_id, relation, name, verified_via, verified_by from public.occupancies where id = $1',
      [occupancy_id],
    );
    expect(occupancy).toEqual({
      user_id: w.users.applicant.id,
      relation: 'tenant',
      name: '申请人庚',
      verified_via: 'staff_review',
      verified_by: w.users.front_desk_c1.id,
    });
    expect(await applicant.count('select 1 from public.communities where id = $1', [w.communities.c1])).toBe(
      1,
    );
    expect(await applicant.count('select 1 from public.units where id = $1', [w.units.u1.id])).toBe(1);
    // A tenant is a household principal: the household is visible.
    expect(
      await applicant.count('select 1 from public.occupancies where unit_id = $1', [w.units.u1.id]),
    ).toBe(4);

    await expect(
      as(w.claims.front_desk_c1).one('select private.approve_binding_request($1)', [w.bindingRequest]),
    ).rejects.toMatchObject({ message: 'tenancy.binding_request_not_pending' });
  });

  it('approval claims the record staff keep for the same phone instead of duplicating it', async () => {
    const record = await createOccupancy(owner, w.units.u3, {
      relation: 'owner',
      name: '档案业主',
      phone: w.users.stranger.phone,
    });
    const request = await as(w.claims.stranger).one<{ id: string }>(
      `insert into public.unit_binding_requests (unit_id, relation, applicant_name) values ($1, 'owner', '档案业主') returning id`,
      [w.units.u3.id],
    );
    const { occupancy_id } = await as(w.claims.manager_c1).one<{ occupancy_id: string }>(
      'select private.approve_binding_request($1) as occupancy_id',
      [request.id],
    );
    expect(occupancy_id).toBe(record);
    const { rows } = await owner.query('select user_id from public.occupancies where unit_id = $1', [
      w.units.u3.id,
    ]);
    expect(rows).toEqual([{ user_id: w.users.stranger.id }]);
  });

  it('the request takes its tenant keys from the unit, not from the client', async () => {
    const row = await as(w.claims.stranger).one<{ company_id: string; community_id: string }>(
      `insert into public.unit_binding_requests (unit_id, relation, applicant_name) values ($1, 'owner', '某人')
       returning company_id, community_id`,
      [w.units.u5.id],
    );
    expect(row).toEqual({ company_id: w.companyB.id, community_id: w.communities.c3 });
  });

  it('rejection needs a reason and leaves the applicant outside', async () => {
    const desk = as(w.claims.front_desk_c1);
    await expect(
      desk.one(`select private.reject_binding_request($1, '  ')`, [w.bindingRequest]),
    ).rejects.toMatchObject({
      message: 'tenancy.rejection_reason_required',
    });
    await desk.one(`select private.reject_binding_request($1, '租赁合同与房号不符')`, [w.bindingRequest]);
    const applicant = as(w.claims.applicant);
    expect(
      await applicant.one('select status, review_reason from public.unit_binding_requests where id = $1', [
        w.bindingRequest,
      ]),
    ).toEqual({ status: 'rejected', review_reason: '租赁合同与房号不符' });
    expect(await applicant.count('select 1 from public.communities')).toBe(0);
    // Terminal state: the applicant cannot reopen it.
    expect(
      await applicant.count(`update public.unit_binding_requests set status = 'pending' where id = $1`, [
        w.bindingRequest,
      ]),
    ).toBe(0);
  });

  it('staff of another community or company cannot decide it', async () => {
    for (const persona of ['manager_c2', 'admin_b', 'technician_c1', 'platform_owner'] as const) {
      await expect(
        as(w.claims[persona]).one('select private.approve_binding_request($1)', [w.bindingRequest]),
      ).rejects.toMatchObject({ code: '42501', message: 'tenancy.forbidden' });
    }
  });

  it('the binding form finds communities by name and a unit only by its exact address', async () => {
    const stranger = as(w.claims.stranger);
    expect(
      await stranger.all(`select name, company_name from private.search_communities_for_binding('翠湖')`),
    ).toEqual([{ name: '翠湖花园', company_name: '安居物业测试公司' }]);
    expect(await stranger.all(`select * from private.search_communities_for_binding('翠')`)).toEqual([]);
    expect(await stranger.all(`select * from private.search_communities_for_binding('%%')`)).toEqual([]);
    const found = await stranger.all<{ unit_id: string }>(
      `select unit_id from private.find_unit_for_binding($1, '1栋', 1::smallint, '101')`,
      [w.communities.c1],
    );
    expect(found).toEqual([{ unit_id: w.units.u1.id }]);
    expect(
      await stranger.all(`select unit_id from private.find_unit_for_binding($1, '1栋', 1::smallint, '10')`, [
        w.communities.c1,
      ]),
    ).toEqual([]);
    await expect(
      dal.withUser({ role: 'anon' }, (tx) =>
        tx.query(`select * from private.search_communities_for_binding('翠湖')`),
      ),
    ).rejects.toMatchObject({ code: '42501' });
  });
});

describe('household invitations and grants', () => {
  it('is accepted automatically when the invited phone signs in', async () => {
    const invitee = as(w.claims.invitee);
    expect(await invitee.count('select 1 from public.units where id = $1', [w.units.u1.id])).toBe(0);
    // What Auth does on a successful OTP sign-in.
    await owner.query('update auth.users set last_sign_in_at = now() where id = $1', [w.users.invitee.id]);
    expect(await invitee.count('select 1 from public.units where id = $1', [w.units.u1.id])).toBe(1);
    const occupancy = await invitee.one(
      'select relation, household_grants, verified_via, verified_by from public.occupancies where user_id = $1',
      [w.users.invitee.id],
    );
    expect(occupancy).toEqual({
      relation: 'family',
      household_grants: ['members.read', 'repairs.read', 'repairs.create'],
      verified_via: 'owner_invitation',
      verified_by: w.users.owner_u1.id,
    });
    expect(
      await invitee.one('select status from public.household_invitations where id = $1', [w.invitation]),
    ).toEqual({
      status: 'accepted',
    });
  });

  it('normalises the invited phone, and a new account with that phone accepts on sign-up', async () => {
    await as(w.claims.owner_u1).count(
      `insert into public.household_invitations (unit_id, phone) values ($1, '139 1111 2222')`,
      [w.units.u1.id],
    );
    const { rows } = await owner.query(
      `select phone from public.household_invitations where invitee_name is null`,
    );
    expect(rows).toEqual([{ phone: '8613911112222' }]);
    const newcomer = await createUser(owner, { phone: '8613911112222' });
    expect(await as(newcomer.claims).count('select 1 from public.units where id = $1', [w.units.u1.id])).toBe(
      1,
    );
  });

  it('cannot be accepted by another phone, after expiry, or once the owner has moved out', async () => {
    await expect(
      as(w.claims.stranger).one('select private.accept_household_invitation($1)', [w.invitation]),
    ).rejects.toMatchObject({ code: '42501' });
    await owner.query(
      `update public.household_invitations set expires_at = now() - interval '1 minute' where id = $1`,
      [w.invitation],
    );
    await expect(
      as(w.claims.invitee).one('select private.accept_household_invitation($1)', [w.invitation]),
    ).rejects.toMatchObject({
      message: 'tenancy.invitation_not_pending',
    });
    await owner.query(
      `update public.household_invitations set expires_at = now() + interval '1 day' where id = $1`,
      [w.invitation],
    );
    await owner.query(`update public.occupancies set move_out_date = current_date - 1 where id = $1`, [
      w.occupancies.owner_u1,
    ]);
    await expect(
      as(w.claims.invitee).one('select private.accept_household_invitation($1)', [w.invitation]),
    ).rejects.toMatchObject({
      message: 'tenancy.invitation_inviter_left',
    });
  });

  it('family members see what the owner allows', async () => {
    const limited = as(w.claims.family_limited);
    const visible = () =>
      limited.count('select 1 from public.occupancies where unit_id = $1', [w.units.u1.id]);
    expect(await visible()).toBe(1);
    await as(w.claims.owner_u1).one(`select private.set_household_grants($1, '{members.read}')`, [
      w.occupancies.family_limited,
    ]);
    expect(await visible()).toBe(3);
    // Only owners set grants, and only on family members.
    await expect(
      as(w.claims.family_full).one(`select private.set_household_grants($1, '{bills.pay}')`, [
        w.occupancies.family_limited,
      ]),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      as(w.claims.owner_u1).one(`select private.set_household_grants($1, '{bills.pay}')`, [
        w.occupancies.owner_u1,
      ]),
    ).rejects.toMatchObject({ message: 'tenancy.grants_family_only' });
  });

  it('moving out ends access the next day; soft-deleted links grant nothing', async () => {
    const neighbour = as(w.claims.neighbour_c1);
    await owner.query(`update public.occupancies set move_out_date = current_date where id = $1`, [
      w.occupancies.neighbour_c1,
    ]);
    expect(await neighbour.count('select 1 from public.communities')).toBe(1);
    await owner.query(`update public.occupancies set move_out_date = current_date - 1 where id = $1`, [
      w.occupancies.neighbour_c1,
    ]);
    expect(await neighbour.count('select 1 from public.communities')).toBe(0);
    await owner.query(`update public.occupancies set deleted_at = now() where id = $1`, [
      w.occupancies.resident_c2,
    ]);
    expect(await as(w.claims.resident_c2).count('select 1 from public.units')).toBe(0);
  });
});

describe('staff permissions', () => {
  it('a company gets its own copy of every role template', async () => {
    const { rows } = await owner.query<{ template_code: string; n: number }>(
      `select r.template_code, count(p.permission)::int as n from public.company_roles r
       left join public.company_role_permissions p on p.role_id = r.id
       where r.company_id = $1 group by 1 order by 1`,
      [w.companyA.id],
    );
    const templates = await owner.query<{ template_code: string; n: number }>(
      `select template_code, count(*)::int as n from public.role_template_permissions group by 1 order by 1`,
    );
    expect(rows).toEqual(templates.rows);
  });

  it('has_permission honours scope: company-wide, one community, or the company level', async () => {
    const check = (persona: keyof TenancyWorld['claims'], permission: string, community: string | null) =>
      as(w.claims[persona])
        .one<{ ok: boolean }>('select private.has_permission($1, $2, $3) as ok', [
          w.companyA.id,
          permission,
          community,
        ])
        .then((r) => r.ok);
    expect(await check('manager_c1', 'unit.manage', w.communities.c1)).toBe(true);
    expect(await check('manager_c1', 'unit.manage', w.communities.c2)).toBe(false);
    // A community-scoped role says nothing about the company level.
    expect(await check('manager_c1', 'staff.manage', null)).toBe(false);
    expect(await check('admin_a', 'staff.manage', null)).toBe(true);
    expect(await check('finance_a', 'bill.manage', w.communities.c2)).toBe(true);
    expect(await check('suspended_c1', 'unit.read', w.communities.c1)).toBe(false);
    expect(await check('admin_b', 'unit.read', w.communities.c1)).toBe(false);
  });

  it('the set forms used by policies agree with has_permission for every persona, permission and community', async () => {
    const { rows: permissions } = await owner.query<{ p: string }>(
      `select unnest(enum_range(null::public.app_permission))::text as p`,
    );
    const communities = [
      { company: w.companyA.id, id: w.communities.c1 },
      { company: w.companyA.id, id: w.communities.c2 },
      { company: w.companyB.id, id: w.communities.c3 },
    ];
    for (const persona of PERSONAS) {
      if (persona === 'anonymous' || persona === 'service_role') continue;
      const mismatches = await dal.withUser(w.claims[persona], async (tx) => {
        const out: string[] = [];
        for (const { p } of permissions) {
          const sets = await tx.query<{ cwp: string[]; cop: string[] }>(
            'select private.communities_with_permission($1) as cwp, private.companies_with_permission($1) as cop',
            [p],
          );
          for (const c of communities) {
            const single = await tx.query<{ m: boolean; co: boolean }>(
              'select private.has_permission($1, $2, $3) as m, private.has_permission($1, $2) as co',
              [c.company, p, c.id],
            );
            if (single.rows[0].m !== sets.rows[0].cwp.includes(c.id)) out.push(`${p} community ${c.id}`);
            if (single.rows[0].co !== sets.rows[0].cop.includes(c.company))
              out.push(`${p} company ${c.company}`);
          }
        }
        return out;
      });
      expect({ persona, mismatches }).toEqual({ persona, mismatches: [] });
    }
  });

  it('nobody hands out more than they hold', async () => {
    const manager = as(w.claims.manager_c1);
    const assign = (roleId: string, communityId: string | null) =>
      manager.count(
        'insert into public.staff_role_assignments (company_id, member_id, role_id, community_id) values ($1, $2, $3, $4)',
        [w.companyA.id, w.staff.security_c1.memberId, roleId, communityId],
      );
    await expect(assign(w.companyA.roles.finance, w.communities.c1)).rejects.toMatchObject({ code: '42501' });
    await expect(assign(w.companyA.roles.company_admin, null)).rejects.toMatchObject({ code: '42501' });
    await expect(assign(w.companyA.roles.front_desk, w.communities.c1)).resolves.toBe(1);
    // Not even their own role, company-wide.
    await expect(assign(w.companyA.roles.community_manager, null)).rejects.toMatchObject({ code: '42501' });
    // Roles are edited with role.manage only; platform permissions never enter a company role.
    await expect(
      manager.count(
        `insert into public.company_role_permissions (company_id, role_id, permission) values ($1, $2, 'bill.manage')`,
        [w.companyA.id, w.companyA.roles.technician],
      ),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      as(w.claims.admin_a).count(
        `insert into public.company_role_permissions (company_id, role_id, permission) values ($1, $2, 'platform.company.manage')`,
        [w.companyA.id, w.companyA.roles.technician],
      ),
    ).rejects.toMatchObject({ code: '42501' });
  });

  it('a suspended company keeps its data but its staff lose every permission', async () => {
    const admin = as(w.claims.admin_a);
    expect(await admin.count('select 1 from public.units')).toBe(4);
    await expect(
      admin.count(`update public.companies set status = 'suspended' where id = $1`, [w.companyA.id]),
    ).rejects.toMatchObject({ code: '42501' });
    expect(
      await as(w.claims.platform_admin).count(
        `update public.companies set status = 'suspended' where id = $1`,
        [w.companyA.id],
      ),
    ).toBe(1);
    expect(await admin.count('select 1 from public.units')).toBe(0);
    // Residents keep seeing their home.
    expect(await as(w.claims.owner_u1).count('select 1 from public.units')).toBe(1);
  });

  it('platform roles come from app_metadata only; user_metadata and unknown values grant nothing', async () => {
    const stranger = w.users.stranger.claims;
    const forged: JwtClaims = { ...stranger, user_metadata: { platform_role: 'owner' } };
    expect(await as(forged).count('select 1 from public.companies')).toBe(0);
    const unknown: JwtClaims = { ...stranger, app_metadata: { platform_role: 'root' as 'owner' } };
    expect(await as(unknown).count('select 1 from public.companies')).toBe(0);
    expect(await as(w.claims.platform_support).count('select 1 from public.companies')).toBe(2);
    expect(await as(w.claims.platform_support).count('select 1 from public.occupancies')).toBe(0);
  });

  it('create_company onboards a company with its admin in one step', async () => {
    const { id } = await as(w.claims.platform_admin).one<{ id: string }>(
      `select private.create_company('新物业', $1) as id`,
      [w.users.stranger.id],
    );
    const newAdmin = as(w.claims.stranger);
    expect(await newAdmin.one('select name from public.companies where id = $1', [id])).toEqual({
      name: '新物业',
    });
    expect(
      await newAdmin.one<{ ok: boolean }>(`select private.has_permission($1, 'role.manage') as ok`, [id]),
    ).toEqual({ ok: true });
  });
});

describe('audit trail', () => {
  it('records who changed which columns, and why for the service role', async () => {
    await as(w.claims.manager_c1).count(
      `update public.units set floor_area = 101.25, note = '已测绘' where id = $1`,
      [w.units.u1.id],
    );
    await dal.withServiceRoleDangerously('nightly area import', (tx) =>
      tx.query('update public.units set floor_area = 99 where id = $1', [w.units.u1.id]),
    );
    const entries = await as(w.claims.admin_a).all(
      `select actor_id, actor_role, service_reason, company_id, action, old_values, new_values
       from audit.log where table_name = 'units' and row_id = $1 and action = 'UPDATE' order by id`,
      [w.units.u1.id],
    );
    expect(entries).toEqual([
      {
        actor_id: w.users.manager_c1.id,
        actor_role: 'authenticated',
        service_reason: null,
        company_id: w.companyA.id,
        action: 'UPDATE',
        old_values: { floor_area: 89.5, note: null },
        new_values: { floor_area: 101.25, note: '已测绘' },
      },
      {
        actor_id: null,
        actor_role: 'service_role',
        service_reason: 'nightly area import',
        company_id: w.companyA.id,
        action: 'UPDATE',
        old_values: { floor_area: 101.25 },
        new_values: { floor_area: 99 },
      },
    ]);
    // Staff of another company see none of it.
    expect(
      await as(w.claims.admin_b).count(`select 1 from audit.log where company_id = $1`, [w.companyA.id]),
    ).toBe(0);
  });

  it('soft delete stamps who archived the unit', async () => {
    await as(w.claims.manager_c1).count('update public.units set deleted_at = now() where id = $1', [
      w.units.u2.id,
    ]);
    const { rows } = await owner.query('select deleted_by from public.units where id = $1', [w.units.u2.id]);
    expect(rows).toEqual([{ deleted_by: w.users.manager_c1.id }]);
    // The resident no longer sees the archived unit; staff still do.
    expect(
      await as(w.claims.neighbour_c1).count('select 1 from public.units where id = $1', [w.units.u2.id]),
    ).toBe(0);
    expect(
      await as(w.claims.manager_c1).count('select 1 from public.units where id = $1', [w.units.u2.id]),
    ).toBe(1);
  });
});

describe('profiles', () => {
  it('are created on sign-up from safe metadata and follow the verified phone', async () => {
    const user = await createUser(owner, { name: '  王小明  ' });
    const me = as(user.claims);
    expect(
      await me.one('select full_name, phone, locale from public.profiles where id = $1', [user.id]),
    ).toEqual({
      full_name: '王小明',
      phone: user.phone,
      locale: 'zh-CN',
    });
    await owner.query(`update auth.users set phone = '8613700000000' where id = $1`, [user.id]);
    expect(await me.one('select phone from public.profiles where id = $1', [user.id])).toEqual({
      phone: '8613700000000',
    });
    await expect(
      me.count(`update public.profiles set phone = '8613000000000' where id = $1`, [user.id]),
    ).rejects.toMatchObject({
      code: '42501',
    });
  });
});

describe('per-transaction scope memo (migration 20261122106000)', () => {
  it("a change of claims inside a transaction never reuses the previous caller's scope", async () => {
    await owner.query('begin');
    try {
      const count = async (claims: JwtClaims) => {
        await owner.query(
          `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
          [JSON.stringify(claims)],
        );
        const { rows } = await owner.query<{ n: number }>('select count(*)::int as n from public.units');
        await owner.query(`select set_config('role', 'postgres', true)`);
        return rows[0].n;
      };
      expect(await count(w.claims.admin_a)).toBe(4);
      expect(await count(w.claims.owner_u1)).toBe(1);
      expect(await count(w.claims.stranger)).toBe(0);
      expect(await count(w.claims.admin_a)).toBe(4);
    } finally {
      await owner.query('rollback');
    }
  });

  it('a write that changes access is seen by the next statement of the same transaction', async () => {
    const seen = await dal.withUser(w.claims.invitee, async (tx) => {
      const before = (await tx.query('select 1 from public.units')).rowCount;
      await tx.query('select private.accept_household_invitation($1)', [w.invitation]);
      const after = (await tx.query('select 1 from public.units')).rowCount;
      return { before, after };
    });
    expect(seen).toEqual({ before: 0, after: 1 });
    // An admin who removes their own role loses access in the very next statement.
    const demoted = await dal.withUser(w.claims.admin_a, async (tx) => {
      const before = (await tx.query('select 1 from public.units')).rowCount;
      await tx.query('delete from public.staff_role_assignments where member_id = $1', [
        w.staff.admin_a.memberId,
      ]);
      return { before, after: (await tx.query('select 1 from public.units')).rowCount };
    });
    expect(demoted).toEqual({ before: 4, after: 0 });
  });
});

describe('RLS fast path (migration 20261122960000)', () => {
  /** Every scope helper a policy uses, as sorted text, so two runs compare exactly. */
  const scopeOf = async (tx: { query: (text: string) => Promise<{ rows: unknown[] }> }) => {
    const { rows } = await tx.query(
      `select jsonb_build_object(
         'units', (select array_agg(x order by x) from unnest(private.my_unit_ids()) x),
         'communities', (select array_agg(x order by x) from unnest(private.my_community_ids()) x),
         'companies', (select array_agg(x order by x) from unnest(private.resident_company_ids()) x),
         'owned', (select array_agg(x order by x) from unnest(private.owned_unit_ids()) x),
         'members', (select array_agg(x order by x) from unnest(private.member_company_ids()) x),
         'member_rows', (select array_agg(x order by x) from unnest(private.my_member_ids()) x),
         'platform', (select array_agg(x::text order by x::text) from unnest(private.platform_permissions()) x),
         'household', (select jsonb_object_agg(g, (select array_agg(x order by x) from unnest(private.household_unit_ids(g)) x))
                       from unnest(enum_range(null::public.household_grant)) g),
         'cwp', (select jsonb_object_agg(p, (select array_agg(x order by x) from unnest(private.communities_with_permission(p)) x))
                 from unnest(enum_range(null::public.app_permission)) p),
         'cop', (select jsonb_object_agg(p, (select array_agg(x order by x) from unnest(private.companies_with_permission(p)) x))
                 from unnest(enum_range(null::public.app_permission)) p)
       ) as scope,
       coalesce(current_setting('tenancy.fast_valid', true) = current_setting('request.jwt.claims', true), false) as fast`,
    );
    return rows[0] as { scope: Record<string, unknown>; fast: boolean };
  };

  it('answers exactly what the memoized computation answers, for every persona', async () => {
    let fastPersonas = 0;
    for (const persona of PERSONAS) {
      // Anonymous callers cannot even reach the private schema; the service role has no scope.
      if (persona === 'service_role' || persona === 'anonymous') continue;
      // withUser calls private.prepare_request(): the helpers answer from the fast path.
      const fast = await dal.withUser(w.claims[persona], (tx) => scopeOf(tx));
      // The same claims set by hand, without prepare_request: the plpgsql computations answer.
      await owner.query('begin');
      let slow: Awaited<ReturnType<typeof scopeOf>>;
      try {
        await owner.query(
          `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
          [JSON.stringify(w.claims[persona])],
        );
        slow = await scopeOf(owner);
      } finally {
        await owner.query('rollback');
      }
      expect(slow.fast).toBe(false);
      expect({ persona, scope: fast.scope }).toEqual({ persona, scope: slow.scope });
      if (fast.fast) fastPersonas++;
    }
    // Everyone signed in went through the fast path.
    expect(fastPersonas).toBe(PERSONAS.filter((p) => p !== 'service_role' && p !== 'anonymous').length);
  });

  it("never serves one caller's prepared scope to another, even inside one transaction", async () => {
    await owner.query('begin');
    try {
      const become = async (claims: JwtClaims, prepare: boolean) => {
        await owner.query(`select set_config('role', 'postgres', true)`);
        await owner.query(
          `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)${prepare ? ', private.prepare_request()' : ''}`,
          [JSON.stringify(claims)],
        );
        return (await owner.query<{ n: number }>('select count(*)::int as n from public.units')).rows[0].n;
      };
      expect(await become(w.claims.admin_a, true)).toBe(4);
      // Claims switched without preparing: the admin's prepared answers no longer apply.
      expect(await become(w.claims.owner_u1, false)).toBe(1);
      expect(await become(w.claims.stranger, false)).toBe(0);
      // Prepared again for someone else: the admin's per-permission entries are cleared.
      expect(await become(w.claims.stranger, true)).toBe(0);
      const leftover = await owner.query<{ cwp: string[] }>(
        `select private.communities_with_permission('unit.read') as cwp`,
      );
      expect(leftover.rows[0].cwp).toEqual([]);
      expect(await become(w.claims.admin_a, true)).toBe(4);
    } finally {
      await owner.query('rollback');
    }
  });

  it('a write to a scope table ends the fast path for the rest of the transaction', async () => {
    const seen = await dal.withUser(w.claims.admin_a, async (tx) => {
      const state = async () =>
        (
          await tx.query<{ fast: boolean; n: number }>(
            `select coalesce(current_setting('tenancy.fast_valid', true) = current_setting('request.jwt.claims', true), false) as fast,
                    (select count(*)::int from public.units) as n`,
          )
        ).rows[0];
      const before = await state();
      await tx.query('delete from public.staff_role_assignments where member_id = $1', [
        w.staff.admin_a.memberId,
      ]);
      return { before, after: await state() };
    });
    expect(seen).toEqual({ before: { fast: true, n: 4 }, after: { fast: false, n: 0 } });
  });
});

describe('data access layer', () => {
  it('sets the role and claims for the transaction only', async () => {
    const inside = await dal.withUser(w.claims.owner_u1, async (tx) => {
      const r = await tx.query<{ role: string; uid: string; jwt_role: string }>(
        `select current_user as role, auth.uid() as uid, auth.jwt() ->> 'role' as jwt_role`,
      );
      return r.rows[0];
    });
    expect(inside).toEqual({ role: 'authenticated', uid: w.users.owner_u1.id, jwt_role: 'authenticated' });
    // Transaction-local settings: on a single pooled connection, each unit of work sees only its own user.
    const single = createDb(db.url, { max: 1 });
    for (const persona of ['owner_u1', 'admin_a', 'anonymous', 'family_full'] as const) {
      const uid = await single.withUser(
        w.claims[persona],
        async (tx) => (await tx.query<{ uid: string | null }>('select auth.uid() as uid')).rows[0].uid,
      );
      expect(uid).toBe(w.claims[persona].sub ?? null);
    }
    const leftover = await single.withServiceRoleDangerously(
      'check settings reset',
      async (tx) =>
        (
          await tx.query<{ uid: string | null; role: string }>(
            'select auth.uid() as uid, current_user as role',
          )
        ).rows[0],
    );
    expect(leftover).toEqual({ uid: null, role: 'service_role' });
    await single.close();
  });

  it('rolls back on error and refuses service_role claims', async () => {
    await expect(
      dal.withUser(w.claims.manager_c1, async (tx) => {
        await tx.query(`update public.units set note = '回滚' where id = $1`, [w.units.u1.id]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await owner.query('select note from public.units where id = $1', [w.units.u1.id]);
    expect(rows).toEqual([{ note: null }]);
    await expect(dal.withUser({ role: 'service_role' }, async () => 1)).rejects.toThrow(
      /withServiceRoleDangerously/,
    );
    await expect(dal.withUser({ role: 'authenticated', sub: 'nope' }, async () => 1)).rejects.toThrow(
      /uuid sub/,
    );
    await expect(dal.withServiceRoleDangerously('', async () => 1)).rejects.toThrow(/reason/);
  });

  it('read-only units of work cannot write', async () => {
    await expect(
      dal.withUser(
        w.claims.manager_c1,
        (tx) => tx.query(`update public.units set note = 'x' where id = $1`, [w.units.u1.id]),
        {
          readOnly: true,
        },
      ),
    ).rejects.toMatchObject({ code: '25006' });
  });

  it('returns values as the generated types describe them', async () => {
    const row = await as(w.claims.owner_u1).one(
      'select u.floor_area, o.move_in_date, o.created_at, 9007199254740991::int8 as big from public.occupancies o join public.units u on u.id = o.unit_id where o.id = $1',
      [w.occupancies.owner_u1],
    );
    expect(typeof row.floor_area).toBe('number');
    expect(row.move_in_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(typeof row.created_at).toBe('string');
    expect(row.big).toBe(Number.MAX_SAFE_INTEGER);
    await expect(as(w.claims.owner_u1).one('select 9007199254740993::int8 as big')).rejects.toThrow(
      RangeError,
    );
  });
});
