/**
 * `npm run bench -- notify`: one notice to a community of 10,000 units (~25,000 residents).
 *
 * 1. Write time of every inbox entry through the send function (`private.notify`, one
 *    set-based INSERT … SELECT of the inbox plus one of the deliveries, the statement-level
 *    Realtime broadcast, idempotency keys, preferences and quiet hours), against a baseline in
 *    the same run: a plain INSERT … SELECT of the same rows into a table of the same shape and
 *    indexes, with no trigger, foreign key or delivery. Median of BENCH_ROUNDS rounds each.
 * 2. Delivery latency over Realtime: BENCH_CONNECTED residents (default 2,000) connected as raw
 *    Phoenix websockets (two client processes), each joined to its private topic `user:<uid>`
 *    (authorized by the RLS policy on realtime.messages); latency = receipt − commit of the send.
 *
 * Own PostgreSQL on .data/bench-notify (port 55562), platform Realtime on a random port.
 */
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { signAccessToken } from '../platform/src/jwt';
import { generateKeys } from '../platform/src/keys';
import { setLogLevel } from '../platform/src/log';
import { prepareDatabase } from '../platform/src/migrate';
import { startServices } from '../platform/src/platform';
import { startPostgres } from '../platform/src/postgres';
import { createRealtimeService } from '../platform/src/services/realtime/service';
import type { FromWorker, ToWorker } from './notify/client-worker';

const UNITS = Number(process.env.BENCH_UNITS ?? 10_000);
const RESIDENTS = Number(process.env.BENCH_RESIDENTS ?? 25_000);
const CONNECTED = Number(process.env.BENCH_CONNECTED ?? 2_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BUILDINGS = 40;
const WORKERS = 2;
const PG_PORT = 55562;
const DB = 'notify_bench';
const here = path.dirname(fileURLToPath(import.meta.url));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const fmt = (v: number) => `${v.toFixed(1)} ms`;

class Worker {
  private readonly waiting: ((m: FromWorker) => void)[] = [];
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: FromWorker) => this.waiting.shift()?.(m));
  }
  ask<T extends FromWorker>(m: ToWorker): Promise<T> {
    return new Promise((resolve) => {
      this.waiting.push((r) => resolve(r as T));
      this.child.send(m);
    });
  }
}

async function seed(db: pg.Pool) {
  const t0 = performance.now();
  const { rows } = await db.query<{ company: string; community: string }>(`
    with c as (insert into public.companies (name) values ('压测物业有限公司') returning id),
         m as (insert into public.communities (company_id, name) select id, '万户花园' from c returning id, company_id)
    select company_id as company, id as community from m`);
  const { company, community } = rows[0];
  await db.query(
    `insert into public.buildings (company_id, community_id, name, sort_order, floor_count, entrance_count)
     select $1, $2, b || '栋', b, 25, 2 from generate_series(1, $3) b`,
    [company, community, BUILDINGS],
  );
  // UNITS units spread over the buildings: 2 entrances × 25 floors × n per floor.
  await db.query(
    `insert into public.units (company_id, community_id, building_id, entrance, floor, number, floor_area)
     select $1, $2, b.id, 1 + (k % 2), 1 + ((k / 2) % 25), ((1 + (k / 2) % 25) * 100 + 1 + k / 50)::text, 89.5
       from (select id, row_number() over (order by sort_order) - 1 as bi from public.buildings where community_id = $2) b
       cross join generate_series(0, $3::int / $4::int - 1) k`,
    [company, community, UNITS, BUILDINGS],
  );
  await db.query(
    `insert into auth.users (instance_id, id, aud, role, phone, phone_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
     select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
            '86139' || lpad(g::text, 8, '0'), now(), '{"provider":"phone"}', '{}', now(), now()
       from generate_series(1, $1) g`,
    [RESIDENTS],
  );
  // Residents per unit: the first is the owner, the others family (2–3 per unit on average).
  await db.query(
    `with u as (select id, row_number() over (order by id) - 1 as i from public.units where community_id = $1),
          p as (select id, row_number() over (order by phone) - 1 as j from auth.users)
     insert into public.occupancies (unit_id, user_id, relation, name, move_in_date)
     select u.id, p.id, case when p.j < $2 then 'owner' else 'family' end::public.occupant_relation, '住户' || p.j, current_date - 30
       from p join u on u.i = p.j % $2`,
    [community, UNITS],
  );
  await db.query('analyze');
  return { company, community, ms: performance.now() - t0 };
}

