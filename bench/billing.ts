/**
 * `npm run bench -- billing`: billing at the scale of a large company.
 *
 * 1. Bill run: 100,000 units × 4 fee items (物业费 per m², 公摊 per m², 垃圾费 fixed, 水费
 *    metered on Beijing's annual tiers with three readings a meter; 5 % of units move in mid-month)
 *    through billing.publish_bill_run (compute + 400k bills with their charges, constraints, indexes,
 *    audit), against a baseline in the same run: a plain INSERT … SELECT of the same rows into
 *    tables of the same shape without index, constraint or trigger. Then the same run again
 *    (idempotent: must create nothing). Target ≤ 20 s.
 * 2. Webhook chaos: 5,000 checkout events (card, WeChat Pay in two steps, expiries) each
 *    delivered 1–5 times in random order, concurrently, to the real payments-webhook function
 *    (signatures by the stripe library). Checks: 0 applied twice, 0 lost.
 * 3. Month-end peak: 500 residents start a checkout through the real payments function (JWT,
 *    gateway, Deno, stripe client against a local Stripe fake): once as a burst (all at once)
 *    and once arriving over 5 s; 20 % share a household with another starter and race for the
 *    same bills. Baseline: the health function under the same load. Targets: p95 ≤ 300 ms,
 *    0 double payments (no bill in two open checkouts). Latency is what each resident waits
 *    (measured by the load generator, a child process: bench/billing/client-worker.ts); the
 *    server-side time (gateway in → answer out) and the CPU each process used per request
 *    (load generator, gateway, Stripe fake, Deno, PostgreSQL) are printed beside it.
 *
 * Own PostgreSQL on .data/bench-billing (port 55572); platform services on a random port.
 */
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import Stripe from 'stripe';
import { signAccessToken } from '../platform/src/jwt';
import { generateKeys } from '../platform/src/keys';
import { setLogLevel } from '../platform/src/log';
import { prepareDatabase } from '../platform/src/migrate';
import { startServices } from '../platform/src/platform';
import { startPostgres } from '../platform/src/postgres';
import { createFunctionsService, defaultFunctionsOptions } from '../platform/src/services/functions/service';
import type { FakeSession } from '../tests/support/stripe-fake';
import { cpuBetween, cpuSnapshot, formatCpu } from './_cpu';
import type { FromWorker, ToWorker, WaveRequest } from './billing/client-worker';
import type { FromFake, ToFake } from './billing/stripe-fake-process';

