import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../platform/src/migrate';
import { createFunctionsService } from '../../../platform/src/services/functions/service';
import { createSchedulerService } from '../../../platform/src/services/scheduler/service';
import { createUser, type TestUser } from '../../../tests/rls/support/world';
import { startTestPlatform, type TestPlatform } from '../../../tests/support/platform';
import { type PushFake, startPushFake } from '../../../tests/support/push-fake';
import { generateVapidKeys } from './channels/web-push';

/**
 * Delivery end to end: private.notify → pg_net wake-up → the real notify-dispatch Edge Function
 * (Deno) → Web Push to a local push service that verifies VAPID and decrypts the payload, and
 * SMS / e-mail into the local outbox.
 */

let platform: TestPlatform;
let push: PushFake;
let alice: TestUser;
const workDir = path.join(PROJECT_ROOT, '.data', 'test', `push-${process.pid}`);

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const deliveries = async (eventKey: string) =>
  (
    await platform.sql.query<{
      channel: string;
      status: string;
      last_error: string | null;
      attempts: number;
    }>(
      `select channel, status, last_error, attempts from public.notification_deliveries
        where event_key = $1 order by channel`,
      [eventKey],
    )
  ).rows;

const settled = (rows: { status: string }[]) =>
  rows.length > 0 && rows.every((r) => !['pending', 'sending'].includes(r.status));

beforeAll(async () => {
  push = await startPushFake({ dir: workDir });
  const envFile = path.join(workDir, 'functions.env');
  // Deno trusts the fake push service's CA (web-push speaks https only).
  fs.writeFileSync(envFile, `DENO_CERT=${push.caFile}\nAPP_PUBLIC_URL=https://wuye.example.com\n`);
  platform = await startTestPlatform({
    factories: [
      (c) =>
        createFunctionsService(c, {
          configFile: path.join(PROJECT_ROOT, 'supabase', 'config.toml'),
          functionsDir: path.join(PROJECT_ROOT, 'edge-functions'),
          envFile,
          projectRoot: PROJECT_ROOT,
          watch: false,
        }),
      (c) => createSchedulerService(c),
    ],
  });
  const keys = generateVapidKeys();
  await platform.sql.query(`select private.ensure_vapid_keys($1, $2, 'mailto:ops@wuye.example.com')`, [
    keys.publicKey,
    keys.privateKey,
  ]);
  alice = await createUser(platform.sql, { name: 'alice' });
  await platform.sql.query(
    `update auth.users set email = 'alice@example.com', email_confirmed_at = now() where id = $1`,
    [alice.id],
  );
}, 120_000);

afterAll(async () => {
  await platform?.close();
  await push?.close();
  fs.rmSync(workDir, { recursive: true, force: true });
});