async function main() {
  setLogLevel('warn');
  const dataDir = path.resolve('.data/bench-notify');
  fs.mkdirSync(dataDir, { recursive: true });
  const server = await startPostgres({ dataDir: path.join(dataDir, 'postgres'), port: PG_PORT });
  const workers: Worker[] = [];
  let services: Awaited<ReturnType<typeof startServices>> | undefined;
  let db: pg.Pool | undefined;
  try {
    const admin = new pg.Client({ connectionString: server.url('postgres') });
    await admin.connect();
    await admin.query(`drop database if exists ${DB} with (force)`);
    await admin.query(`create database ${DB}`);
    await admin.end();
    const databaseUrl = server.url(DB);
    await prepareDatabase(databaseUrl, { seed: false });
    db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    db.on('error', () => {});

    const { company, community, ms: seedMs } = await seed(db);
    const audience = Number(
      (
        await db.query(
          `select count(distinct user_id)::int as n from public.occupancies where community_id = $1 and user_id is not null`,
          [community],
        )
      ).rows[0].n,
    );
    console.log(
      `seeded 1 community, ${BUILDINGS} buildings, ${UNITS} units, ${audience} residents in ${fmt(seedMs)}`,
    );

    // ---------------------------------------------------------------------------------
    // 1. Write time
    // ---------------------------------------------------------------------------------
    await db.query(
      `create table public.bench_plain_inbox (like public.notifications including defaults including indexes)`,
    );
    const recipients = `array(select distinct o.user_id from public.occupancies o
                               where o.community_id = $2 and o.user_id is not null and o.deleted_at is null)`;
    const variants: { label: string; sql: string; cleanup: string }[] = [
      {
        label: 'baseline: plain INSERT … SELECT (same shape and indexes; no triggers, FKs, deliveries)',
        sql: `insert into public.bench_plain_inbox (user_id, event_key, company_id, community_id, category, priority, title, body, link, data)
              select distinct o.user_id, $1::text, $3::uuid, $2::uuid, 'notices'::public.notification_category,
                     'emergency'::public.notification_priority, '紧急停水通知'::text, '今天 14:00 起全小区停水'::text, '/notices/x'::text, '{}'::jsonb
                from public.occupancies o where o.community_id = $2 and o.user_id is not null and o.deleted_at is null`,
        cleanup: 'truncate public.bench_plain_inbox',
      },
      {
        label: 'private.notify, in-app only (inbox + Realtime broadcast)',
        sql: `select private.notify($1, ${recipients}, 'notices', '紧急停水通知', '今天 14:00 起全小区停水', '/notices/x', 'emergency', $3, $2, '{}', '{}')`,
        cleanup: 'delete from public.notifications; delete from realtime.messages',
      },
      {
        label: 'private.notify, normal priority (inbox + broadcast + push deliveries)',
        sql: `select private.notify($1, ${recipients}, 'notices', '停车场划线通知', '周六上午施工', '/notices/y', 'normal', $3, $2)`,
        cleanup: 'delete from public.notifications; delete from realtime.messages',
      },
      {
        label: 'private.notify, emergency (inbox + broadcast + push and SMS deliveries)',
        sql: `select private.notify($1, ${recipients}, 'notices', '紧急停水通知', '今天 14:00 起全小区停水', '/notices/x', 'emergency', $3, $2)`,
        cleanup: 'delete from public.notifications; delete from realtime.messages',
      },
    ];
    const results = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const v of variants) {
        await db.query(v.cleanup);
        await db.query(
          'vacuum analyze public.notifications, public.notification_deliveries, realtime.messages, public.bench_plain_inbox',
        );
        const t0 = performance.now();
        await db.query(v.sql, [`bench:${round}:${v.label.length}`, community, company]);
        const ms = performance.now() - t0;
        results.set(v.label, [...(results.get(v.label) ?? []), ms]);
      }
    }
    const counts = (
      await db.query<{ inbox: number; deliveries: number; messages: number }>(
        `select (select count(*)::int from public.notifications) as inbox,
                (select count(*)::int from public.notification_deliveries) as deliveries,
                (select count(*)::int from realtime.messages) as messages`,
      )
    ).rows[0];
    const again = await db.query<{ n: number }>(
      `select private.notify($1, ${recipients}, 'notices', '紧急停水通知', '重复发送', '/notices/x', 'emergency', $3, $2) as n`,
      [`bench:${ROUNDS - 1}:${variants[3].label.length}`, community, company],
    );
    const base = median(results.get(variants[0].label)!);
    console.log(`\nInbox write for ${audience} recipients (median of ${ROUNDS}):`);
    for (const v of variants) {
      const m = median(results.get(v.label)!);
      console.log(
        `  ${fmt(m).padStart(10)}  ${(m / base).toFixed(2)}×  ${(audience / (m / 1000)).toFixed(0).padStart(7)} rows/s  ${v.label}`,
      );
    }
    console.log(
      `  last run wrote ${counts.inbox} inbox entries, ${counts.deliveries} deliveries, ${counts.messages} Realtime messages; sending it again created ${again.rows[0].n} (idempotent)`,
    );

    // ---------------------------------------------------------------------------------
    // 2. Delivery latency over Realtime
    // ---------------------------------------------------------------------------------
    await db.query('delete from public.notifications; delete from realtime.messages');
    await db.query('vacuum analyze public.notifications, realtime.messages');
    const keys = await generateKeys();
    services = await startServices({
      keys,
      databaseUrl,
      dataDir: path.join(dataDir, 'run'),
      host: '127.0.0.1',
      port: 0,
      local: true,
      factories: [createRealtimeService],
    });
    const wsUrl = `${services.gateway.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${keys.publishableKey}&vsn=2.0.0`;
    const connected = (
      await db.query<{ user_id: string }>(
        `select distinct user_id from public.occupancies where community_id = $1 and user_id is not null order by user_id limit $2`,
        [community, CONNECTED],
      )
    ).rows.map((r) => r.user_id);
    const users = await Promise.all(
      connected.map(async (id) => ({
        id,
        token: await signAccessToken(keys, { sub: id, role: 'authenticated', aud: 'authenticated' }, 3600),
      })),
    );
    for (let w = 0; w < WORKERS; w++) {
      workers.push(
        new Worker(
          fork(path.join(here, 'notify', 'client-worker.ts'), [], {
            execArgv: ['--import', 'tsx'],
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          }),
        ),
      );
    }
    const ready = await Promise.all(
      workers.map((w, i) =>
        w.ask<Extract<FromWorker, { type: 'ready' }>>({
          type: 'setup',
          url: wsUrl,
          users: users.filter((_, k) => k % WORKERS === i),
        }),
      ),
    );
    const joined = ready.reduce((n, r) => n + r.joined, 0);
    console.log(
      `\n${joined}/${users.length} residents connected and joined user:<uid> in ${Math.max(...ready.map((r) => r.ms))} ms${
        ready.some((r) => r.failed) ? ` (failures: ${ready.flatMap((r) => r.errors).join('; ')})` : ''
      }`,
    );

    // The send runs in an explicit transaction so that its commit, when the Realtime messages are
    // released, is the reference point; "send → receipt" adds the time to write every entry.
    const latencies: {
      label: string;
      writeMs: number;
      lat: number[];
      fromSend: number[];
      missing: number;
    }[] = [];
    const tx = await db.connect();
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const link = `/notices/live-${round}`;
        const sentAt = performance.timeOrigin + performance.now();
        await tx.query('begin');
        await tx.query(
          `select private.notify($1, ${recipients}, 'notices', '紧急停水通知', '今天 14:00 起全小区停水', $4, 'emergency', $3, $2, '{}', '{}')`,
          [`bench:live:${round}`, community, company, link],
        );
        const commitAt = performance.timeOrigin + performance.now();
        await tx.query('commit');
        const deadline = Date.now() + 30_000;
        let samples: Extract<FromWorker, { type: 'samples' }>[] = [];
        do {
          await new Promise((r) => setTimeout(r, 250));
          samples = await Promise.all(
            workers.map((w) => w.ask<Extract<FromWorker, { type: 'samples' }>>({ type: 'collect', link })),
          );
        } while (samples.some((s) => s.missing > 0) && Date.now() < deadline);
        const received = samples.flatMap((s) => s.receivedAt).sort((a, b) => a - b);
        latencies.push({
          label: `round ${round + 1}`,
          writeMs: commitAt - sentAt,
          lat: received.map((at) => at - commitAt),
          fromSend: received.map((at) => at - sentAt),
          missing: samples.reduce((n, s) => n + s.missing, 0),
        });
        await db.query('delete from public.notifications; delete from realtime.messages');
      }
    } finally {
      tx.release();
    }
    console.log(`Realtime delivery of one notice to ${audience} inboxes, ${joined} of them connected:`);
    for (const l of latencies) {
      console.log(
        `  ${l.label}: write ${fmt(l.writeMs)}; commit → receipt p50 ${fmt(percentile(l.lat, 50))}, p95 ${fmt(percentile(l.lat, 95))}, p99 ${fmt(percentile(l.lat, 99))}, last ${fmt(l.lat.at(-1) ?? Number.NaN)}; send → receipt p95 ${fmt(percentile(l.fromSend, 95))}; missing ${l.missing}`,
      );
    }
    const all = latencies.flatMap((l) => l.lat).sort((a, b) => a - b);
    const allFromSend = latencies.flatMap((l) => l.fromSend).sort((a, b) => a - b);
    console.log(
      `  all rounds (${all.length} deliveries): commit → receipt p50 ${fmt(percentile(all, 50))}, p95 ${fmt(percentile(all, 95))}, p99 ${fmt(percentile(all, 99))}; send → receipt p95 ${fmt(percentile(allFromSend, 95))}`,
    );
  } finally {
    for (const w of workers) w.child.send({ type: 'stop' } satisfies ToWorker);
    await services?.close().catch(() => {});
    await db?.end().catch(() => {});
    await server.stop();
  }
}

await main();
process.exit(0);
