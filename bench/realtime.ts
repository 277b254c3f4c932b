/**
 * `npm run bench -- realtime`: 2,000 subscribers on 100 private community topics, 50 changes/s,
 * latency from database commit to client receipt, through broadcast-from-database
 * (a trigger calling realtime.broadcast_changes) and through postgres_changes (per-subscriber RLS),
 * with the ratio between the two. Targets for broadcast: p95 ≤ 150 ms, p99 ≤ 400 ms.
 *
 * Starts its own PostgreSQL (.data/bench, port 55532) and platform on a fresh database; the
 * subscribers are light Phoenix clients in child processes, plus a few real supabase-js clients
 * in this process to check the same deliveries reach the official client. Loopback only; every
 * phase runs for a fixed time. Settings: BENCH_SUBSCRIBERS, BENCH_TOPICS, BENCH_RATE, BENCH_SECONDS.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { signAccessToken } from '../platform/src/jwt';
import { generateKeys } from '../platform/src/keys';
import { setLogLevel } from '../platform/src/log';
import { prepareDatabase } from '../platform/src/migrate';
import { startServices } from '../platform/src/platform';
import { startPostgres } from '../platform/src/postgres';
import { realtimeClient } from '../platform/src/services/realtime/test-support';
import type { BenchUser, FromWorker, ToWorker } from './realtime/client-worker';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 2000);
const TOPICS = Number(process.env.BENCH_TOPICS ?? 100);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WORKERS = 2;
const PG_PORT = 55532;
const DB = 'realtime_bench';
const here = path.dirname(fileURLToPath(import.meta.url));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

type Stats = { n: number; p50: number; p95: number; p99: number; max: number };
function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s.at(-1) ?? Number.NaN,
  };
}
const ms = (v: number) => (Number.isNaN(v) ? '—' : `${v.toFixed(1)} ms`);

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

async function main() {
  setLogLevel('warn');
  const started = performance.now();
  const dataDir = path.resolve('.data/bench');
  fs.mkdirSync(dataDir, { recursive: true });
  const server = await startPostgres({ dataDir: path.join(dataDir, 'postgres'), port: PG_PORT });
  const workers: Worker[] = [];
  const verifiers: SupabaseClient[] = [];
  let services: Awaited<ReturnType<typeof startServices>> | undefined;
  let load: pg.Pool | undefined;
  try {
    const admin = new pg.Client({ connectionString: server.url('postgres') });
    await admin.connect();
    await admin.query(`drop database if exists ${DB} with (force)`);
    await admin.query(`create database ${DB}`);
    await admin.end();
    const databaseUrl = server.url(DB);
    await prepareDatabase(databaseUrl, { seed: false });
    load = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    load.on('error', () => {});
    await load.query(`
      create table public.bench_members (user_id uuid not null, community_id int not null, primary key (user_id, community_id));
      create index on public.bench_members (community_id);
      grant select on public.bench_members to authenticated;
      create table public.bench_events (
        id bigint generated always as identity primary key,
        community_id int not null,
        body text not null,
        sent_at float8 not null default (extract(epoch from clock_timestamp()) * 1000)
      );
      alter table public.bench_events enable row level security;
      grant select on public.bench_events to authenticated;
      create policy "members read their community" on public.bench_events for select to authenticated
        using (community_id in (select m.community_id from public.bench_members m where m.user_id = (select auth.uid())));
      create policy "members join their community topic" on realtime.messages for select to authenticated
        using (exists (select 1 from public.bench_members m
                       where m.user_id = (select auth.uid()) and realtime.topic() = 'community:' || m.community_id));
      create function public.bench_broadcast() returns trigger language plpgsql security definer set search_path = '' as $$
      begin
        perform realtime.broadcast_changes('community:' || new.community_id, tg_op, tg_op, tg_table_name, tg_table_schema, new, null);
        return null;
      end $$;
      create trigger bench_broadcast after insert on public.bench_events for each row execute function public.bench_broadcast();
      alter publication supabase_realtime add table public.bench_events;
    `);

    const keys = await generateKeys();
    services = await startServices({
      keys,
      databaseUrl,
      dataDir: path.join(dataDir, 'run'),
      host: '127.0.0.1',
      port: 0,
      local: true,
    });
    const apiUrl = services.gateway.url;
    const wsUrl = `${apiUrl.replace('http', 'ws')}/realtime/v1/websocket?apikey=${keys.publishableKey}&vsn=2.0.0`;

    const users: (BenchUser & { id: string })[] = [];
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const id = randomUUID();
      const token = await signAccessToken(
        keys,
        { sub: id, role: 'authenticated', aud: 'authenticated' },
        3600,
      );
      users.push({ id, token, community: i % TOPICS });
    }
    await load.query('insert into public.bench_members select * from unnest($1::uuid[], $2::int[])', [
      users.map((u) => u.id),
      users.map((u) => u.community),
    ]);
    const membersOf = new Map<number, number>();
    for (const u of users) membersOf.set(u.community, (membersOf.get(u.community) ?? 0) + 1);

    for (let w = 0; w < WORKERS; w++) {
      const child = fork(path.join(here, 'realtime', 'client-worker.ts'), [], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      workers.push(new Worker(child));
    }
    const share = (w: number) =>
      users.filter((_, i) => i % WORKERS === w).map(({ token, community }) => ({ token, community }));
    const ready = await Promise.all(
      workers.map((w, i) =>
        w.ask<Extract<FromWorker, { type: 'ready' }>>({ type: 'setup', url: wsUrl, users: share(i) }),
      ),
    );
    console.log(
      `${SUBSCRIBERS} websockets connected in ${Math.max(...ready.map((r) => r.ms))} ms (${WORKERS} client processes)`,
    );

    // A few official clients, checked alongside: members of community 0.
    const verifierUsers = users.filter((u) => u.community === 0).slice(0, 2);
    const verified = { broadcast: [] as number[], pg: [] as number[] };
    const verifierChannels: RealtimeChannel[] = [];
    for (const u of verifierUsers) {
      const c = await realtimeClient(apiUrl, keys, { token: u.token });
      verifiers.push(c);
    }

    const insertAt = async (community: number) => {
      await load?.query('insert into public.bench_events (community_id, body) values ($1, $2)', [
        community,
        `通知 ${community}`,
      ]);
    };
    const drive = async (seconds: number) => {
      const total = Math.round(seconds * RATE);
      const perCommunity = new Map<number, number>();
      const t0 = performance.now();
      const inflight: Promise<void>[] = [];
      for (let k = 0; k < total; k++) {
        const wait = t0 + (k * 1000) / RATE - performance.now();
        if (wait > 0) await sleep(wait);
        const community = Math.floor(Math.random() * TOPICS);
        perCommunity.set(community, (perCommunity.get(community) ?? 0) + 1);
        inflight.push(insertAt(community));
      }
      await Promise.all(inflight);
      let expected = 0;
      for (const [c, n] of perCommunity) expected += n * (membersOf.get(c) ?? 0);
      return { inserts: total, expected, achievedRate: total / ((performance.now() - t0) / 1000) };
    };
    const collect = async () => {
      const parts = await Promise.all(
        workers.map((w) => w.ask<Extract<FromWorker, { type: 'samples' }>>({ type: 'collect' })),
      );
      return parts.flatMap((p) => p.latencies);
    };

    const results: Record<
      string,
      { stats: Stats; expected: number; joinMs: number; rate: number; cpu: number }
    > = {};
    for (const mode of ['broadcast', 'pg'] as const) {
      await load.query(
        `alter table public.bench_events ${mode === 'broadcast' ? 'enable' : 'disable'} trigger bench_broadcast`,
      );
      const joined = await Promise.all(
        workers.map((w) => w.ask<Extract<FromWorker, { type: 'joined' }>>({ type: 'join', mode })),
      );
      const ok = joined.reduce((n, j) => n + j.ok, 0);
      const joinMs = Math.max(...joined.map((j) => j.ms));
      console.log(
        `${mode}: ${ok}/${SUBSCRIBERS} channels joined in ${joinMs} ms${ok < SUBSCRIBERS ? `; errors: ${joined.flatMap((j) => j.errors).join(' | ')}` : ''}`,
      );
      for (const c of verifiers) {
        const u = verifierUsers[verifiers.indexOf(c)];
        const ch =
          mode === 'broadcast'
            ? c
                .channel(`community:${u.community}`, { config: { private: true } })
                .on('broadcast', { event: 'INSERT' }, (m) => {
                  verified.broadcast.push(
                    Date.now() - (m.payload as { record: { sent_at: number } }).record.sent_at,
                  );
                })
            : c.channel(`verify-changes:${u.community}`).on(
                'postgres_changes',
                {
                  event: 'INSERT',
                  schema: 'public',
                  table: 'bench_events',
                  filter: `community_id=eq.${u.community}`,
                },
                (p) => {
                  verified.pg.push(Date.now() - (p.new as { sent_at: number }).sent_at);
                },
              );
        await new Promise<void>((resolve, reject) =>
          ch.subscribe((s, e) => (s === 'SUBSCRIBED' ? resolve() : reject(e ?? new Error(s)))),
        );
        verifierChannels.push(ch);
      }
      await drive(2); // warm-up
      await sleep(1_000);
      await collect();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const run = await drive(SECONDS);
      await sleep(2_000);
      const cpu = process.cpuUsage(cpu0);
      const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - t0);
      const samples = await collect();
      results[mode] = {
        stats: stats(samples),
        expected: run.expected,
        joinMs,
        rate: run.achievedRate,
        cpu: cpuShare,
      };
      await Promise.all(workers.map((w) => w.ask({ type: 'leave' })));
      for (const ch of verifierChannels.splice(0)) await ch.unsubscribe();
    }

    const line = (name: string, r: (typeof results)[string]) =>
      `${name.padEnd(26)} ${String(r.stats.n).padStart(7)} / ${String(r.expected).padEnd(7)} ${ms(r.stats.p50).padStart(9)} ${ms(r.stats.p95).padStart(9)} ${ms(r.stats.p99).padStart(9)} ${ms(r.stats.max).padStart(9)}   ${(r.cpu * 100).toFixed(0)}%`;
    console.log('');
    console.log(
      `realtime: ${SUBSCRIBERS} subscribers, ${TOPICS} private topics, ${RATE} changes/s for ${SECONDS} s (${results.broadcast.rate.toFixed(1)} / ${results.pg.rate.toFixed(1)} achieved)`,
    );
    console.log(`${'path'.padEnd(26)} received / expected       p50       p95       p99       max   CPU*`);
    console.log(line('broadcast from database', results.broadcast));
    console.log(line('postgres_changes (RLS)', results.pg));
    const b = results.broadcast.stats;
    const p = results.pg.stats;
    console.log(
      `ratio postgres_changes / broadcast: p50 ×${(p.p50 / b.p50).toFixed(2)}, p95 ×${(p.p95 / b.p95).toFixed(2)}, p99 ×${(p.p99 / b.p99).toFixed(2)}`,
    );
    console.log(
      `targets (broadcast): p95 ≤ 150 ms ${b.p95 <= 150 ? 'met' : 'MISSED'}, p99 ≤ 400 ms ${b.p99 <= 400 ? 'met' : 'MISSED'}; losses: broadcast ${results.broadcast.expected - b.n}, postgres_changes ${results.pg.expected - p.n}`,
    );
    const vb = stats(verified.broadcast);
    const vp = stats(verified.pg);
    console.log(
      `supabase-js check (${verifiers.length} clients, community 0): broadcast ${vb.n} received, p50 ${ms(vb.p50)}; postgres_changes ${vp.n} received, p50 ${ms(vp.p50)}`,
    );
    console.log('* CPU of this process (gateway, services, load generator) as a share of one core');
    console.log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await Promise.all(verifiers.map((c) => c.removeAllChannels().catch(() => {})));
    for (const w of workers) w.child.send({ type: 'stop' } satisfies ToWorker);
    await services?.close().catch((err) => console.error('closing services failed', err));
    await load?.end().catch(() => {});
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
