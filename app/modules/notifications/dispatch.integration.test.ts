import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type Db } from '~/lib/db.server';
import { createUser, type TestUser } from '../../../tests/rls/support/world';
import { createTestDatabase } from '../../../tests/support/platform';
import type { NotificationChannel, OutgoingMessage, Queryable, SendResult } from './channel';
import { type DispatchDeps, dispatchDue, retryDelaySeconds } from './dispatch';

/**
 * The dispatcher's queue semantics against the real schema, with scripted channels: retries
 * with back-off, the dead-letter state, leases of crashed runs, quiet hours and parallel runs.
 */

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: pg.Pool;
let db: Db;
let user: TestUser;

type Script = (m: OutgoingMessage) => SendResult;
function scriptedSms(script: Script) {
  const sent: OutgoingMessage[] = [];
  const channel: NotificationChannel = {
    kind: 'sms',
    provider: 'scripted',
    send: async (m) => {
      sent.push(m);
      return script(m);
    },
  };
  return { channel, sent };
}

function deps(sms: NotificationChannel, extra: Partial<DispatchDeps> = {}): DispatchDeps {
  return {
    withDb: (fn) =>
      db.withServiceRoleDangerously('notify-dispatch test', (tx) => fn(tx as unknown as Queryable)),
    sms,
    email: null,
    push: null,
    appUrl: null,
    ...extra,
  };
}

const state = async (eventKey: string) =>
  (
    await sql.query<{ status: string; attempts: number; due_in: number; last_error: string | null }>(
      `select status, attempts, round(extract(epoch from next_attempt_at - now()))::int as due_in, last_error
         from public.notification_deliveries where event_key = $1 and channel = 'sms'`,
      [eventKey],
    )
  ).rows[0];

const notify = (eventKey: string, priority = 'important', userId = user.id) =>
  sql.query(
    `select private.notify($1, $2::uuid[], 'notices', '停电通知', '明晚 22:00 检修线路', null, $3::public.notification_priority, null, null, '{}', '{sms}')`,
    [eventKey, [userId], priority],
  );

const makeDue = (eventKey: string) =>
  sql.query(`update public.notification_deliveries set next_attempt_at = now() where event_key = $1`, [
    eventKey,
  ]);

beforeAll(async () => {
  database = await createTestDatabase();
  sql = new pg.Pool({ connectionString: database.url, max: 4 });
  db = createDb(database.url, { max: 6 });
  user = await createUser(sql, { name: 'dispatch' });
});
afterAll(async () => {
  await db?.close();
  await sql?.end();
  await database?.drop();
});
beforeEach(async () => {
  await sql.query('delete from public.notification_settings');
  await sql.query('delete from public.notifications');
});

describe('dispatchDue', () => {
  it('retries a failing provider with back-off and gives up as dead after the last attempt', async () => {
    const { channel, sent } = scriptedSms(() => ({ ok: false, error: 'Throttling: busy', retryable: true }));
    await notify('t:retry');
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(await dispatchDue(deps(channel))).toMatchObject({ claimed: 1, failed: 1 });
      const s = await state('t:retry');
      expect(s).toMatchObject({ status: 'failed', attempts: attempt, last_error: 'Throttling: busy' });
      expect(Math.abs(s.due_in - retryDelaySeconds(attempt))).toBeLessThanOrEqual(2);
      // Not due yet: a run now does nothing.
      expect((await dispatchDue(deps(channel))).claimed).toBe(0);
      await makeDue('t:retry');
    }
    expect(await dispatchDue(deps(channel))).toMatchObject({ claimed: 1, dead: 1 });
    expect(await state('t:retry')).toMatchObject({ status: 'dead', attempts: 5 });
    expect(sent).toHaveLength(5);
    expect(sent[0]).toMatchObject({
      to: user.phone,
      templateParams: { title: '停电通知', body: '明晚 22:00 检修线路' },
    });
  });

  it('marks a permanent refusal dead at once', async () => {
    const { channel } = scriptedSms(() => ({
      ok: false,
      error: 'isv.MOBILE_NUMBER_ILLEGAL',
      retryable: false,
    }));
    await notify('t:permanent');
    expect(await dispatchDue(deps(channel))).toMatchObject({ dead: 1 });
    expect(await state('t:permanent')).toMatchObject({ status: 'dead', attempts: 1 });
  });

  it('takes over the deliveries of a run that died once their lease ends', async () => {
    await notify('t:lease');
    // A run leased it and crashed before recording anything.
    await sql.query('select * from private.claim_notification_deliveries(10)');
    expect(await state('t:lease')).toMatchObject({ status: 'sending', attempts: 1 });
    const { channel, sent } = scriptedSms(() => ({ ok: true, messageId: 'm1' }));
    expect((await dispatchDue(deps(channel))).claimed).toBe(0);
    await makeDue('t:lease');
    expect(await dispatchDue(deps(channel))).toMatchObject({ claimed: 1, sent: 1 });
    expect(await state('t:lease')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sent).toHaveLength(1);
  });

  it('holds non-emergency messages during quiet hours, but not emergencies', async () => {
    // Quiet from a minute ago until a minute before that (tomorrow): "now" is inside, whatever the time.
    const now = new Date();
    const hhmm = (d: Date) => d.toISOString().slice(11, 16);
    await sql.query(
      `insert into public.notification_settings (user_id, quiet_hours_enabled, quiet_start, quiet_end, time_zone)
       values ($1, true, $2::time, $3::time, 'UTC')`,
      [user.id, hhmm(new Date(now.getTime() - 60_000)), hhmm(new Date(now.getTime() - 120_000))],
    );
    await notify('t:quiet', 'important');
    await notify('t:quiet-emergency', 'emergency');
    const held = await state('t:quiet');
    expect(held.status).toBe('pending');
    expect(held.due_in).toBeGreaterThan(23 * 3600 - 180);
    const { channel, sent } = scriptedSms(() => ({ ok: true, messageId: 'm2' }));
    expect(await dispatchDue(deps(channel))).toMatchObject({ claimed: 1, sent: 1 });
    expect(sent.map((m) => m.templateParams.title)).toEqual(['停电通知']);
    expect(await state('t:quiet-emergency')).toMatchObject({ status: 'sent' });
  });

  it('never sends a delivery twice when runs overlap', async () => {
    const users = await Promise.all(Array.from({ length: 30 }, (_, i) => createUser(sql, { name: `p${i}` })));
    await sql.query(
      `select private.notify('t:parallel', $1::uuid[], 'notices', '消防演练', '周五上午', null, 'important', null, null, '{}', '{sms}')`,
      [users.map((u) => u.id)],
    );
    const { channel, sent } = scriptedSms(() => ({ ok: true, messageId: 'x' }));
    const slow: NotificationChannel = {
      ...channel,
      send: async (m) => {
        await new Promise((r) => setTimeout(r, 5));
        return channel.send(m);
      },
    };
    const runs = await Promise.all(
      [1, 2, 3].map(() => dispatchDue(deps(slow, { batchSize: 7, concurrency: 2 }))),
    );
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(30);
    expect(new Set(sent.map((m) => m.deliveryId)).size).toBe(30);
    expect(sent).toHaveLength(30);
  });
});
