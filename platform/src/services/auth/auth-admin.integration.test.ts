import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPlatform } from '../../../../tests/support/platform';
import { hashPassword } from './passwords';
import {
  adminClient,
  anonClient,
  authFetch,
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

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

describe('admin authorisation', () => {
  it('requires a service_role token: no token is 401, the publishable key and user tokens are not_admin', async () => {
    const bare = await fetch(`${platform.url}/auth/v1/admin/users`);
    expect(bare.status).toBe(401);
    // No API version header: the legacy envelope.
    expect(await bare.json()).toEqual({
      code: 401,
      error_code: 'no_authorization',
      msg: 'This endpoint requires a valid Bearer token',
    });

    const anon = await anonClient(platform).auth.admin.listUsers();
    expect(anon.error?.code).toBe('not_admin');
    expect(anon.error?.status).toBe(403);

    const { data } = await anonClient(platform).auth.signUp({ email: uniqueEmail(), password: 'secret-123' });
    const asUser = await authFetch(platform, '/admin/users', { jwt: data.session!.access_token });
    expect(asUser.status).toBe(403);
    expect((await asUser.json()).code).toBe('not_admin');

    const legacy = await fetch(`${platform.url}/auth/v1/admin/users`, {
      headers: { apikey: platform.keys.serviceRoleKey },
    });
    expect(legacy.status).toBe(200);
  });
});

describe('admin users', () => {
  it('creates a confirmed user with metadata; the user signs in and app_metadata reaches the token', async () => {
    const admin = adminClient(platform);
    const email = uniqueEmail('staff');
    const { data, error } = await admin.auth.admin.createUser({
      email,
      password: 'secret-123',
      email_confirm: true,
      user_metadata: { full_name: '王经理' },
      app_metadata: { platform_admin: true },
    });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({
      email,
      user_metadata: { full_name: '王经理', email_verified: true },
      app_metadata: { provider: 'email', providers: ['email'], platform_admin: true },
    });
    expect(data.user?.email_confirmed_at).toBeTruthy();
    const login = await anonClient(platform).auth.signInWithPassword({ email, password: 'secret-123' });
    expect(login.error).toBeNull();
    expect(claimsOf(login.data.session!.access_token).app_metadata.platform_admin).toBe(true);

    const dup = await admin.auth.admin.createUser({ email, password: 'secret-123' });
    expect(dup.error?.code).toBe('email_exists');
    expect(dup.error?.status).toBe(422);
  });

  it('creates a phone user from +86… and imports a bcrypt password_hash', async () => {
    const phone = uniquePhone();
    const hash = await hashPassword('imported-pass');
    const { data, error } = await adminClient(platform).auth.admin.createUser({
      phone,
      phone_confirm: true,
      password_hash: hash,
    } as never);
    expect(error).toBeNull();
    expect(data.user?.phone).toBe(phone.slice(1));
    expect(data.user?.app_metadata).toEqual({ provider: 'phone', providers: ['phone'] });
    const login = await anonClient(platform).auth.signInWithPassword({ phone, password: 'imported-pass' });
    expect(login.error).toBeNull();
  });

  it('lists users page by page with X-Total-Count and Link headers', async () => {
    const admin = adminClient(platform);
    for (let i = 0; i < 5; i++)
      await admin.auth.admin.createUser({ email: uniqueEmail('page'), email_confirm: true });
    const total = Number((await platform.sql.query(`select count(*) from auth.users`)).rows[0].count);

    const res = await fetch(`${platform.url}/auth/v1/admin/users?page=2&per_page=2`, {
      headers: { apikey: platform.keys.secretKey },
    });
    expect(res.headers.get('x-total-count')).toBe(String(total));
    const last = Math.ceil(total / 2);
    expect(res.headers.get('link')).toBe(
      `</admin/users?page=3&per_page=2>; rel="next", </admin/users?page=${last}&per_page=2>; rel="last"`,
    );
    const body = await res.json();
    expect(body.aud).toBe('authenticated');
    expect(body.users).toHaveLength(2);

    const { data: listed, error } = await admin.auth.admin.listUsers({ page: 1, perPage: 2 });
    expect(error).toBeNull();
    const data = listed as typeof listed & { total: number; nextPage: number | null; lastPage: number };
    expect(data.users).toHaveLength(2);
    expect(data.total).toBe(total);
    expect(data.nextPage).toBe(2);
    expect(data.lastPage).toBe(Number(String(last)[0]));
    // Newest first, and the pages do not overlap.
    const page2 = await admin.auth.admin.listUsers({ page: 2, perPage: 2 });
    const ids = new Set([...data.users, ...page2.data.users].map((u) => u.id));
    expect(ids.size).toBe(4);
    expect(new Date(data.users[0].created_at) >= new Date(data.users[1].created_at)).toBe(true);

    const all = await admin.auth.admin.listUsers();
    expect(all.data.users.length).toBe(Math.min(total, 50));
  });

  it('reads, updates (metadata, ban) and deletes a user', async () => {
    const admin = adminClient(platform);
    const email = uniqueEmail();
    const { data: created } = await admin.auth.admin.createUser({
      email,
      password: 'secret-123',
      email_confirm: true,
      user_metadata: { a: 1, b: 2 },
    });
    const id = created.user!.id;
    const session = (await anonClient(platform).auth.signInWithPassword({ email, password: 'secret-123' }))
      .data.session!;

    expect((await admin.auth.admin.getUserById(id)).data.user?.email).toBe(email);
    const updated = await admin.auth.admin.updateUserById(id, { user_metadata: { b: null, c: 3 } });
    expect(updated.error).toBeNull();
    expect(updated.data.user?.user_metadata).toEqual({ a: 1, c: 3, email_verified: true });

    const banned = await admin.auth.admin.updateUserById(id, { ban_duration: '24h' });
    expect(new Date(banned.data.user!.banned_until!).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    const login = await anonClient(platform).auth.signInWithPassword({ email, password: 'secret-123' });
    expect(login.error?.code).toBe('user_banned');
    const asBanned = await authFetch(platform, '/user', { jwt: session.access_token });
    expect(asBanned.status).toBe(403);
    expect((await asBanned.json()).code).toBe('user_banned');
    const refreshBanned = await anonClient(platform).auth.refreshSession({
      refresh_token: session.refresh_token,
    });
    expect(refreshBanned.error?.code).toBe('user_banned');
    await admin.auth.admin.updateUserById(id, { ban_duration: 'none' });
    expect(
      (await anonClient(platform).auth.signInWithPassword({ email, password: 'secret-123' })).error,
    ).toBeNull();

    const bad = await admin.auth.admin.updateUserById(id, { ban_duration: 'forever' });
    expect(bad.error?.code).toBe('validation_failed');

    const deleted = await admin.auth.admin.deleteUser(id);
    expect(deleted.error).toBeNull();
    expect(deleted.data.user?.id).toBe(id);
    const gone = await admin.auth.admin.getUserById(id);
    expect(gone.error?.code).toBe('user_not_found');
    expect(gone.error?.status).toBe(404);
  });
});

describe('admin generate_link and invite', () => {
  it('generates a magic link for an existing user without sending anything; verifyOtp(token_hash) signs in', async () => {
    const admin = adminClient(platform);
    const email = uniqueEmail('wechat');
    // The WeChat/QQ pattern: a server finds or creates the user, then mints a session via a magic link.
    await admin.auth.admin.createUser({
      email,
      email_confirm: true,
      app_metadata: { provider: 'wechat', openid: 'o-123' },
    });
    const { data, error } = await admin.auth.admin.generateLink({
      type: 'magiclink',
      email,
      options: { redirectTo: 'http://localhost:3000/after' },
    });
    expect(error).toBeNull();
    expect(data.properties).toMatchObject({
      verification_type: 'magiclink',
      redirect_to: 'http://localhost:3000/after',
      email_otp: expect.stringMatching(/^\d{6}$/),
      hashed_token: expect.stringMatching(/^[0-9a-f]{56}$/),
    });
    expect(data.properties?.action_link).toBe(
      `${platform.url}/auth/v1/verify?token=${data.properties?.hashed_token}&type=magiclink&redirect_to=${encodeURIComponent('http://localhost:3000/after')}`,
    );
    expect(data.user?.email).toBe(email);
    expect(await outbox(platform, email)).toEqual([]);

    const signedIn = await anonClient(platform).auth.verifyOtp({
      token_hash: data.properties!.hashed_token,
      type: 'magiclink',
    });
    expect(signedIn.error).toBeNull();
    expect(claimsOf(signedIn.data.session!.access_token).app_metadata).toMatchObject({ openid: 'o-123' });
    const twice = await anonClient(platform).auth.verifyOtp({
      token_hash: data.properties!.hashed_token,
      type: 'magiclink',
    });
    expect(twice.error?.code).toBe('otp_expired');
    expect(twice.error?.message).toBe('Email link is invalid or has expired');
  });

  it('turns a magic link for an unknown address into a sign-up, confirmed by its code', async () => {
    const email = uniqueEmail();
    const { data } = await adminClient(platform).auth.admin.generateLink({ type: 'magiclink', email });
    expect(data.properties?.verification_type).toBe('signup');
    const verified = await anonClient(platform).auth.verifyOtp({
      email,
      token: data.properties!.email_otp,
      type: 'email',
    });
    expect(verified.error).toBeNull();
    expect(verified.data.user?.email_confirmed_at).toBeTruthy();
  });

  it('generates signup, invite, recovery and email_change_new links that verify', async () => {
    const admin = adminClient(platform);
    const signupEmail = uniqueEmail();
    const signup = await admin.auth.admin.generateLink({
      type: 'signup',
      email: signupEmail,
      password: 'secret-123',
    });
    expect(
      (
        await anonClient(platform).auth.verifyOtp({
          token_hash: signup.data.properties!.hashed_token,
          type: 'signup',
        })
      ).error,
    ).toBeNull();

    const inviteEmail = uniqueEmail();
    const invite = await admin.auth.admin.generateLink({ type: 'invite', email: inviteEmail });
    expect(invite.data.user?.invited_at).toBeTruthy();
    const invited = await anonClient(platform).auth.verifyOtp({
      token_hash: invite.data.properties!.hashed_token,
      type: 'invite',
    });
    expect(invited.error).toBeNull();

    const recovery = await admin.auth.admin.generateLink({ type: 'recovery', email: signupEmail });
    expect(
      (
        await anonClient(platform).auth.verifyOtp({
          token_hash: recovery.data.properties!.hashed_token,
          type: 'recovery',
        })
      ).error,
    ).toBeNull();

    const newEmail = uniqueEmail('moved');
    const change = await admin.auth.admin.generateLink({
      type: 'email_change_new',
      email: signupEmail,
      newEmail,
    });
    const changed = await anonClient(platform).auth.verifyOtp({
      token_hash: change.data.properties!.hashed_token,
      type: 'email_change',
    });
    expect(changed.error).toBeNull();
    expect(changed.data.user?.email).toBe(newEmail);

    const missing = await admin.auth.admin.generateLink({ type: 'recovery', email: uniqueEmail() });
    expect(missing.error?.code).toBe('user_not_found');
  });

  it('invites by e-mail: the invitation lands in the outbox and its link signs the user in', async () => {
    const email = uniqueEmail('invitee');
    const { data, error } = await adminClient(platform).auth.admin.inviteUserByEmail(email, {
      data: { unit: '1-1-101' },
      redirectTo: 'http://localhost:3000/welcome',
    });
    expect(error).toBeNull();
    expect(data.user?.invited_at).toBeTruthy();
    const [mail] = await outbox(platform, email);
    expect(mail.subject).toBe('【物业云】您收到了加入邀请');
    const link = /https?:\/\/\S+\/auth\/v1\/verify\?\S+/.exec(mail.body)![0];
    const res = await fetch(link, { redirect: 'manual' });
    const fragment = new URLSearchParams(new URL(res.headers.get('location')!).hash.slice(1));
    expect(fragment.get('type')).toBe('invite');
    const me = await anonClient(platform).auth.getUser(fragment.get('access_token')!);
    expect(me.data.user?.email_confirmed_at).toBeTruthy();
    expect(me.data.user?.user_metadata.unit).toBe('1-1-101');
  });
});
