import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createLogger } from './log';

const log = createLogger('migrate');
const here = path.dirname(fileURLToPath(import.meta.url));
export const BASE_SQL_DIR = path.resolve(here, '..', 'sql', 'base');
export const PROJECT_ROOT = path.resolve(here, '..', '..');
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'supabase', 'migrations');
export const SEED_FILE = path.join(PROJECT_ROOT, 'supabase', 'seed.sql');

function sqlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

/** Applies the Supabase base (roles, auth, storage, realtime) when it differs from the recorded one. */
export async function ensureBase(client: pg.Client): Promise<boolean> {
  const files = sqlFiles(BASE_SQL_DIR);
  const texts = files.map((f) => fs.readFileSync(path.join(BASE_SQL_DIR, f), 'utf8'));
  const hash = createHash('sha256').update(texts.join('\n-- file --\n')).digest('hex');
  const recorded = await client
    .query<{ value: string }>(`select value from _local_platform.meta where key = 'base_hash'`)
    .then((r) => r.rows[0]?.value)
    .catch(() => undefined);
  if (recorded === hash) return false;
  log.info('applying the Supabase base schema', { files: files.length });
  await client.query('begin');
  try {
    for (let i = 0; i < files.length; i++) {
      try {
        await client.query(texts[i]);
      } catch (err) {
        throw new Error(`base ${files[i]}: ${(err as Error).message}`);
      }
    }
    await client.query(
      `insert into _local_platform.meta (key, value) values ('base_hash', $1)
       on conflict (key) do update set value = excluded.value, updated_at = now()`,
      [hash],
    );
    await client.query('commit');
  } catch (err) {
    await client.query('rollback');
    throw err;
  }
  return true;
}

export type MigrationFile = { version: string; name: string; file: string };

export function listMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return sqlFiles(dir).map((f) => {
    const m = /^(\d+)_(.+)\.sql$/.exec(f);
    if (!m) throw new Error(`migration file name must be <version>_<name>.sql: ${f}`);
    return { version: m[1], name: m[2], file: path.join(dir, f) };
  });
}

/**
 * Applies `supabase/migrations/*.sql` in version order, each exactly once, in its own
 * transaction, and records it in `supabase_migrations.schema_migrations` the way the
 * Supabase CLI does — so the same history is understood by `supabase db push`.
 */
export async function applyMigrations(client: pg.Client, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = listMigrations(dir);
  // One runner at a time per database, even if two processes start together.
  await client.query(`select pg_advisory_lock(hashtext('supabase_migrations'))`);
  try {
    const done = new Set(
      (
        await client.query<{ version: string }>('select version from supabase_migrations.schema_migrations')
      ).rows.map((r) => r.version),
    );
    const applied: string[] = [];
    for (const m of files) {
      if (done.has(m.version)) continue;
      const sql = fs.readFileSync(m.file, 'utf8');
      const t0 = performance.now();
      await client.query('begin');
      try {
        await client.query(sql);
        await client.query(
          'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)',
          [m.version, m.name, [sql]],
        );
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        const e = err as Error & { position?: string };
        throw new Error(
          `migration ${path.basename(m.file)} failed: ${e.message}${e.position ? ` (at character ${e.position})` : ''}`,
        );
      }
      log.info('applied migration', {
        version: m.version,
        name: m.name,
        ms: Math.round(performance.now() - t0),
      });
      applied.push(m.version);
    }
    return applied;
  } finally {
    await client.query(`select pg_advisory_unlock(hashtext('supabase_migrations'))`);
  }
}

export async function applySeed(client: pg.Client, file = SEED_FILE): Promise<boolean> {
  if (!fs.existsSync(file)) return false;
  const t0 = performance.now();
  await client.query('begin');
  try {
    await client.query(fs.readFileSync(file, 'utf8'));
    await client.query(`insert into _local_platform.meta (key, value) values ('seeded_at', now()::text)
      on conflict (key) do update set value = excluded.value, updated_at = now()`);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback');
    throw new Error(`seed failed: ${(err as Error).message}`);
  }
  log.info('applied seed data', { ms: Math.round(performance.now() - t0) });
  return true;
}

export async function isSeeded(client: pg.Client): Promise<boolean> {
  const r = await client.query(`select 1 from _local_platform.meta where key = 'seeded_at'`);
  return r.rowCount === 1;
}

/** Base, migrations, and the seed the first time: the whole database set-up of one database. */
export async function prepareDatabase(
  databaseUrl: string,
  opts: { seed: boolean },
): Promise<{ applied: string[]; seeded: boolean }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await ensureBase(client);
    const applied = await applyMigrations(client);
    let seeded = false;
    if (opts.seed && !(await isSeeded(client))) seeded = await applySeed(client);
    return { applied, seeded };
  } finally {
    await client.end();
  }
}
