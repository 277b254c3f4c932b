import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Db } from '~/lib/db.server';
import { nextPhone } from '../../../tests/rls/support/world';
import {
  type AuthModules,
  appEnvFor,
  loadAuthModules,
  signedInJar,
} from '../../../tests/support/app-session';
import { startTestPlatform, type TestPlatform } from '../../../tests/support/platform';

const testDb = vi.hoisted(() => ({ current: null as Db | null }));
vi.mock('~/lib/db.server', async (importOriginal) => {
  const actual = await importOriginal<typeof import('~/lib/db.server')>();
  return { ...actual, withUser: ((...args) => testDb.current!.withUser(...args)) as Db['withUser'] };
});

describe('with short-lived access tokens', () => {
  let platform: TestPlatform;
  let m: AuthModules;
  const phone = `+${nextPhone()}`;

  beforeAll(async () => {
    // Shorter than auth-js's 90 s expiry margin: every request refreshes the session.
    process.env.AUTH_JWT_EXPIRY = '30';
    platform = await startTestPlatform();
    delete process.env.AUTH_JWT_EXPIRY;
    Object.assign(process.env, appEnvFor(platform));
    const { createDb } = await vi.importActual<typeof import('~/lib/db.server')>('~/lib/db.server');
    testDb.current = createDb(platform.databaseUrl, { max: 4 });
    m = await loadAuthModules();
    await platform.adminClient().auth.admin.createUser({ phone, password: 'abc12345', phone_confirm: true });
  });
  afterAll(async () => {
    await testDb.current?.close();
    await platform?.close();
  });

  test('an expiring session is refreshed in the loader and the new cookies go back to the browser', async () => {
    const { jar } = await signedInJar(m, { phone }, 'abc12345');
    const before = jar.cookies.get(jar.authCookieNames()[0]);
    const first = await m.session.getOptionalUser(jar.request('/'));
    expect(first.user?.phone).toBe(phone.slice(1));
    expect(first.headers.getSetCookie().length).toBeGreaterThan(0);
    expect(first.headers.get('Cache-Control')).toMatch(/no-store/);
    jar.apply(first.headers);
    expect(jar.cookies.get(jar.authCookieNames()[0])).not.toBe(before);

    // Parallel loaders of one page refresh with the same cookie; all of them stay signed in.
    const results = await Promise.all([1, 2, 3].map(() => m.session.getOptionalUser(jar.request('/'))));
    expect(results.map((r) => r.user?.id)).toEqual([first.user?.id, first.user?.id, first.user?.id]);
    for (const r of results) jar.apply(r.headers);
    expect((await m.session.getOptionalUser(jar.request('/'))).user?.id).toBe(first.user?.id);
  });

  test('after a global sign-out, another device is signed out once its access token has expired', async () => {
    const laptop = await signedInJar(m, { phone }, 'abc12345');
    const phoneDevice = await signedInJar(m, { phone }, 'abc12345');
    const signOut = m.supabase.createSupabaseServerClient(
      laptop.jar.request('/auth/sign-out', { method: 'POST' }),
    );
    await m.flows.signOut(signOut.supabase, 'global');

    // getClaims() verifies locally, so a still-valid access token keeps working until it expires
    // (auth-js keeps the session when a refresh fails early): that is the price of no /user call.
    expect((await m.session.getOptionalUser(phoneDevice.jar.request('/'))).user).not.toBeNull();

    // Once expired, the refresh the next request needs is refused and the cookies are cleared.
    const [name] = phoneDevice.jar.authCookieNames();
    const session = JSON.parse(
      Buffer.from(phoneDevice.jar.cookies.get(name)!.slice(7), 'base64url').toString(),
    );
    session.expires_at = Math.floor(Date.now() / 1000) - 5;
    phoneDevice.jar.cookies.set(name, `base64-${Buffer.from(JSON.stringify(session)).toString('base64url')}`);
    const { user, headers } = await m.session.getOptionalUser(phoneDevice.jar.request('/'));
    expect(user).toBeNull();
    phoneDevice.jar.apply(headers);
    expect(phoneDevice.jar.authCookieNames()).toEqual([]);
  });
});
