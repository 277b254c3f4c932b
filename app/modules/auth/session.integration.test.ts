import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Db } from '~/lib/db.server';
import { createCompany, createStaff, nextPhone } from '../../../tests/rls/support/world';
import {
  type AuthModules,
  appEnvFor,
  CookieJar,
  latestOtp,
  loadAuthModules,
  signedInJar,
  thrown,
} from '../../../tests/support/app-session';
import { startTestPlatform, type TestPlatform } from '../../../tests/support/platform';

/**
 * The server helpers against the real local platform: sessions travel only as the cookies
 * @supabase/ssr writes (a cookie jar plays the browser), claims are verified with getClaims(),
 * and the account comes from Postgres under RLS.
 */

// The app's database handle, pointed at this file's database and closed before it is dropped.
const testDb = vi.hoisted(() => ({ current: null as Db | null }));
vi.mock('~/lib/db.server', async (importOriginal) => {
  const actual = await importOriginal<typeof import('~/lib/db.server')>();
  return { ...actual, withUser: ((...args) => testDb.current!.withUser(...args)) as Db['withUser'] };
});

describe('with the default token lifetime', () => {
  let platform: TestPlatform;
  let m: AuthModules;
  const password = 'abc12345';
  const resident = { phone: `+${nextPhone()}` };
  let staffPhone: string;
  let operatorPhone: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    Object.assign(process.env, appEnvFor(platform));
    const { createDb } = await vi.importActual<typeof import('~/lib/db.server')>('~/lib/db.server');
    testDb.current = createDb(platform.databaseUrl, { max: 4 });
    m = await loadAuthModules();
    const admin = platform.adminClient();
    const created = await admin.auth.admin.createUser({
      phone: resident.phone,
      password,
      phone_confirm: true,
      user_metadata: { full_name: '张伟' },
    });
    expect(created.error).toBeNull();

    staffPhone = `+${nextPhone()}`;
    const staff = await admin.auth.admin.createUser({ phone: staffPhone, password, phone_confirm: true });
    const company = await createCompany(platform.sql, '安居物业服务有限公司');
    await createStaff(platform.sql, company.id, staff.data.user!.id, [
      { roleId: company.roles.front_desk, communityId: null },
    ]);

    operatorPhone = `+${nextPhone()}`;
    await admin.auth.admin.createUser({
      phone: operatorPhone,
      password,
      phone_confirm: true,
      app_metadata: { platform_role: 'admin' },
    });
  });
  afterAll(async () => {
    await testDb.current?.close();
    await platform?.close();
  });

  test('signing in writes the session as @supabase/ssr cookies with no-store cache headers', async () => {
    const { jar, headers } = await signedInJar(m, resident, password);
    expect(jar.authCookieNames()).toEqual([`sb-${new URL(platform.url).hostname.split('.')[0]}-auth-token`]);
    expect(headers.get('Cache-Control')).toMatch(/no-store/);
    const setCookie = headers.getSetCookie()[0];
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/);
  });

  test('the next request knows the user from the cookie alone, without writing cookies', async () => {
    const { jar } = await signedInJar(m, resident, password);
    const { user, headers } = await m.session.getOptionalUser(jar.request('/bills'));
    expect(user).toMatchObject({
      phone: resident.phone.slice(1),
      platformRole: null,
      account: { fullName: '张伟', isStaff: false },
    });
    expect(headers.getSetCookie()).toEqual([]);
    expect(m.session.toViewer(user!)).toEqual({
      id: user!.id,
      name: '张伟',
      maskedPhone: expect.stringMatching(/^139\*{4}\d{4}$/),
      email: null,
      platformRole: null,
      isStaff: false,
    });
  });

  test('getClaims verifies ES256 tokens locally: no /user round trip per request', async () => {
    const { jar } = await signedInJar(m, resident, password);
    const auth = m.supabase.createSupabaseServerClient(jar.request('/'));
    const calls: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input, init) => {
      calls.push(String(input instanceof Request ? input.url : input));
      return realFetch(input, init);
    };
    try {
      for (let i = 0; i < 3; i++)
        expect((await auth.supabase.auth.getClaims()).data?.claims.sub).toBeTruthy();
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(calls.filter((url) => url.endsWith('/auth/v1/user'))).toEqual([]);
  });

  test('a visitor is sent to sign in and brought back afterwards', async () => {
    const response = await thrown(m.session.requireUser(new Request('http://127.0.0.1:3000/bills?month=11')));
    expect(response).toBeInstanceOf(Response);
    expect((response as Response).status).toBe(302);
    expect((response as Response).headers.get('Location')).toBe(
      '/auth/sign-in?redirectTo=%2Fbills%3Fmonth%3D11',
    );
  });

  test('surfaces: residents get 403 at /office and /console; staff and operators get in', async () => {
    const { jar } = await signedInJar(m, resident, password);
    for (const surface of ['office', 'console'] as const) {
      const error = (await thrown(m.session.requireUser(jar.request(`/${surface}`), { surface }))) as {
        data: { reason: string };
        init: { status: number };
      };
      expect(error.init.status).toBe(403);
      expect(error.data.reason).toBe(surface === 'office' ? 'not-staff' : 'not-platform');
    }

    const staff = await signedInJar(m, { phone: staffPhone }, password);
    const atOffice = await m.session.requireUser(staff.jar.request('/office'), { surface: 'office' });
    expect(atOffice.user.account.isStaff).toBe(true);
    expect(await m.session.pathAfterSignIn(atOffice, null)).toBe('/auth/welcome?redirectTo=%2Foffice');

    const operator = await signedInJar(m, { phone: operatorPhone }, password);
    const atConsole = await m.session.requireUser(operator.jar.request('/console'), { surface: 'console' });
    expect(atConsole.user.platformRole).toBe('admin');
    await m.account.saveFullName(atConsole.user.claims, '平台管理员');
    expect(await m.session.pathAfterSignIn(atConsole, '/console/metrics')).toBe('/console/metrics');
    expect(await m.session.pathAfterSignIn(atConsole, 'https://evil.example')).toBe('/console');
  });

  test('sign-up by SMS: code from the outbox, then the name step, then home', async () => {
    const phone = `+${nextPhone()}`;
    const jar = new CookieJar();
    const send = m.supabase.createSupabaseServerClient(jar.request('/auth/sign-up', { method: 'POST' }));
    expect(await m.flows.sendSmsCode(send.supabase, { phone, createUser: true })).toEqual({
      channel: 'sms',
      resendIn: 60,
    });

    const again = await thrown(m.flows.sendSmsCode(send.supabase, { phone, createUser: true }));
    expect(again).toMatchObject({ code: 'over_sms_send_rate_limit', status: 429 });
    expect((again as InstanceType<AuthModules['errors']['AuthFlowError']>).userMessage.key).toBe(
      'auth.error.sendTooSoon',
    );
    expect((again as InstanceType<AuthModules['errors']['AuthFlowError']>).retryAfter).toBeGreaterThan(50);

    const verify = m.supabase.createSupabaseServerClient(jar.request('/auth/sign-up', { method: 'POST' }));
    const wrong = await thrown(m.flows.verifySmsCode(verify.supabase, { phone, code: '000000' }));
    expect(wrong).toMatchObject({ code: 'otp_expired', userMessage: { key: 'auth.error.codeInvalid' } });

    await m.flows.verifySmsCode(verify.supabase, { phone, code: await latestOtp(platform, phone) });
    expect(await m.session.pathAfterSignIn(verify, null)).toBe('/auth/welcome?redirectTo=%2F');
    jar.apply(verify.headers);

    const next = await m.session.requireUser(jar.request('/auth/welcome'));
    await m.account.saveFullName(next.user.claims, '新住户');
    expect(await m.session.pathAfterSignIn(next, '/bills')).toBe('/bills');
  });

  test('signing in by code does not create accounts', async () => {
    const auth = m.supabase.createSupabaseServerClient(new Request('http://127.0.0.1:3000/auth/sign-in'));
    const error = await thrown(
      m.flows.sendSmsCode(auth.supabase, { phone: `+${nextPhone()}`, createUser: false }),
    );
    expect(error).toMatchObject({ userMessage: { key: 'auth.error.accountNotFound' } });
  });

  test('a wrong password is a localized error, never the English text', async () => {
    const auth = m.supabase.createSupabaseServerClient(new Request('http://127.0.0.1:3000/auth/sign-in'));
    const error = await thrown(
      m.flows.signInWithPassword(auth.supabase, { account: resident, password: 'nope1234' }),
    );
    expect(error).toMatchObject({
      code: 'invalid_credentials',
      userMessage: { key: 'auth.error.invalidCredentials' },
    });
  });

  test('password reset by SMS: the code signs in, then the password changes', async () => {
    const phone = `+${nextPhone()}`;
    await platform.adminClient().auth.admin.createUser({ phone, password, phone_confirm: true });
    const jar = new CookieJar();
    const send = m.supabase.createSupabaseServerClient(
      jar.request('/auth/reset-password', { method: 'POST' }),
    );
    await m.flows.sendPasswordResetCode(send.supabase, {
      account: { phone },
      callbackUrl: 'http://127.0.0.1:3000/auth/callback',
    });
    const verify = m.supabase.createSupabaseServerClient(
      jar.request('/auth/reset-password', { method: 'POST' }),
    );
    await m.flows.verifyPasswordResetCode(verify.supabase, {
      account: { phone },
      code: await latestOtp(platform, phone),
    });
    jar.apply(verify.headers);

    const change = await m.session.requireUser(jar.request('/auth/new-password', { method: 'POST' }));
    await m.flows.updatePassword(change.supabase, 'new-pass-2026');
    jar.apply(change.headers);
    await signedInJar(m, { phone }, 'new-pass-2026');
    await expect(signedInJar(m, { phone }, password)).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  test('password reset by e-mail: recovery code, and the link comes back to /auth/callback', async () => {
    const email = `reset-${Date.now()}@example.cn`;
    await platform.adminClient().auth.admin.createUser({ email, password, email_confirm: true });
    const jar = new CookieJar();
    const send = m.supabase.createSupabaseServerClient(
      jar.request('/auth/reset-password', { method: 'POST' }),
    );
    await m.flows.sendPasswordResetCode(send.supabase, {
      account: { email },
      callbackUrl: 'http://127.0.0.1:3000/auth/callback?redirectTo=%2Fauth%2Fnew-password',
    });
    jar.apply(send.headers);
    const verify = m.supabase.createSupabaseServerClient(
      jar.request('/auth/reset-password', { method: 'POST' }),
    );
    await m.flows.verifyPasswordResetCode(verify.supabase, {
      account: { email },
      code: await latestOtp(platform, email),
    });
    jar.apply(verify.headers);
    const { user } = await m.session.getOptionalUser(jar.request('/auth/new-password'));
    expect(user?.email).toBe(email);
  });

  test('sign out: this device ends only its own session; everywhere ends them all', async () => {
    const first = await signedInJar(m, resident, password);
    const second = await signedInJar(m, resident, password);
    const third = await signedInJar(m, resident, password);

    const local = m.supabase.createSupabaseServerClient(
      first.jar.request('/auth/sign-out', { method: 'POST' }),
    );
    await m.flows.signOut(local.supabase, 'local');
    first.jar.apply(local.headers);
    expect(first.jar.authCookieNames()).toEqual([]);
    expect((await m.session.getOptionalUser(first.jar.request('/'))).user).toBeNull();

    const refresh = (jar: CookieJar) => {
      const auth = m.supabase.createSupabaseServerClient(jar.request('/'));
      return auth.supabase.auth.refreshSession();
    };
    expect((await refresh(second.jar)).error).toBeNull();

    const global = m.supabase.createSupabaseServerClient(
      third.jar.request('/auth/sign-out', { method: 'POST' }),
    );
    await m.flows.signOut(global.supabase, 'global');
    // Other devices' access tokens verify until they expire; their refresh tokens are gone now.
    expect((await refresh(second.jar)).error?.code).toMatch(/refresh_token_not_found|session_not_found/);
  });

  test('a cookie that does not verify counts as signed out and is cleared', async () => {
    const { jar } = await signedInJar(m, resident, password);
    const [name] = jar.authCookieNames();
    const session = JSON.parse(
      Buffer.from(jar.cookies.get(name)!.slice('base64-'.length), 'base64url').toString(),
    );
    const [header, payload] = session.access_token.split('.');
    session.access_token = `${header}.${payload}.${Buffer.from('forged').toString('base64url')}`;
    jar.cookies.set(name, `base64-${Buffer.from(JSON.stringify(session)).toString('base64url')}`);

    const { user, headers } = await m.session.getOptionalUser(jar.request('/'));
    expect(user).toBeNull();
    jar.apply(headers);
    expect(jar.authCookieNames()).toEqual([]);
  });
});
