/**
 * `npm run bench -- storage`: upload and download throughput of the local Storage service
 * through the real supabase-js client, for many 1 MB files and for 100 MB files, next to
 * a plain `fs.copyFile` of the same bytes on the same disk in the same run (and a copy
 * followed by fdatasync, since an upload is made durable before it is acknowledged).
 *
 * Starts its own PostgreSQL (.data/bench-storage, port 55542) and, in a child process as in
 * the platform, a gateway with only the Storage service on a random loopback port; uploads as
 * a signed-in user whose writes go through storage policies (RLS); removes the whole folder
 * at the end.
 * Settings: BENCH_SMALL_FILES (default 200), BENCH_LARGE_FILES (3), BENCH_CONCURRENCY (4).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { signAccessToken } from '../platform/src/jwt';
import { generateKeys } from '../platform/src/keys';
import { setLogLevel } from '../platform/src/log';
import { prepareDatabase } from '../platform/src/migrate';
import { startPostgres } from '../platform/src/postgres';
import type { FromServer, ToServer } from './storage/server';

const SMALL_FILES = Number(process.env.BENCH_SMALL_FILES ?? 200);
const LARGE_FILES = Number(process.env.BENCH_LARGE_FILES ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const PG_PORT = 55542;
const DB = 'storage_bench';
const MB = 1024 * 1024;
const SMALL = MB;
const LARGE = 100 * MB;

const dataDir = path.resolve('.data/bench-storage');
const here = path.dirname(fileURLToPath(import.meta.url));

function ask(child: ChildProcess, message: ToServer): Promise<FromServer> {
  return new Promise((resolve, reject) => {
    child.once('message', (m: FromServer) => ('error' in m ? reject(new Error(m.error)) : resolve(m)));
    child.once('exit', (code) => reject(new Error(`storage server exited with ${code}`)));
    child.send(message);
  });
}

function payload(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed || 1;
  for (let i = 0; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  return out;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Runs `count` tasks, `concurrency` at a time; returns elapsed seconds. */
async function timed(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return (performance.now() - t0) / 1000;
}

type Row = { case: string; files: number; size: string; seconds: number; mbps: number };
const rows: Row[] = [];
function record(label: string, files: number, size: number, seconds: number) {
  const mbps = (files * size) / MB / seconds;
  rows.push({ case: label, files, size: `${size / MB} MB`, seconds, mbps });
  return mbps;
}

async function baselines(scratch: string, size: number, files: number, label: string) {
  const src = path.join(scratch, `src-${label}`);
  fs.writeFileSync(src, payload(size, 99));
  const copy = await timed(files, 1, async (i) => {
    await fs.promises.copyFile(src, path.join(scratch, `copy-${label}-${i}`));
  });
  const copyMbps = record(`fs.copyFile (${label})`, files, size, copy);
  const synced = await timed(files, 1, async (i) => {
    const dest = path.join(scratch, `sync-${label}-${i}`);
    await fs.promises.copyFile(src, dest);
    const h = await fs.promises.open(dest, 'r+');
    await h.datasync();
    await h.close();
  });
  record(`fs.copyFile + fdatasync (${label})`, files, size, synced);
  for (const f of fs.readdirSync(scratch)) fs.rmSync(path.join(scratch, f));
  return copyMbps;
}

async function storageRuns(
  client: SupabaseClient,
  user: string,
  size: number,
  files: number,
  label: string,
  concurrency: number,
) {
  const bucket = client.storage.from('bench');
  const body = payload(size, 7);
  const digest = sha(body);
  const key = (i: number) => `${user}/${label}/${i}.bin`;
  const up = await timed(files, concurrency, async (i) => {
    const { error } = await bucket.upload(key(i), body, { contentType: 'application/octet-stream' });
    if (error) throw error;
  });
  const upMbps = record(`supabase-js upload (${label}, ${concurrency} in flight)`, files, size, up);
  const down = await timed(files, concurrency, async (i) => {
    const { data, error } = await bucket.download(key(i));
    if (error) throw error;
    const bytes = Buffer.from(await data.arrayBuffer());
    if (bytes.length !== size || (i === 0 && sha(bytes) !== digest))
      throw new Error('downloaded bytes differ');
  });
  const downMbps = record(`supabase-js download (${label}, ${concurrency} in flight)`, files, size, down);
  let streamMbps: number | undefined;
  if (size >= LARGE) {
    // download().asStream(): the same request without assembling a Blob in the client.
    const streamed = await timed(files, concurrency, async (i) => {
      const { data, error } = await bucket.download(key(i)).asStream();
      if (error) throw error;
      let received = 0;
      const reader = data.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.length;
      }
      if (received !== size) throw new Error('downloaded bytes differ');
    });
    streamMbps = record(`supabase-js download().asStream() (${label})`, files, size, streamed);
  }
  const { error } = await bucket.remove(Array.from({ length: files }, (_, i) => key(i)));
  if (error) throw error;
  return { upMbps, downMbps, streamMbps };
}