async function subscribeAlice() {
  const sub = push.subscribe();
  const client = await platform.sql.connect();
  try {
    await client.query('begin');
    await client.query(
      `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
      [JSON.stringify(alice.claims)],
    );
    await client.query('select private.save_push_subscription($1, $2, $3, $4)', [
      sub.endpoint,
      sub.keys.p256dh,
      sub.keys.auth,
      'Chrome on test',
    ]);
    await client.query('commit');
  } finally {
    client.release();
  }
  return sub;
}

describe('notify-dispatch', () => {
  it('sends an emergency by Web Push (VAPID checked, aes128gcm decrypted) and SMS, right after the send', async () => {
    const sub = await subscribeAlice();
    await platform.sql.query(
      `select private.notify('test:emergency:1', $1::uuid[], 'notices', '紧急停水通知', '今天 14:00 起停水两小时',
         '/notices/x1', 'emergency')`,
      [[alice.id]],
    );
    const [message] = await push.waitFor(1);
    expect(message.subscriptionId).toBe(sub.id);
    expect(JSON.parse(message.payload)).toMatchObject({
      title: '紧急停水通知',
      body: '今天 14:00 起停水两小时',
      link: '/notices/x1',
      priority: 'emergency',
      category: 'notices',
    });
    expect(message.urgency).toBe('high');
    expect(message.claims.aud).toBe(push.url);
    expect(message.claims.sub).toBe('mailto:ops@wuye.example.com');
    const rows = await waitFor(() => deliveries('test:emergency:1'), settled);
    expect(rows.map((r) => [r.channel, r.status])).toEqual([
      ['push', 'sent'],
      ['sms', 'sent'],
    ]);
    const sms = await platform.sql.query<{ body: string }>(
      `select body from _local_platform.auth_outbox where recipient = $1 and channel = 'sms'`,
      [alice.phone],
    );
    expect(sms.rows.map((r) => r.body)).toEqual([
      '【物业云】紧急停水通知：今天 14:00 起停水两小时 https://wuye.example.com/notices/x1',
    ]);
    const stamped = await platform.sql.query(
      'select failure_count, last_success_at is not null as ok from public.push_subscriptions where endpoint = $1',
      [sub.endpoint],
    );
    expect(stamped.rows).toEqual([{ failure_count: 0, ok: true }]);
  });

  it('is idempotent per event: sending the same event again delivers nothing more', async () => {
    const before = push.received.length;
    const again = await platform.sql.query(
      `select private.notify('test:emergency:1', $1::uuid[], 'notices', '紧急停水通知', '重复', '/notices/x1', 'emergency') as n`,
      [[alice.id]],
    );
    expect(again.rows[0].n).toBe(0);
    await platform.sql.query(`select private.wake_notify_dispatch()`);
    await new Promise((r) => setTimeout(r, 1500));
    expect(push.received.length).toBe(before);
    expect((await deliveries('test:emergency:1')).length).toBe(2);
  });

  it('follows preferences: e-mail when turned on, no push when turned off', async () => {
    await platform.sql.query(
      `insert into public.notification_preferences (user_id, category, channel, enabled)
       values ($1, 'bills', 'email', true), ($1, 'bills', 'push', false)`,
      [alice.id],
    );
    await platform.sql.query(
      `select private.notify('test:bill:1', $1::uuid[], 'bills', '本月物业费账单已生成', '应缴 ¥320.00，请于 12 月 15 日前缴纳', '/bills')`,
      [[alice.id]],
    );
    const rows = await waitFor(() => deliveries('test:bill:1'), settled);
    expect(rows.map((r) => [r.channel, r.status])).toEqual([['email', 'sent']]);
    const mail = await platform.sql.query<{ subject: string; body: string; html: string }>(
      `select subject, body, html from _local_platform.auth_outbox where recipient = 'alice@example.com'`,
    );
    expect(mail.rows[0].subject).toBe('【物业云】本月物业费账单已生成');
    expect(mail.rows[0].body).toContain('https://wuye.example.com/bills');
    expect(mail.rows[0].html).toContain('应缴 ¥320.00');
  });

  it('deletes a subscription the push service reports gone and skips the delivery', async () => {
    await platform.sql.query('delete from public.push_subscriptions where user_id = $1', [alice.id]);
    const sub = await subscribeAlice();
    push.markGone(sub.id);
    await platform.sql.query(
      `select private.notify('test:repair:1', $1::uuid[], 'repairs', '报修已完成', '请评价本次维修', '/repairs/r1')`,
      [[alice.id]],
    );
    const rows = await waitFor(() => deliveries('test:repair:1'), settled);
    expect(rows).toMatchObject([
      { channel: 'push', status: 'skipped', last_error: 'every push device is gone' },
    ]);
    expect(push.rejected.at(-1)).toMatchObject({ subscriptionId: sub.id, status: 410 });
    const left = await platform.sql.query(
      'select count(*)::int as n from public.push_subscriptions where user_id = $1',
      [alice.id],
    );
    expect(left.rows[0].n).toBe(0);
  });

  it('skips SMS for a person without a verified phone and push for one without a device', async () => {
    const bob = await createUser(platform.sql, { name: 'bob' });
    await platform.sql.query('update auth.users set phone = null, phone_confirmed_at = null where id = $1', [
      bob.id,
    ]);
    await platform.sql.query(
      `select private.notify('test:important:1', $1::uuid[], 'notices', '电梯检修', '3 号楼电梯周六检修', null, 'important')`,
      [[bob.id]],
    );
    const rows = await waitFor(() => deliveries('test:important:1'), settled);
    expect(rows).toMatchObject([
      { channel: 'push', status: 'skipped', last_error: 'no push device' },
      { channel: 'sms', status: 'skipped', last_error: 'no verified phone' },
    ]);
  });
});
