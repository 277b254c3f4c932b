import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import { inject } from 'vitest';
import type { ServiceFactory } from '../../platform/src/gateway';
import { generateKeys, type PlatformKeys } from '../../platform/src/keys';
import { type ServicesHandle, startServices } from '../../platform/src/platform';

/** A fresh database cloned from the migrated template; dropped by `drop()`. */
export async function createTestDatabase(): Promise<{
  url: string;
  name: string;
  drop: () => Promise<void>;
}> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Two files cloning at the same moment would collide on the template; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${inject('templateDb')}`);
        break;
      } catch (err) {
        if (attempt > 50 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await admin.end();
  }
  const url = adminUrl.replace(/\/[^/]+$/, `/${name}`);
  // pg_cron jobs name the database they run in; a clone's jobs still name the template.
  const clone = new pg.Client({ connectionString: url });
  await clone.connect();
  try {
    await clone.query(`do $$ begin
      if to_regclass('cron.job') is not null then
        update cron.job set database = current_database() where database <> current_database();
      end if;
    end $$`);
  } finally {
    await clone.end();
  }
  return {
    url,
    name,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      // Connections a test has just ended may still be closing; terminating one of those (what
      // `with (force)` does) makes its client emit a FATAL error nobody listens to any more. Give
      // them a moment to go, then force whatever is left.
      for (let i = 0; i < 40; i++) {
        const { rows } = await c.query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [name],
        );
        if (rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** A supabase-js client without a generated schema type. */
export type AnyClient = ReturnType<typeof createClient>;

export type TestPlatform = {
  url: string;
  keys: PlatformKeys;
  databaseUrl: string;
  dataDir: string;
  services: ServicesHandle;
  /** A supabase-js client with the publishable key (like a browser). */
  anonClient: (opts?: Parameters<typeof createClient>[2]) => AnyClient;
  /** A supabase-js client with the secret key (server-side admin). */
  adminClient: () => AnyClient;
  /** A direct connection as the database owner, for arranging and inspecting state. */
  sql: pg.Pool;
  close: () => Promise<void>;
};

export type TestPlatformOptions = {
  /** Services to start instead of the registry's, e.g. one configured with test fixtures. */
  factories?: ServiceFactory[];
};

/** Starts the platform's gateway and services on a random port against a fresh database. */
export async function startTestPlatform(opts: TestPlatformOptions = {}): Promise<TestPlatform> {
  const db = await createTestDatabase();
  const keys = await generateKeys();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wuye-platform-'));
  const services = await startServices({
    keys,
    databaseUrl: db.url,
    dataDir,
    host: '127.0.0.1',
    port: 0,
    local: true,
    factories: opts.factories,
  });
  const url = services.gateway.url;
  const sql = new pg.Pool({ connectionString: db.url, max: 4 });
  const noPersist = { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } };
  return {
    url,
    keys,
    databaseUrl: db.url,
    dataDir,
    services,
    sql,
    anonClient: (opts) => createClient(url, keys.publishableKey, { ...noPersist, ...opts }),
    adminClient: () => createClient(url, keys.secretKey, noPersist),
    async close() {
      await services.close();
      await sql.end();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
