import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../../tests/support/platform';
import type { ServiceContext } from '../../gateway';
import { PROJECT_ROOT } from '../../migrate';
import { createFunctionsService } from '../functions/service';
import { createSchedulerService, type SchedulerService } from './service';

const FIXTURES = path.join(PROJECT_ROOT, 'platform', 'src', 'services', 'functions', '__fixtures__');

/**
 * What an app migration for a scheduled function looks like; the same SQL runs on hosted
 * Supabase (see docs/functions.md). Here it is test-only: the job calls the job-sink fixture.
 */
const SCHEDULE_MIGRATION = `
  create extension if not exists pg_cron with schema pg_catalog;
  create extension if not exists pg_net;

  create table public.fixture_job_calls (
    id bigint generated always as identity primary key,
    body jsonb not null,
    db_role text not null,
    jwt_role text,
    created_at timestamptz not null default now()
  );
  grant insert, select on public.fixture_job_calls to service_role;

  select cron.schedule(
    'nightly-fixture',
    '0 1 * * *',
    $job$
      select net.http_post(
        url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url') || '/functions/v1/job-sink',
        headers := jsonb_build_object(
          'Content-Type', 'application/json',
          'apikey', (select decrypted_secret from vault.decrypted_secrets where name = 'secret_key')
        ),
        body := jsonb_build_object('job', 'nightly-fixture')
      );
    $job$
  );
`;

let platform: TestPlatform;
let ctx: ServiceContext;
let first: SchedulerService;
const extra: SchedulerService[] = [];

/** Starts another scheduler on the test database, as a platform (re)start does. */
async function startScheduler(): Promise<SchedulerService> {
  const s = await createSchedulerService(ctx);
  extra.push(s);
  await s.ready();
  return s;
}

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const count = async (sql: string) => Number((await platform.sql.query(sql)).rows[0].n);

beforeAll(async () => {
  platform = await startTestPlatform({
    factories: [
      (c) =>
        createFunctionsService(c, {
          configFile: path.join(FIXTURES, 'supabase', 'config.toml'),
          functionsDir: path.join(FIXTURES, 'functions'),
          envFile: path.join(FIXTURES, 'supabase', 'functions.env'),
          projectRoot: PROJECT_ROOT,
          watch: false,
        }),
      async (c) => {
        ctx = c;
        first = await createSchedulerService(c);
        return first;
      },
    ],
  });
  await platform.sql.query(SCHEDULE_MIGRATION);
});

afterAll(async () => {
  for (const s of extra) await s.close();
  await platform?.close();
});