async function main() {
  setLogLevel('warn');
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const postgres = await startPostgres({ dataDir: path.join(dataDir, 'postgres'), port: PG_PORT });
  let server: ChildProcess | undefined;
  try {
    const admin = new pg.Client({ connectionString: postgres.url() });
    await admin.connect();
    await admin.query(`drop database if exists ${DB} with (force)`);
    await admin.query(`create database ${DB}`);
    await admin.end();
    const databaseUrl = postgres.url(DB);
    await prepareDatabase(databaseUrl, { seed: false });
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query(`
      insert into storage.buckets (id, name, public) values ('bench', 'bench', false);
      create policy "bench users write their folder" on storage.objects for insert to authenticated
        with check (bucket_id = 'bench' and (storage.foldername(name))[1] = (select auth.uid())::text);
      create policy "bench users read their folder" on storage.objects for select to authenticated
        using (bucket_id = 'bench' and (storage.foldername(name))[1] = (select auth.uid())::text);
      create policy "bench users delete their folder" on storage.objects for delete to authenticated
        using (bucket_id = 'bench' and (storage.foldername(name))[1] = (select auth.uid())::text);
    `);
    await db.end();

    const keys = await generateKeys();
    server = fork(path.join(here, 'storage', 'server.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const started = await ask(server, {
      start: { keys, databaseUrl, dataDir: path.join(dataDir, 'platform') },
    });
    if (!('url' in started)) throw new Error('storage server did not start');
    const user = randomUUID();
    const token = await signAccessToken(
      keys,
      { sub: user, role: 'authenticated', aud: 'authenticated' },
      3600,
    );
    const client = createClient(started.url, keys.publishableKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
      global: { headers: { Authorization: `Bearer ${token}` } },
    });

    // Same disk as the platform's data folder.
    const scratch = path.join(dataDir, 'platform', 'baseline');
    fs.mkdirSync(scratch, { recursive: true });

    process.stdout.write(
      `storage bench: ${SMALL_FILES} × 1 MB and ${LARGE_FILES} × 100 MB, data folder ${dataDir}\n`,
    );
    const smallCopy = await baselines(scratch, SMALL, SMALL_FILES, '1 MB');
    const smallSeq = await storageRuns(client, user, SMALL, SMALL_FILES, '1 MB', 1);
    const smallPar = await storageRuns(client, user, SMALL, SMALL_FILES, '1 MB', CONCURRENCY);
    const largeCopy = await baselines(scratch, LARGE, LARGE_FILES, '100 MB');
    const large = await storageRuns(client, user, LARGE, LARGE_FILES, '100 MB', 1);

    const width = Math.max(...rows.map((r) => r.case.length));
    process.stdout.write(`\n${'case'.padEnd(width)}  files   size     seconds    MB/s\n`);
    for (const r of rows) {
      process.stdout.write(
        `${r.case.padEnd(width)}  ${String(r.files).padStart(5)}  ${r.size.padStart(6)}  ${r.seconds.toFixed(2).padStart(8)}  ${r.mbps.toFixed(1).padStart(7)}\n`,
      );
    }
    const ratio = (v: number, base: number) => `${((v / base) * 100).toFixed(1)}% of fs.copyFile`;
    process.stdout.write('\nratios (same run, same disk):\n');
    process.stdout.write(`  1 MB upload,   1 in flight: ${ratio(smallSeq.upMbps, smallCopy)}\n`);
    process.stdout.write(`  1 MB download, 1 in flight: ${ratio(smallSeq.downMbps, smallCopy)}\n`);
    process.stdout.write(`  1 MB upload,   ${CONCURRENCY} in flight: ${ratio(smallPar.upMbps, smallCopy)}\n`);
    process.stdout.write(
      `  1 MB download, ${CONCURRENCY} in flight: ${ratio(smallPar.downMbps, smallCopy)}\n`,
    );
    process.stdout.write(`  100 MB upload:   ${ratio(large.upMbps, largeCopy)}\n`);
    process.stdout.write(`  100 MB download: ${ratio(large.downMbps, largeCopy)}\n`);
    if (large.streamMbps)
      process.stdout.write(`  100 MB download as a stream: ${ratio(large.streamMbps, largeCopy)}\n`);
  } finally {
    if (server?.connected) await ask(server, { stop: true }).catch(() => server?.kill());
    await postgres.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