const UNITS = Number(process.env.BENCH_UNITS ?? 100_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 5_000);
const RESIDENTS = Number(process.env.BENCH_RESIDENTS ?? 500);
const PG_PORT = 55572;
const DB = 'billing_bench';
const WEBHOOK_SECRET = 'whsec_bench_billing';
const MONTH = '2026-11-01';

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
/** The machine is shared: say how busy it was, so figures from different runs are read with care. */
const load = () =>
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} on ${os.cpus().length} cores`;
const rng = (() => {
  let x = 0x2545f491;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
})();
function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}
async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}
/** A child process of this benchmark, asked over IPC; answers come in the order asked. */
class Child<In, Out> {
  private readonly waiting: ((m: Out) => void)[] = [];
  readonly process: ChildProcess;
  readonly first: Promise<Out>;
  constructor(file: string) {
    this.process = fork(path.join(path.dirname(fileURLToPath(import.meta.url)), 'billing', file), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.process.on('message', (m: Out) => this.waiting.shift()?.(m));
    this.first = new Promise((resolve) => this.waiting.push(resolve));
  }
  ask<T extends Out>(m: In): Promise<T> {
    return new Promise((resolve) => {
      this.waiting.push((r) => resolve(r as T));
      this.process.send(m as object);
    });
  }
}

async function asService<T>(db: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await db.connect();
  try {
    await c.query('begin');
    await c.query(
      `select set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true)`,
    );
    const r = await fn(c);
    await c.query('commit');
    return r;
  } catch (err) {
    await c.query('rollback');
    throw err;
  } finally {
    c.release();
  }
}

setLogLevel('warn');
const dataDir = path.resolve('.data/bench-billing');
const server = await startPostgres({ dataDir: path.join(dataDir, 'postgres'), port: PG_PORT });
const admin = new pg.Client({ connectionString: server.url('postgres') });
await admin.connect();
await admin.query(`drop database if exists ${DB} with (force)`);
await admin.query(`create database ${DB}`);
await admin.end();
const url = server.url(DB);
await prepareDatabase(url, { seed: false });
const db = new pg.Pool({ connectionString: url, max: 12 });
// PostgreSQL stops at the end while an idle connection may still be closing (57P01).
let stopping = false;
db.on('error', (err) => {
  if (!stopping) throw err;
});

// ---------------------------------------------------------------------------------------
// Data: one company, one community, UNITS units, 4 fee items, meters and readings
// ---------------------------------------------------------------------------------------
let t0 = performance.now();
const { rows: ids } = await db.query<{ company: string; community: string }>(`
  with c as (insert into public.companies (name) values ('压测物业有限公司') returning id),
       m as (insert into public.communities (company_id, name) select id, '十万户花园' from c returning id, company_id)
  select company_id as company, id as community from m`);
const { company, community } = ids[0];
const BUILDINGS = Math.max(1, Math.round(UNITS / 1000));
await db.query(
  `insert into public.buildings (company_id, community_id, name, sort_order, floor_count, entrance_count)
   select $1, $2, b || '栋', b, 25, 4 from generate_series(1, $3) b`,
  [company, community, BUILDINGS],
);
await db.query(
  `insert into public.units (company_id, community_id, building_id, entrance, floor, number, floor_area)
   select $1, $2, b.id, 1 + (k % 4), 1 + (k / 4) % 25, ((1 + (k / 4) % 25) * 100 + 1 + k / 100)::text,
          (array[89.50, 112.30, 128.80, 143.60])[1 + k % 4]
   from public.buildings b cross join generate_series(0, $3 - 1) k
   where b.community_id = $2`,
  [company, community, Math.ceil(UNITS / BUILDINGS)],
);
const item = async (name: string, kind: string, rule: object) => {
  const { rows } = await db.query<{ id: string }>(
    `insert into public.fee_items (company_id, community_id, name, kind) values ($1, $2, $3, $4) returning id`,
    [company, community, name, kind],
  );
  await db.query(
    `insert into public.fee_rule_versions (company_id, community_id, fee_item_id, effective_from, rule) values ($1, $2, $3, '2026-01-01', $4)`,
    [company, community, rows[0].id, JSON.stringify(rule)],
  );
  return rows[0].id;
};
await item('物业费', 'property', {
  method: 'area',
  unitPriceE4: 25_000,
  lateFee: { dailyRateBp: 5, graceDays: 0, capBp: 10_000 },
});
await item('公摊', 'shared', { method: 'area', unitPriceE4: 1_200 });
await item('垃圾费', 'garbage', { method: 'fixed', unitPriceE4: 150_000 });
const water = await item('水费', 'water', {
  method: 'metered',
  tierBasis: 'annual',
  tiers: [
    { upTo: 180, unitPriceE4: 50_000 },
    { upTo: 260, unitPriceE4: 70_000 },
    { upTo: null, unitPriceE4: 90_000 },
  ],
});
{
  const c = await db.connect();
  await c.query(`set session_replication_role = replica`);
  await c.query(
    `insert into public.occupancies (company_id, community_id, unit_id, relation, name, move_in_date)
     select company_id, community_id, id, 'owner', '业主',
            case when random() < 0.05 then date '2026-11-16' else date '2020-01-01' end
     from public.units where community_id = $1`,
    [community],
  );
  await c.query(
    `insert into public.meters (company_id, community_id, unit_id, fee_item_id)
     select company_id, community_id, id, $2 from public.units where community_id = $1`,
    [community, water],
  );
  await c.query(
    `insert into public.meter_readings (company_id, community_id, meter_id, read_on, reading)
     select m.company_id, m.community_id, m.id, d.read_on, d.base + (hashtext(m.id::text) & 255)
     from public.meters m
     cross join (values (date '2025-12-31', 1000), (date '2026-10-31', 1160), (date '2026-11-30', 1190)) d (read_on, base)
     where m.community_id = $1`,
    [community],
  );
  await c.query(`set session_replication_role = origin`);
  c.release();
}
await db.query('vacuum analyze');
console.log(
  `seeded ${UNITS.toLocaleString()} units × 4 fee items, ${UNITS.toLocaleString()} meters, ${(3 * UNITS).toLocaleString()} readings in ${s(performance.now() - t0)}`,
);

// ---------------------------------------------------------------------------------------
// 1. Bill run
// ---------------------------------------------------------------------------------------
t0 = performance.now();
const run = await asService(
  db,
  async (c) =>
    (await c.query('select * from billing.publish_bill_run($1, $2::date)', [community, MONTH])).rows[0],
);
const runMs = performance.now() - t0;
t0 = performance.now();
const again = await asService(
  db,
  async (c) =>
    (await c.query('select * from billing.publish_bill_run($1, $2::date)', [community, MONTH])).rows[0],
);
const againMs = performance.now() - t0;
await db.query(`create schema if not exists bench;
  drop table if exists bench.plain_bills;
  create table bench.plain_bills (like public.bills including defaults);`);
t0 = performance.now();
await db.query('begin');
await db.query('insert into bench.plain_bills select * from public.bills where community_id = $1', [
  community,
]);
await db.query('commit');
const plainMs = performance.now() - t0;
const check = await db.query<{
  bills: number;
  fen: string;
  metered: number;
  prorated: number;
}>(
  `select (select count(*)::int from public.bills where community_id = $1) as bills,
          (select sum(amount_fen)::text from public.bills where community_id = $1) as fen,
          (select count(*)::int from public.bills where community_id = $1 and detail ? 'priorUse') as metered,
          (select count(*)::int from public.bills where community_id = $1 and (detail ->> 'billableDays')::int < 30) as prorated`,
  [community],
);
console.log('\n1. Bill run (publish_bill_run, one transaction)');
console.log(
  `   created ${run.created_bills.toLocaleString()} bills (${check.rows[0].metered.toLocaleString()} tiered water charges, ${check.rows[0].prorated.toLocaleString()} prorated), ¥${(Number(check.rows[0].fen) / 100).toLocaleString()}`,
);
console.log(`   bill run: ${s(runMs)}  (target ≤ 20 s: ${runMs <= 20_000 ? 'met' : 'MISSED'})`);
console.log(
  `   baseline plain INSERT … SELECT of the same rows: ${s(plainMs)}  → ratio ${(runMs / plainMs).toFixed(1)}×`,
);
console.log(
  `   same run again: ${s(againMs)}, created ${again.created_bills} (idempotent: ${again.created_bills === 0 ? 'yes' : 'NO'})`,
);

// ---------------------------------------------------------------------------------------
// Platform with the payment functions against a local Stripe fake
// ---------------------------------------------------------------------------------------
const fake = new Child<ToFake, FromFake>('stripe-fake-process.ts');
const fakeUrl = ((await fake.first) as Extract<FromFake, { type: 'ready' }>).url;
const envDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-billing-'));
const envFile = path.join(envDir, 'functions.env');
fs.writeFileSync(
  envFile,
  [
    'PAYMENTS_PROVIDER=stripe',
    'STRIPE_SECRET_KEY=sk_test_bench',
    `STRIPE_WEBHOOK_SECRET=${WEBHOOK_SECRET}`,
    `STRIPE_API_BASE=${fakeUrl}`,
    'PAYMENTS_RETURN_ORIGINS=http://app.bench',
    'PAYMENTS_DB_POOL=16',
  ].join('\n'),
);
const keys = await generateKeys();
const services = await startServices({
  keys,
  databaseUrl: url,
  dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-billing-platform-')),
  host: '127.0.0.1',
  port: 0,
  local: true,
  factories: [
    (ctx) => createFunctionsService(ctx, { ...defaultFunctionsOptions(ctx), envFile, watch: false }),
  ],
});
const api = services.gateway.url;
const agent = { keepalive: true } as const;

// ---------------------------------------------------------------------------------------
// 2. Webhook chaos
// ---------------------------------------------------------------------------------------
const stripe = new Stripe('sk_test_bench');
const chaosBills = await db.query<{ id: string; amount_fen: string }>(
  `select id, amount_fen from public.bills where community_id = $1 and status = 'unpaid' order by id limit $2`,
  [community, EVENTS],
);
// One checkout per bill, as billing.begin_payment would leave it (service role, no late fee).
await db.query(`insert into auth.users (instance_id, id, aud, role, created_at, updated_at)
  values ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-0000000000c5', 'authenticated', 'authenticated', now(), now())
  on conflict do nothing`);
const chaosRows = await asService(db, async (c) => {
  await c.query(
    `create temporary table chaos on commit drop as
     select gen_random_uuid() as intent_id, b.id as bill_id, b.amount_fen, 'cs_test_chaos_' || row_number() over () as session_id
     from public.bills b where b.id = any ($1::uuid[])`,
    [chaosBills.rows.map((b) => b.id)],
  );
  await c.query(
    `insert into public.payment_intents (id, company_id, community_id, user_id, provider, amount_fen, methods, checkout_session_id, expires_at)
     select intent_id, $1, $2, '00000000-0000-4000-8000-0000000000c5', 'stripe', amount_fen, '{card,alipay,wechat_pay}', session_id, now() + interval '35 minutes' from chaos`,
    [company, community],
  );
  await c.query(
    `insert into public.payment_intent_bills (intent_id, bill_id, company_id, amount_fen, late_fee_fen)
     select intent_id, bill_id, $1, amount_fen, 0 from chaos`,
    [company],
  );
  return (
    await c.query<{ intent_id: string; session_id: string; amount_fen: string }>(
      'select intent_id, session_id, amount_fen from chaos',
    )
  ).rows;
});
// The sessions at "Stripe": 70 % paid by card, 20 % WeChat Pay (completed unpaid, then succeeded), 10 % expired.
type PlanItem = { session: FakeSession; kind: 'card' | 'wechat' | 'expired' };
const plan: PlanItem[] = chaosRows.map((r, i) => {
  const kind: PlanItem['kind'] = i % 10 < 7 ? 'card' : i % 10 < 9 ? 'wechat' : 'expired';
  const session: FakeSession = {
    id: r.session_id,
    object: 'checkout.session',
    status: kind === 'expired' ? 'expired' : 'complete',
    payment_status: kind === 'expired' ? 'unpaid' : 'paid',
    amount_total: Number(r.amount_fen),
    currency: 'cny',
    client_reference_id: r.intent_id,
    metadata: { intent_id: r.intent_id },
    payment_method_types: ['card', 'alipay', 'wechat_pay'],
    payment_intent: kind === 'expired' ? null : `pi_chaos_${i}`,
    url: '',
    expires_at: 0,
    success_url: '',
    cancel_url: '',
    livemode: false,
    chosenMethod: kind === 'wechat' ? 'wechat_pay' : 'card',
  };
  return { session, kind };
});
await fake.ask({ type: 'sessions', sessions: plan.map((p) => p.session) });
const events: { id: string; type: string; sessionId: string }[] = [];
let n = 0;
for (const p of plan) {
  const add = (type: string) => events.push({ id: `evt_chaos_${++n}`, type, sessionId: p.session.id });
  if (p.kind === 'card') add('checkout.session.completed');
  else if (p.kind === 'wechat') {
    add('checkout.session.completed');
    add('checkout.session.async_payment_succeeded');
  } else add('checkout.session.expired');
}
const deliveries = shuffle(events.flatMap((e) => Array.from({ length: 1 + Math.floor(rng() * 5) }, () => e)));
const outcomes = new Map<string, number>();
let failures = 0;
t0 = performance.now();
await pool(deliveries, 48, async (e) => {
  const payload = JSON.stringify({
    id: e.id,
    object: 'event',
    type: e.type,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: { object: { id: e.sessionId, object: 'checkout.session' } },
  });
  for (let attempt = 0; attempt < 5; attempt++) {
    const res = await fetch(`${api}/functions/v1/payments-webhook`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Stripe-Signature': stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }),
      },
      body: payload,
      ...agent,
    });
    const body = (await res.json()) as { outcome?: string };
    if (res.ok) {
      outcomes.set(body.outcome ?? '?', (outcomes.get(body.outcome ?? '?') ?? 0) + 1);
      return;
    }
    failures++; // like Stripe, deliver again later
  }
});
const chaosMs = performance.now() - t0;
const paidPlan = plan.filter((p) => p.kind !== 'expired');
const verdict = await db.query<{
  payments: number;
  distinct_intents: number;
  paid_bills: number;
  events: number;
  settled: number;
  expired: number;
  amount_ok: boolean;
  double: number;
}>(
  `select (select count(*)::int from public.payments p where p.intent_id = any ($1::uuid[])) as payments,
          (select count(distinct p.intent_id)::int from public.payments p where p.intent_id = any ($1::uuid[])) as distinct_intents,
          (select count(*)::int from public.bills b join public.payment_intent_bills ib on ib.bill_id = b.id
             where ib.intent_id = any ($1::uuid[]) and b.status = 'paid') as paid_bills,
          (select count(*)::int from billing.payment_events where event_id like 'evt_chaos_%') as events,
          (select count(*)::int from public.payment_intents where id = any ($1::uuid[]) and status = 'succeeded') as settled,
          (select count(*)::int from public.payment_intents where id = any ($1::uuid[]) and status = 'expired') as expired,
          (select coalesce(bool_and(p.amount_fen = i.amount_fen), true) from public.payments p join public.payment_intents i on i.id = p.intent_id
             where p.intent_id = any ($1::uuid[])) as amount_ok,
          (select count(*)::int from (select pb.bill_id from public.payment_bills pb join public.payments p on p.id = pb.payment_id
             where p.intent_id = any ($1::uuid[]) group by pb.bill_id having count(*) > 1) d) as double`,
  [plan.map((p) => p.session.client_reference_id)],
);
const v = verdict.rows[0];
const lost = paidPlan.length - v.distinct_intents;
console.log('\n2. Webhook chaos (payments-webhook function, signatures by the stripe library)');
console.log(
  `   ${events.length.toLocaleString()} events, ${deliveries.length.toLocaleString()} deliveries (1–5 each, shuffled, 48 concurrent) in ${s(chaosMs)} → ${(deliveries.length / (chaosMs / 1000)).toFixed(0)} deliveries/s; ${failures} answered 5xx and were redelivered`,
);
console.log(`   outcomes: ${[...outcomes].map(([k, c]) => `${k} ${c}`).join(', ')}`);
console.log(
  `   payments ${v.payments} for ${paidPlan.length} paid checkouts; applied twice: ${v.payments - v.distinct_intents + v.double}; lost: ${lost}; event ids recorded ${v.events}/${events.length}; expired ${v.expired}/${plan.length - paidPlan.length}; amounts match: ${v.amount_ok}`,
);

// ---------------------------------------------------------------------------------------
// 3. Month-end peak: residents start checkouts
// ---------------------------------------------------------------------------------------
const peakUnits = await db.query<{ id: string }>(
  `select b.unit_id as id from public.bills b where b.community_id = $1 and b.status = 'unpaid'
   group by b.unit_id having count(*) = 4 order by b.unit_id limit $2`,
  [community, 2 * RESIDENTS],
);
const users: { id: string; unitId: string; token: string }[] = [];
{
  const c = await db.connect();
  await c.query(`set session_replication_role = replica`);
  for (let i = 0; i < 2 * RESIDENTS; i++) {
    // Every fifth resident shares the unit of the one before: a household racing for the same bills.
    const unitId = peakUnits.rows[i % 5 === 4 ? i - 1 : i].id;
    const id = (
      await c.query<{ id: string }>(
        `insert into auth.users (instance_id, id, aud, role, phone, phone_confirmed_at, created_at, updated_at)
         values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated', $1, now(), now(), now()) returning id`,
        [`86137${String(i).padStart(8, '0')}`],
      )
    ).rows[0].id;
    await c.query(`insert into public.profiles (id, full_name) values ($1, $2) on conflict do nothing`, [
      id,
      `住户${i}`,
    ]);
    await c.query(
      `insert into public.occupancies (company_id, community_id, unit_id, user_id, relation, name, move_in_date)
       values ($1, $2, $3, $4, $5, $6, '2020-01-01')`,
      [company, community, unitId, id, i % 5 === 4 ? 'tenant' : 'owner', `住户${i}`],
    );
    users.push({
      id,
      unitId,
      token: await signAccessToken(keys, { role: 'authenticated', sub: id, aud: 'authenticated' }, 3600),
    });
  }
  await c.query(`set session_replication_role = origin`);
  c.release();
}
const billsByUnit = new Map<string, string[]>();
for (const r of (
  await db.query<{ unit_id: string; id: string }>(
    `select unit_id, id from public.bills where unit_id = any ($1::uuid[]) and status = 'unpaid'`,
    [users.map((u) => u.unitId)],
  )
).rows) {
  billsByUnit.set(r.unit_id, [...(billsByUnit.get(r.unit_id) ?? []), r.id]);
}