describe('pg_cron and pg_net stand-ins', () => {
  it('seeds the Vault secrets app SQL reads to call functions', async () => {
    const { rows } = await platform.sql.query(
      `select name, decrypted_secret from vault.decrypted_secrets where name in ('project_url', 'secret_key') order by name`,
    );
    expect(rows).toEqual([
      { name: 'project_url', decrypted_secret: platform.url },
      { name: 'secret_key', decrypted_secret: platform.keys.secretKey },
    ]);
  });

  it('validates schedules like pg_cron and keeps jobs in cron.job', async () => {
    await expect(platform.sql.query(`select cron.schedule('bad', '61 * * * *', 'select 1')`)).rejects.toThrow(
      'invalid schedule: 61 * * * *',
    );
    const job = await platform.sql.query(
      `select schedule, username, active, database = current_database() as here from cron.job where jobname = 'nightly-fixture'`,
    );
    expect(job.rows).toEqual([{ schedule: '0 1 * * *', username: 'postgres', active: true, here: true }]);
    // Scheduling the same name again updates the job instead of adding one.
    await platform.sql.query(`select cron.schedule('renamed-check', '*/5 * * * *', 'select 1')`);
    await platform.sql.query(`select cron.schedule('renamed-check', '*/10 * * * *', 'select 2')`);
    expect(
      (await platform.sql.query(`select schedule, command from cron.job where jobname = 'renamed-check'`))
        .rows,
    ).toEqual([{ schedule: '*/10 * * * *', command: 'select 2' }]);
    expect((await platform.sql.query(`select cron.unschedule('renamed-check') as ok`)).rows[0].ok).toBe(true);
    await expect(platform.sql.query(`select cron.unschedule('renamed-check')`)).rejects.toThrow(
      "could not find valid entry for job 'renamed-check'",
    );
  });

  it('does not run a new job before its first slot', async () => {
    await first.refresh();
    await first.scheduler.idle();
    // Only this file's daily job: the app's own migrations schedule frequent jobs that do run.
    expect(
      await count(
        `select count(*) as n from cron.job_run_details d join cron.job j using (jobid) where j.jobname = 'nightly-fixture'`,
      ),
    ).toBe(0);
  });

  it('runs interval jobs by the clock and records each run', async () => {
    await platform.sql.query(
      `create table public.fixture_ticks (at timestamptz not null default clock_timestamp())`,
    );
    await platform.sql.query(
      `select cron.schedule('ticker', '1 seconds', 'insert into public.fixture_ticks default values')`,
    );
    const ticks = await waitFor(
      () => count('select count(*) as n from public.fixture_ticks'),
      (n) => n >= 2,
      5_000,
    );
    await platform.sql.query(`select cron.unschedule('ticker')`);
    expect(ticks).toBeGreaterThanOrEqual(2);
    const runs = await platform.sql.query(
      `select d.status, d.return_message from cron.job_run_details d where d.command like 'insert into public.fixture_ticks%' order by runid limit 1`,
    );
    expect(runs.rows[0]).toEqual({ status: 'succeeded', return_message: 'INSERT 0 1' });
  });

  it('records a failing command as failed with the error', async () => {
    const id = (await platform.sql.query(`select cron.schedule('broken', '1 seconds', 'select 1/0') as id`))
      .rows[0].id;
    const run = await waitFor(
      async () =>
        (
          await platform.sql.query(
            'select status, return_message from cron.job_run_details where jobid = $1 limit 1',
            [id],
          )
        ).rows[0],
      (r) => r?.status === 'failed',
      5_000,
    );
    await platform.sql.query(`select cron.unschedule('broken')`);
    expect(run).toEqual({ status: 'failed', return_message: 'division by zero' });
  });

  it('records a pg_net request that fails to connect', async () => {
    const id = (
      await platform.sql.query(
        `select net.http_get('http://127.0.0.1:9/nothing', timeout_milliseconds := 2000) as id`,
      )
    ).rows[0].id;
    const res = await waitFor(
      async () =>
        (
          await platform.sql.query('select status_code, error_msg from net._http_response where id = $1', [
            id,
          ])
        ).rows[0],
      (r) => r !== undefined,
    );
    expect(res.status_code).toBeNull();
    expect(res.error_msg).toMatch(/^Couldn't connect to server/);
  });
});

describe('a scheduled job calls an Edge Function through net.http_post', () => {
  it('catches up a run missed while the platform was down exactly once, and it reaches the function', async () => {
    // The platform was stopped three days ago: three 01:00 slots were missed.
    await first.close();
    await platform.sql.query(
      `update cron.local_job_state set last_due = now() - interval '3 days'
        where jobid = (select jobid from cron.job where jobname = 'nightly-fixture')`,
    );

    // It starts again: one run for the latest missed slot, even with two schedulers racing.
    const [a, b] = await Promise.all([startScheduler(), startScheduler()]);
    await Promise.all([a.scheduler.idle(), b.scheduler.idle()]);
    const calls = await waitFor(
      async () =>
        (await platform.sql.query('select body, db_role, jwt_role from public.fixture_job_calls')).rows,
      (rows) => rows.length >= 1,
    );
    expect(calls).toEqual([
      { body: { job: 'nightly-fixture' }, db_role: 'service_role', jwt_role: 'service_role' },
    ]);

    const runs = await platform.sql.query(
      `select status, return_message from cron.job_run_details
        where jobid = (select jobid from cron.job where jobname = 'nightly-fixture')`,
    );
    expect(runs.rows).toEqual([{ status: 'succeeded', return_message: 'SELECT 1' }]);
    const response = await waitFor(
      async () =>
        (
          await platform.sql.query(
            `select status_code, content from net._http_response where content like '%nightly-fixture%'`,
          )
        ).rows,
      (rows) => rows.length >= 1,
    );
    expect(response).toHaveLength(1);
    expect(response[0].status_code).toBe(200);
    expect(JSON.parse(response[0].content)).toMatchObject({
      received: { job: 'nightly-fixture' },
      row: { db_role: 'service_role' },
    });

    // Later passes and another restart do not run it again before its next slot.
    await a.refresh();
    await (await startScheduler()).refresh();
    await new Promise((r) => setTimeout(r, 300));
    expect(await count('select count(*) as n from public.fixture_job_calls')).toBe(1);
    expect(
      await count(
        `select count(*) as n from cron.job_run_details where jobid = (select jobid from cron.job where jobname = 'nightly-fixture')`,
      ),
    ).toBe(1);
  });

  it('refuses the job function without the secret key', async () => {
    const res = await fetch(`${platform.url}/functions/v1/job-sink`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', apikey: platform.keys.publishableKey },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 'unauthorized', message: 'A secret API key is required.' });
  });
});
