/**
 * `npm run bench -- rls`: what row-level security costs on the tenancy tables at scale.
 *
 * Starts its own PostgreSQL (.data/bench-rls, port 55552), applies every migration, generates
 * 20 companies × 5 communities × 1,000 units (100,000 units) with 3 residents each (300,000
 * residents with accounts), then times the app's own queries (app/modules/tenancy) twice in
 * the same run: as the user through withUser (RLS on) and as the service role (RLS bypassed,
 * same SQL, same parameters). Targets: p95 ≤ 10 ms as the user, p95 ratio user/service ≤ 1.5.
 */
import path from 'node:path';
import pg from 'pg';
import { createDb, type Db, type JwtClaims, type Tx } from '../app/lib/db.server';
import { directorySearchSchema } from '../app/modules/tenancy/residents.schema';
import { getMyHouseholds, searchResidentDirectory } from '../app/modules/tenancy/residents.server';
import { setLogLevel } from '../platform/src/log';
import { prepareDatabase } from '../platform/src/migrate';
import { startPostgres } from '../platform/src/postgres';

const PORT = 55552;
const DATA_DIR = path.resolve('.data/bench-rls/postgres');
const COMPANIES = 20;
const COMMUNITIES_PER_COMPANY = 5;
const BUILDINGS_PER_COMMUNITY = 10;
const ENTRANCES = 2;
const FLOORS = 25;
const PER_FLOOR = 2;
const RESIDENTS_PER_UNIT = 3;
const WARMUP = 50;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 400);

const log = (line: string) => process.stdout.write(`${line}\n`);