// The residents' phones: a child process, so that their HTTP work does not run on the gateway's
// event loop (the gateway and the functions supervisor stay in this process).
const clients = new Child<ToWorker, FromWorker>('client-worker.ts');
await clients.first;
const cpuNames = new Map([
  [process.pid, 'gateway (bench process)'],
  [clients.process.pid ?? -1, 'load generator'],
  [fake.process.pid ?? -1, 'Stripe fake'],
]);

// Server-side time: from the gateway receiving a function request to the last byte of its answer
// (JWT check, queueing, the function, its database and Stripe calls). Clients wait longer: their
// own work, TCP accept queues and the response's way back are outside it.
const serverTimes: number[] = [];
services.gateway.server.on('request', (req, res) => {
  if (!req.url?.startsWith('/functions/v1/')) return;
  const t = performance.now();
  res.on('finish', () => serverTimes.push(performance.now() - t));
});

type User = (typeof users)[number];
const checkout = (u: User): WaveRequest => ({
  url: `${api}/functions/v1/payments/checkout`,
  method: 'POST',
  headers: { Authorization: `Bearer ${u.token}`, 'Content-Type': 'application/json' },
  body: JSON.stringify({ billIds: billsByUnit.get(u.unitId), returnUrl: 'http://app.bench/bills/return' }),
});
const health = (u: User): WaveRequest => ({
  url: `${api}/functions/v1/health`,
  method: 'GET',
  headers: { Authorization: `Bearer ${u.token}` },
});

