import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JwtClaims } from '~/lib/db.server';
import {
  createBuilding,
  createCommunity,
  createCompany,
  createOccupancy,
  createStaff,
  createUnit,
  createUser,
} from '../../../tests/rls/support/world';
import { startTestPlatform, type TestPlatform } from '../../../tests/support/platform';

/**
 * Scheduled publishing: the pg_cron job `notices-publish-due` (run by the platform's scheduler)
 * publishes a notice once when its time comes, notifies its audience once, and never again —
 * also when runs overlap.
 */

let platform: TestPlatform;
let manager: JwtClaims;
let communityId: string;
let companyId: string;
const residents: string[] = [];

async function asManager<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await platform.sql.connect();
  try {
    await c.query('begin');
    await c.query(
      `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
      [JSON.stringify(manager)],
    );
    const result = await fn(c);
    await c.query('commit');
    return result;
  } catch (err) {
    await c.query('rollback');
    throw err;
  } finally {
    c.release();
  }
}

async function draft(title: string): Promise<string> {
  const { rows } = await platform.sql.query<{ id: string }>(
    `insert into public.notices (company_id, community_id, title, body_html, body_text)
     values ($1, $2, $3, '<p>周六上午 9 点在中心广场集合</p>', '周六上午 9 点在中心广场集合') returning id`,
    [companyId, communityId, title],
  );
  return rows[0].id;
}

const state = async (id: string) =>
  (
    await platform.sql.query<{ status: string; published_at: string | null; notified: number }>(
      `select n.status, n.published_at::text,
              (select count(*)::int from public.notifications x where x.event_key = 'notice:' || n.id::text) as notified
         from public.notices n where n.id = $1`,
      [id],
    )
  ).rows[0];

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  platform = await startTestPlatform();
  // pg_cron binds a job to the database it was scheduled in: the migrations ran in the template,
  // so point this clone's copy of the job at the clone (as if the migration had run here).
  await platform.sql.query(
    `update cron.job set database = current_database() where jobname = 'notices-publish-due'`,
  );
  const company = await createCompany(platform.sql, '定时发布测试物业');
  companyId = company.id;
  communityId = await createCommunity(platform.sql, company.id, '桂花园');
  const building = await createBuilding(platform.sql, company.id, communityId, '1栋');
  for (let i = 1; i <= 3; i++) {
    const unit = await createUnit(platform.sql, { companyId, communityId, buildingId: building }, `10${i}`);
    const user = await createUser(platform.sql, { name: `r${i}` });
    await createOccupancy(platform.sql, unit, { userId: user.id, relation: 'owner', name: `住户${i}` });
    residents.push(user.id);
  }
  const m = await createUser(platform.sql, { name: 'manager' });
  await createStaff(platform.sql, company.id, m.id, [
    { roleId: company.roles.community_manager, communityId },
  ]);
  manager = m.claims;
}, 60_000);

afterAll(async () => {
  await platform?.close();
});

describe('scheduled publish', () => {
  it('is published by the scheduler when its time comes, once', async () => {
    const id = await draft('周六社区义诊');
    await asManager((c) => c.query(`select private.schedule_notice($1, now() + interval '2 seconds')`, [id]));
    expect(await state(id)).toMatchObject({ status: 'scheduled', published_at: null, notified: 0 });

    const published = await waitFor(
      () => state(id),
      (s) => s.status === 'published',
      25_000,
    );
    expect(published).toMatchObject({ status: 'published', notified: residents.length });
    const runsBefore = await platform.sql.query<{ n: number }>(
      `select count(*)::int as n from cron.job_run_details d join cron.job j using (jobid)
        where j.jobname = 'notices-publish-due' and d.status = 'succeeded'`,
    );
    expect(runsBefore.rows[0].n).toBeGreaterThan(0);

    // The next run of the job finds nothing to do: no second publish, no second notification.
    await waitFor(
      async () =>
        (
          await platform.sql.query<{ n: number }>(
            `select count(*)::int as n from cron.job_run_details d join cron.job j using (jobid)
              where j.jobname = 'notices-publish-due' and d.status = 'succeeded'`,
          )
        ).rows[0].n,
      (n) => n > runsBefore.rows[0].n,
      25_000,
    );
    expect(await state(id)).toEqual(published);
  }, 70_000);

  it('never publishes twice when runs overlap', async () => {
    const ids = [await draft('停车场划线施工'), await draft('垃圾分类宣传周')];
    for (const id of ids) {
      await asManager((c) => c.query(`select private.schedule_notice($1, now() + interval '1 hour')`, [id]));
    }
    // Their time has come (as if the scheduler had been down): three runs at once.
    await platform.sql.query(
      `update public.notices set publish_at = now() - interval '1 minute' where id = any ($1)`,
      [ids],
    );
    const runs = await Promise.all(
      [1, 2, 3].map(() => platform.sql.query<{ n: number }>('select private.publish_due_notices() as n')),
    );
    expect(runs.reduce((sum, r) => sum + r.rows[0].n, 0)).toBe(2);
    for (const id of ids)
      expect(await state(id)).toMatchObject({ status: 'published', notified: residents.length });
  });

  it('cannot be scheduled in the past or by staff without notice.publish', async () => {
    const id = await draft('测试');
    await expect(
      asManager((c) => c.query(`select private.schedule_notice($1, now() - interval '1 minute')`, [id])),
    ).rejects.toThrow('notices.schedule_in_past');
    const outsider = await createUser(platform.sql, { name: 'outsider' });
    const c = await platform.sql.connect();
    try {
      await c.query('begin');
      await c.query(
        `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
        [JSON.stringify(outsider.claims)],
      );
      await expect(
        c.query(`select private.schedule_notice($1, now() + interval '1 hour')`, [id]),
      ).rejects.toThrow('notices.forbidden');
    } finally {
      await c.query('rollback');
      c.release();
    }
  });
});
