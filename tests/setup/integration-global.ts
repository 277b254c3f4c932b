import fs from 'node:fs';
import net from 'node:net';
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
  // Each run gets its own cluster (folder and port), so two runs at once never stop each other's database.
  const port = process.env.TEST_DB_PORT ? Number(process.env.TEST_DB_PORT) : await freePort();
  const runDir = path.resolve('.data/test', `run-${port}`);
  fs.rmSync(runDir, { recursive: true, force: true });
  const server = await startPostgres({ dataDir: path.join(runDir, 'postgres'), port });
  const adminUrl = server.url('postgres');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE_DB} with (force)`);
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();
  await prepareDatabase(server.url(TEMPLATE_DB), { seed: false });
  project.provide('pgAdminUrl', adminUrl);
  project.provide('templateDb', TEMPLATE_DB);
  return async () => {
    await server.stop();
    fs.rmSync(runDir, { recursive: true, force: true });
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