async function wave(label: string, call: (u: User) => WaveRequest, spreadMs: number, group: User[]) {
  const requests = group.map(call);
  serverTimes.length = 0;
  const cpu0 = cpuSnapshot(cpuNames);
  const done = await clients.ask<Extract<FromWorker, { type: 'done' }>>({ type: 'wave', requests, spreadMs });
  const cpu = cpuBetween(cpu0, cpuSnapshot(cpuNames));
  const ms = done.results.map((r) => r.ms).sort((a, b) => a - b);
  const server = [...serverTimes].sort((a, b) => a - b);
  const codes = new Map<string, number>();
  for (const r of done.results) {
    const key = r.status === 200 ? '200' : `${r.status} ${r.code ?? ''}`;
    codes.set(key, (codes.get(key) ?? 0) + 1);
  }
  console.log(
    `   ${label}: p50 ${pct(ms, 50).toFixed(0)} ms, p95 ${pct(ms, 95).toFixed(0)} ms, p99 ${pct(ms, 99).toFixed(0)} ms, max ${ms.at(-1)?.toFixed(0)} ms, ${(group.length / (done.wallMs / 1000)).toFixed(0)} req/s; ${[...codes].map(([k, c]) => `${k}×${c}`).join(', ')}`,
  );
  console.log(
    `      server-side (gateway in → answer out): p50 ${pct(server, 50).toFixed(0)} ms, p95 ${pct(server, 95).toFixed(0)} ms`,
  );
  console.log(`      CPU: ${formatCpu(cpu, group.length)}`);
  return pct(ms, 95);
}

