import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPlatform } from '../../../../tests/support/platform';
import { startServices } from '../../platform';
import { authServiceFactory } from './service';
import {
  anonClient,
  authFetch,
  latestOtp,
  outbox,
  startAuthPlatform,
  uniqueEmail,
  uniquePhone,
} from './testing';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startAuthPlatform();
});
afterAll(async () => {
  await platform?.close();
});

function otp(body: Record<string, unknown>, lang?: string) {
  return authFetch(platform, '/otp', {
    method: 'POST',
    body: JSON.stringify(body),
    headers: lang ? { 'Accept-Language': lang } : {},
  });
}

describe('at most one code per phone or e-mail address per minute', () => {
  it('refuses a second SMS within 60 s with over_sms_send_rate_limit (429, zh/en message, Retry-After)', async () => {
    const phone = uniquePhone();
    expect((await otp({ phone })).status).toBe(200);
    const second = await otp({ phone });
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(50);
    const body = await second.json();
    expect(body.code).toBe('over_sms_send_rate_limit');
    expect(body.message).toMatch(
      /^验证码发送过于频繁，请在 \d+ 秒后再试。 For security purposes, you can only request this after \d+ seconds\.$/,
    );
    expect((await outbox(platform, phone)).length).toBe(1);

    const english = await (await otp({ phone }, 'en-US,en;q=0.9')).json();
    expect(english.message).toMatch(/^For security purposes, you can only request this after \d+ seconds\.$/);
    const chinese = await (await otp({ phone }, 'zh-CN,zh;q=0.9,en;q=0.8')).json();
    expect(chinese.message).toMatch(/^验证码发送过于频繁，请在 \d+ 秒后再试。$/);

    const viaClient = await anonClient(platform).auth.signInWithOtp({ phone });
    expect(viaClient.error?.code).toBe('over_sms_send_rate_limit');
    expect(viaClient.error?.status).toBe(429);

    // Once the minute has passed, the next code goes out.
    await platform.sql.query(
      `update _local_platform.auth_send_log set last_sent_at = now() - interval '61 seconds' where recipient = $1`,
      [phone.slice(1)],
    );
    expect((await otp({ phone })).status).toBe(200);
    expect((await outbox(platform, phone)).length).toBe(2);
  });

  it('refuses a second e-mail within 60 s with over_email_send_rate_limit', async () => {
    const email = uniqueEmail();
    expect((await anonClient(platform).auth.signInWithOtp({ email })).error).toBeNull();
    const { error } = await anonClient(platform).auth.resetPasswordForEmail(email);
    expect(error?.code).toBe('over_email_send_rate_limit');
    expect(error?.status).toBe(429);
  });
});

describe('one-time codes', () => {
  it('burns a code after 5 wrong attempts: even the right code then fails', async () => {
    const phone = uniquePhone();
    await otp({ phone });
    const code = await latestOtp(platform, phone);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 4; i++) {
      const r = await anonClient(platform).auth.verifyOtp({ phone, token: wrong, type: 'sms' });
      expect(r.error?.code).toBe('otp_expired');
      expect(r.error?.message).toBe('Token has expired or is invalid');
    }
    const fifth = await anonClient(platform).auth.verifyOtp({ phone, token: wrong, type: 'sms' });
    expect(fifth.error?.code).toBe('otp_expired');
    expect(fifth.error?.message).toContain('验证码错误次数过多');
    const right = await anonClient(platform).auth.verifyOtp({ phone, token: code, type: 'sms' });
    expect(right.error?.code).toBe('otp_expired');
    const rows = await platform.sql.query(
      `select count(*)::int as n from auth.one_time_tokens t join auth.users u on u.id = t.user_id where u.phone = $1`,
      [phone.slice(1)],
    );
    expect(rows.rows[0].n).toBe(0);
  });

  it('lets a code expire after 10 minutes', async () => {
    const phone = uniquePhone();
    await otp({ phone });
    const code = await latestOtp(platform, phone);
    await platform.sql.query(
      `update auth.users set confirmation_sent_at = now() - interval '601 seconds' where phone = $1`,
      [phone.slice(1)],
    );
    const late = await anonClient(platform).auth.verifyOtp({ phone, token: code, type: 'sms' });
    expect(late.error?.code).toBe('otp_expired');
  });

  it('lets an e-mail link expire after 10 minutes as well', async () => {
    const email = uniqueEmail();
    await anonClient(platform).auth.signInWithOtp({ email });
    const code = await latestOtp(platform, email);
    await platform.sql.query(
      `update auth.users set recovery_sent_at = now() - interval '11 minutes' where email = $1`,
      [email],
    );
    const late = await anonClient(platform).auth.verifyOtp({ email, token: code, type: 'email' });
    expect(late.error?.code).toBe('otp_expired');
  });
});

describe('failed password sign-ins', () => {
  it('locks an account for a while after 10 failures in 15 minutes, even for the right password, across restarts', async () => {
    const email = uniqueEmail();
    await anonClient(platform).auth.signUp({ email, password: 'secret-123' });
    for (let i = 1; i <= 9; i++) {
      const r = await anonClient(platform).auth.signInWithPassword({ email, password: `wrong-${i}` });
      expect(r.error?.code).toBe('invalid_credentials');
    }
    const tenth = await authFetch(platform, '/token?grant_type=password', {
      method: 'POST',
      body: JSON.stringify({ email, password: 'wrong-10' }),
      headers: { 'Accept-Language': 'zh-CN' },
    });
    expect(tenth.status).toBe(429);
    expect(Number(tenth.headers.get('retry-after'))).toBe(900);
    expect(await tenth.json()).toEqual({
      code: 'over_request_rate_limit',
      message: '密码错误次数过多，账户已临时锁定，请在 15 分钟后再试，或使用短信验证码登录。',
    });
    const right = await anonClient(platform).auth.signInWithPassword({ email, password: 'secret-123' });
    expect(right.error?.code).toBe('over_request_rate_limit');
    expect(right.error?.status).toBe(429);

    // The counter lives in Postgres: a freshly started Auth service on the same database agrees.
    const other = await startServices({
      keys: platform.keys,
      databaseUrl: platform.databaseUrl,
      dataDir: platform.dataDir,
      host: '127.0.0.1',
      port: 0,
      factories: [authServiceFactory({ env: {}, configFile: null })],
    });
    try {
      const res = await fetch(`${other.gateway.url}/auth/v1/token?grant_type=password`, {
        method: 'POST',
        headers: { apikey: platform.keys.publishableKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ email, password: 'secret-123' }),
      });
      expect(res.status).toBe(429);
    } finally {
      await other.close();
    }

    // When the lock-out is over, the right password works and the count starts again.
    await platform.sql.query(
      `update _local_platform.auth_password_failures set locked_until = now() - interval '1 second',
         window_started_at = now() - interval '16 minutes' where identifier = $1`,
      [`email:${email}`],
    );
    expect(
      (await anonClient(platform).auth.signInWithPassword({ email, password: 'secret-123' })).error,
    ).toBeNull();
    const left = await platform.sql.query(
      `select 1 from _local_platform.auth_password_failures where identifier = $1`,
      [`email:${email}`],
    );
    expect(left.rowCount).toBe(0);
  });

  it('locks unknown addresses the same way, so a lock-out does not reveal whether an account exists', async () => {
    const email = uniqueEmail('nobody');
    let last: Response | undefined;
    for (let i = 1; i <= 10; i++) {
      last = await authFetch(platform, '/token?grant_type=password', {
        method: 'POST',
        body: JSON.stringify({ email, password: `wrong-${i}` }),
      });
    }
    expect(last?.status).toBe(429);
  });
});
