import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { setLogLevel } from '../../platform/src/log';
import { prepareDatabase } from '../../platform/src/migrate';
import { startPostgres } from '../../platform/src/postgres';

export const TEMPLATE_DB = 'wuye_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    templateDb: string;
  }
}

/**
 * One PostgreSQL cluster for the whole integration run (its own data folder and port, so a
 * running `npm run dev` is not touched) with a template database holding the Supabase base
 * and every migration. Test files clone it, so each starts from a fresh database.
 */
export default async function setup(project: TestProject) {
  setLogLevel('warn');
  const port = Number(process.env.TEST_DB_PORT ?? 55432);
  const server = await startPostgres({ dataDir: path.resolve('.data/test/postgres'), port });
  const adminUrl = server.url('postgres');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const stale = await admin.query<{ datname: string }>(`select datname from pg_database where datname like 't\\_%'`);
  for (const row of stale.rows) await admin.query(`drop database if exists "${row.datname}" with (force)`);
  await admin.query(`drop database if exists ${TEMPLATE_DB} with (force)`);
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();
  await prepareDatabase(server.url(TEMPLATE_DB), { seed: false });
  project.provide('pgAdminUrl', adminUrl);
  project.provide('templateDb', TEMPLATE_DB);
  return async () => {
    await server.stop();
  };
}