// Warm the workers (first request boots Deno) with a handful of requests that do not touch the users' bills.
await clients.ask({ type: 'wave', requests: [health(users[0]), health(users[0])], spreadMs: 0 });
await clients.ask({ type: 'wave', requests: [{ ...checkout(users[0]), body: '{}' }], spreadMs: 0 });

console.log(`\n3. Month-end peak: ${RESIDENTS} residents start a checkout (payments function, Stripe fake)`);
console.log(`   start: ${load()}`);
// Two groups of RESIDENTS residents (different units): one starts all at once, the other arrives over 5 s.
const burstGroup = users.slice(0, RESIDENTS);
const spreadGroup = users.slice(RESIDENTS);
const baselineBurst = await wave('baseline health function, burst', health, 0, burstGroup);
const burst = await wave('checkout, burst (all at once)', checkout, 0, burstGroup);
const baselineSpread = await wave('baseline health function, over 5 s', health, 5_000, spreadGroup);
const spread = await wave('checkout, arriving over 5 s (other residents)', checkout, 5_000, spreadGroup);
await wave('checkout again by the burst group (open sessions reused)', checkout, 0, burstGroup);
const double = await db.query<{ bills: number; creates: number }>(
  `select (select count(*)::int from (select bill_id from public.payment_intent_bills where active group by bill_id having count(*) > 1) x) as bills,
          0 as creates`,
);
const sessions = await fake.ask<Extract<FromFake, { type: 'checkouts' }>>({ type: 'checkouts' });
console.log(
  `   ratio to baseline (p95): burst ${(burst / baselineBurst).toFixed(1)}×, spread ${(spread / baselineSpread).toFixed(1)}×`,
);
console.log(
  `   bills in two open checkouts: ${double.rows[0].bills} (double payments possible: ${double.rows[0].bills === 0 ? 'none' : 'YES'}); checkout sessions created ${sessions.created} with ${sessions.distinctKeys} distinct idempotency keys`,
);
console.log(
  `   targets: p95 ≤ 300 ms — burst ${burst <= 300 ? 'met' : 'MISSED'}, spread ${spread <= 300 ? 'met' : 'MISSED'}`,
);
console.log(`   end: ${load()}`);

stopping = true;
clients.process.send({ type: 'stop' } satisfies ToWorker);
await services.close();
fake.process.send({ type: 'stop' } satisfies ToFake);
await db.end();
await server.stop();
fs.rmSync(envDir, { recursive: true, force: true });