async function generate(client: pg.Client) {
  const t0 = performance.now();
  // Companies go in with triggers on, so each gets its copy of the role templates.
  await client.query(
    `insert into public.companies (id, name)
     select md5('company' || c)::uuid, '基准物业' || c || '号公司' from generate_series(1, $1) c`,
    [COMPANIES],
  );
  // Bulk rows: triggers (audit, keys, profiles) and foreign-key checks off; the generator keeps them consistent.
  await client.query('set session_replication_role = replica');
  await client.query(
    `insert into public.communities (id, company_id, name, city)
     select md5('community' || c || '-' || m)::uuid, md5('company' || c)::uuid, '基准小区' || c || '-' || m, '杭州'
     from generate_series(1, $1) c cross join generate_series(1, $2) m`,
    [COMPANIES, COMMUNITIES_PER_COMPANY],
  );
  await client.query(
    `insert into public.buildings (id, company_id, community_id, name, sort_order, floor_count, entrance_count)
     select md5('building' || cm.id || b)::uuid, cm.company_id, cm.id, b || '栋', b, $2, $3
     from public.communities cm cross join generate_series(1, $1) b`,
    [BUILDINGS_PER_COMMUNITY, FLOORS, ENTRANCES],
  );
  await client.query(
    `insert into public.units (company_id, community_id, building_id, entrance, floor, number, floor_area)
     select b.company_id, b.community_id, b.id, e, f, (f * 100 + u)::text, 80 + (f * 7 + u * 13) % 70
     from public.buildings b
     cross join generate_series(1, $1) e cross join generate_series(1, $2) f cross join generate_series(1, $3) u`,
    [ENTRANCES, FLOORS, PER_FLOOR],
  );
  await client.query(`
    create temporary table unit_seq as
    select id, company_id, community_id, row_number() over (order by company_id, community_id, id) as n
    from public.units`);
  await client.query(
    `insert into auth.users (instance_id, id, aud, role, phone, phone_confirmed_at, raw_app_meta_data, created_at, updated_at)
     select '00000000-0000-0000-0000-000000000000', md5('user' || i)::uuid, 'authenticated', 'authenticated',
            '86135' || lpad(i::text, 8, '0'), now(), '{"provider":"phone","providers":["phone"]}', now(), now()
     from generate_series(1, (select count(*) from unit_seq) * $1) i`,
    [RESIDENTS_PER_UNIT],
  );
  const names = `(array['王','李','张','刘','陈','杨','赵','黄','周','吴','徐','孙','胡','朱','高','林','何','郭','马','罗'])[1 + i % 20]
     || (array['伟','芳','娜','敏','静','丽','强','磊','军','洋','勇','艳','杰','娟','涛','明','超','秀','霞','平'])[1 + (i / 20) % 20]
     || (array['','华','英','玲','东','峰','辉','红','飞','鹏','宇','婷','斌','凯','琳','雪','龙','燕','欣','晨'])[1 + (i / 400) % 20]`;
  await client.query(
    `insert into public.profiles (id, full_name, phone)
     select md5('user' || i)::uuid, ${names}, '86135' || lpad(i::text, 8, '0')
     from generate_series(1, (select count(*) from unit_seq) * $1) i`,
    [RESIDENTS_PER_UNIT],
  );
  await client.query(
    `insert into public.occupancies (company_id, community_id, unit_id, user_id, relation, name, phone, household_grants, move_in_date, verified_via)
     select s.company_id, s.community_id, s.id, md5('user' || i)::uuid,
            (array['owner', 'family', 'family'])[1 + k]::public.occupant_relation, ${names}, '86135' || lpad(i::text, 8, '0'),
            (array['{}', '{members.read,repairs.read}', '{repairs.create}'])[1 + k]::public.household_grant[],
            date '2015-01-01' + (i % 3650)::int, 'import'
     from unit_seq s cross join generate_series(0, $1 - 1) k
     cross join lateral (select (s.n - 1) * $1 + k + 1 as i) x`,
    [RESIDENTS_PER_UNIT],
  );
  await client.query('set session_replication_role = origin');

  // Staff of company 1: a company admin and the community manager of its first community.
  const staff = await client.query<{ admin: string; manager: string; company: string; community: string }>(`
    with company as (select md5('company1')::uuid as id),
    community as (select md5('community1-1')::uuid as id),
    accounts as (
      insert into auth.users (instance_id, id, aud, role, phone, phone_confirmed_at, raw_app_meta_data, created_at, updated_at)
      values ('00000000-0000-0000-0000-000000000000', md5('staff-admin')::uuid, 'authenticated', 'authenticated', '8613700000001', now(), '{}', now(), now()),
             ('00000000-0000-0000-0000-000000000000', md5('staff-manager')::uuid, 'authenticated', 'authenticated', '8613700000002', now(), '{}', now(), now())
      returning id
    )
    select md5('staff-admin')::uuid as admin, md5('staff-manager')::uuid as manager,
           (select id from company) as company, (select id from community) as community
    from (select count(*) from accounts) a`);
  const { admin, manager, company, community } = staff.rows[0];
  for (const [user, template, scope] of [
    [admin, 'company_admin', null],
    [manager, 'community_manager', community],
  ] as const) {
    await client.query(
      `with m as (insert into public.company_members (company_id, user_id) values ($1, $2) returning id)
       insert into public.staff_role_assignments (company_id, member_id, role_id, community_id)
       select $1, m.id, r.id, $4 from m join public.company_roles r on r.company_id = $1 and r.template_code = $3`,
      [company, user, template, scope],
    );
  }
  await client.query('vacuum analyze');
  const counts = await client.query<{ units: number; residents: number; users: number }>(
    `select (select count(*) from public.units)::int as units, (select count(*) from public.occupancies)::int as residents,
            (select count(*) from auth.users)::int as users`,
  );
  log(
    `generated ${counts.rows[0].units.toLocaleString()} units, ${counts.rows[0].residents.toLocaleString()} residents, ` +
      `${counts.rows[0].users.toLocaleString()} accounts in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { admin, manager, company, community };
}

async function existingStaff(client: pg.Client) {
  const { rows } = await client.query<{ admin: string; manager: string; company: string; community: string }>(
    `select md5('staff-admin')::uuid as admin, md5('staff-manager')::uuid as manager,
            md5('company1')::uuid as company, md5('community1-1')::uuid as community`,
  );
  log('reusing the generated data of the previous run (BENCH_REUSE=1)');
  return rows[0];
}

type Scenario = {
  name: string;
  claims: (i: number) => JwtClaims;
  run: (tx: Tx, i: number) => Promise<number>;
};

type Timing = { query: number[]; unit: number[] };

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/**
 * Runs one scenario in both modes, interleaved so both see the same machine noise. Each mode
 * has its own pool: a cached plan is re-planned when the role changes, and the app's
 * connections serve one role, not alternating ones.
 */
async function measure(
  db: { user: Db; service: Db },
  scenario: Scenario,
): Promise<{ user: Timing; service: Timing; rows: number }> {
  const user: Timing = { query: [], unit: [] };
  const service: Timing = { query: [], unit: [] };
  let rows = 0;
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    for (const mode of ['user', 'service'] as const) {
      let queryMs = 0;
      const t0 = performance.now();
      const work = async (tx: Tx) => {
        const q0 = performance.now();
        const n = await scenario.run(tx, i);
        queryMs = performance.now() - q0;
        return n;
      };
      const n =
        mode === 'user'
          ? await db.user.withUser(scenario.claims(i), work, { readOnly: true })
          : await db.service.withServiceRoleDangerously('bench: RLS baseline', work);
      const unitMs = performance.now() - t0;
      if (i >= WARMUP) {
        const t = mode === 'user' ? user : service;
        t.query.push(queryMs);
        t.unit.push(unitMs);
        if (mode === 'user') rows += n;
      }
    }
  }
  return { user, service, rows };
}

async function main() {
  setLogLevel('warn');
  const server = await startPostgres({ dataDir: DATA_DIR, port: PORT });
  try {
    const admin = new pg.Client({ connectionString: server.url('postgres') });
    await admin.connect();
    // BENCH_REUSE=1 keeps the generated data of the previous run (new migrations still apply).
    const reuse =
      process.env.BENCH_REUSE === '1' &&
      (await admin.query(`select 1 from pg_database where datname = 'bench_rls'`)).rowCount === 1;
    if (!reuse) {
      await admin.query('drop database if exists bench_rls with (force)');
      await admin.query('create database bench_rls');
    }
    await admin.end();
    const url = server.url('bench_rls');
    await prepareDatabase(url, { seed: false });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const staff = reuse ? await existingStaff(client) : await generate(client);

    // Residents to sign in as: a spread over every company.
    const residents = (
      await client.query<{ user_id: string }>(
        `select user_id from public.occupancies where user_id is not null order by md5(user_id::text) limit 200`,
      )
    ).rows.map((r) => r.user_id);
    await client.end();

    const claimsOf = (sub: string): JwtClaims => ({
      role: 'authenticated',
      sub,
      aud: 'authenticated',
      app_metadata: {},
    });
    const searches = ['王', '李伟', '张', '1201', '2502', '86135000', '陈静', undefined, '刘', '杨明'];
    const pages = [1, 1, 1, 2, 3];
    const db = { user: createDb(url, { max: 1 }), service: createDb(url, { max: 1 }) };

    const scenarios: Scenario[] = [
      {
        name: 'resident: own households (getMyHouseholds)',
        claims: (i) => claimsOf(residents[i % residents.length]),
        run: async (tx, i) => (await getMyHouseholds(tx, residents[i % residents.length])).length,
      },
      {
        name: 'community manager: directory page, one community',
        claims: () => claimsOf(staff.manager),
        run: async (tx, i) =>
          (
            await searchResidentDirectory(
              tx,
              directorySearchSchema.parse({
                companyId: staff.company,
                communityId: staff.community,
                q: searches[i % searches.length],
                page: pages[i % pages.length],
              }),
            )
          ).entries.length,
      },
      {
        name: 'company admin: directory page, whole company',
        claims: () => claimsOf(staff.admin),
        run: async (tx, i) =>
          (
            await searchResidentDirectory(
              tx,
              directorySearchSchema.parse({
                companyId: staff.company,
                q: searches[i % searches.length],
                page: pages[i % pages.length],
              }),
            )
          ).entries.length,
      },
    ];

    const results = [];
    for (const s of scenarios) results.push({ name: s.name, ...(await measure(db, s)) });
    await db.user.close();
    await db.service.close();

    const f = (n: number) => n.toFixed(2).padStart(7);
    log('');
    log(`RLS benchmark: ${ITERATIONS} runs per query and mode (after ${WARMUP} warm-up), times in ms`);
    log('query time = the SQL alone; unit of work = begin + set_config + query + commit, as the app pays it');
    log('');
    log(
      `${'scenario'.padEnd(50)} ${'mode'.padEnd(8)} ${'p50'.padStart(7)} ${'p95'.padStart(7)}   ${'uow p50'.padStart(7)} ${'uow p95'.padStart(7)}`,
    );
    let ok = true;
    const verdicts: string[] = [];
    for (const r of results) {
      for (const [mode, t] of [
        ['user', r.user],
        ['service', r.service],
      ] as const) {
        log(
          `${r.name.padEnd(50)} ${mode.padEnd(8)} ${f(pct(t.query, 50))} ${f(pct(t.query, 95))}   ${f(pct(t.unit, 50))} ${f(pct(t.unit, 95))}`,
        );
      }
      const p95 = pct(r.user.query, 95);
      const ratio95 = p95 / pct(r.service.query, 95);
      const ratio50 = pct(r.user.query, 50) / pct(r.service.query, 50);
      // Runs are interleaved (user, service, user, …): the median of each pair's ratio is the
      // estimate least disturbed by other work on a shared machine.
      const pairRatio = pct(
        r.user.query.map((u, k) => u / r.service.query[k]),
        50,
      );
      const uowRatio = pct(r.user.unit, 50) / pct(r.service.unit, 50);
      const pass = p95 <= 10 && ratio95 <= 1.5;
      ok &&= pass;
      verdicts.push(
        `${pass ? 'PASS' : 'FAIL'}  ${r.name}: user p95 ${p95.toFixed(2)} ms (≤ 10); user/service ratio p95 ${ratio95.toFixed(2)} (≤ 1.5), ` +
          `p50 ${ratio50.toFixed(2)}, median of pairs ${pairRatio.toFixed(2)}, unit of work p50 ${uowRatio.toFixed(2)}; ` +
          `${(r.rows / ITERATIONS).toFixed(1)} rows per call`,
      );
    }
    log('');
    for (const v of verdicts) log(v);
    if (!ok) process.exitCode = 1;
  } finally {
    await server.stop();
  }
}

await main();
