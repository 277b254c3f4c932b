import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestPlatform } from '../../../../tests/support/platform';
import { anonClient, authFetch, startAuthPlatform, uniqueEmail } from './testing';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startAuthPlatform();
});
afterAll(async () => {
  await platform?.close();
});

async function signedIn(email = uniqueEmail(), password = 'secret-123') {
  const supabase = anonClient(platform);
  const { data, error } = await supabase.auth.signUp({ email, password });
  if (error || !data.session) throw error ?? new Error('no session');
  return { supabase, session: data.session, email, password };
}

describe('sign-up and password sign-in', () => {
  it('signs up with e-mail and password (autoconfirm) and returns a session and the user', async () => {
    const supabase = anonClient(platform);
    const email = uniqueEmail();
    const { data, error } = await supabase.auth.signUp({
      email,
      password: 'secret-123',
      options: { data: { full_name: '张三' } },
    });
    expect(error).toBeNull();
    expect(data.session?.access_token).toBeTruthy();
    expect(data.session?.refresh_token).toBeTruthy();
    expect(data.session?.token_type).toBe('bearer');
    expect(data.session?.expires_in).toBeGreaterThan(3500);
    expect(data.user?.email).toBe(email);
    expect(data.user?.user_metadata).toMatchObject({ full_name: '张三', email_verified: true });
    expect(data.user?.app_metadata).toEqual({ provider: 'email', providers: ['email'] });
    expect(data.user?.identities?.[0]).toMatchObject({ provider: 'email', id: data.user?.id, email });
    expect(data.user?.email_confirmed_at).toBeTruthy();

    const { data: me, error: meError } = await anonClient(platform).auth.getUser(data.session!.access_token);
    expect(meError).toBeNull();
    expect(me.user?.id).toBe(data.user?.id);

    const row = await platform.sql.query(
      `select instance_id, aud, role, encrypted_password, confirmation_token from auth.users where id = $1`,
      [data.user!.id],
    );
    expect(row.rows[0]).toMatchObject({
      instance_id: '00000000-0000-0000-0000-000000000000',
      aud: 'authenticated',
      role: 'authenticated',
      confirmation_token: '',
    });
    expect(row.rows[0].encrypted_password).toMatch(/^\$2a\$10\$/);
  });

  it('answers wrong credentials with invalid_credentials (400) and a repeated sign-up with user_already_exists', async () => {
    const { email } = await signedIn();
    const wrong = await anonClient(platform).auth.signInWithPassword({ email, password: 'nope-nope' });
    expect(wrong.error?.code).toBe('invalid_credentials');
    expect(wrong.error?.status).toBe(400);
    expect(wrong.error?.message).toBe('Invalid login credentials');

    const again = await anonClient(platform).auth.signUp({ email, password: 'secret-123' });
    expect(again.error?.code).toBe('user_already_exists');
    expect(again.error?.status).toBe(422);

    const ok = await anonClient(platform).auth.signInWithPassword({
      email: email.toUpperCase(),
      password: 'secret-123',
    });
    expect(ok.error).toBeNull();
    expect(ok.data.session?.user.email).toBe(email);
    expect(ok.data.user?.last_sign_in_at).toBeTruthy();
  });

  it('refuses a short password with weak_password and its reasons', async () => {
    const { error } = await anonClient(platform).auth.signUp({ email: uniqueEmail(), password: '123' });
    expect(error?.code).toBe('weak_password');
    expect(error?.status).toBe(422);
    expect((error as { reasons?: string[] }).reasons).toEqual(['length']);
  });

  it('answers anonymous sign-in and the id_token grant with clear errors', async () => {
    const anon = await anonClient(platform).auth.signInAnonymously();
    expect(anon.error?.code).toBe('anonymous_provider_disabled');
    const idToken = await anonClient(platform).auth.signInWithIdToken({ provider: 'google', token: 'x' });
    expect(idToken.error?.code).toBe('provider_disabled');
    expect(idToken.error?.message).toMatch(/not supported/);
  });
});

describe('error envelopes', () => {
  it('writes {code, message} and echoes X-Supabase-Api-Version for 2024-01-01 clients', async () => {
    const res = await authFetch(platform, '/token?grant_type=password', {
      method: 'POST',
      body: JSON.stringify({ email: uniqueEmail(), password: 'whatever-1' }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-supabase-api-version')).toBe('2024-01-01');
    expect(res.headers.get('x-sb-error-code')).toBe('invalid_credentials');
    expect(await res.json()).toEqual({ code: 'invalid_credentials', message: 'Invalid login credentials' });
  });

  it('writes the legacy {code: status, error_code, msg} without the version header', async () => {
    const res = await fetch(`${platform.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: platform.keys.publishableKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail(), password: 'whatever-1' }),
    });
    expect(res.headers.get('x-supabase-api-version')).toBeNull();
    expect(await res.json()).toEqual({
      code: 400,
      error_code: 'invalid_credentials',
      msg: 'Invalid login credentials',
    });
  });

  it('answers a refresh without token with an OAuth-style error and a broken body with bad_json', async () => {
    const res = await authFetch(platform, '/token?grant_type=refresh_token', { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'refresh_token required',
    });
    const bad = await authFetch(platform, '/signup', { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe('bad_json');
  });

  it('requires a bearer token with a sub for /user', async () => {
    const anon = await authFetch(platform, '/user');
    expect(anon.status).toBe(403);
    expect((await anon.json()).code).toBe('bad_jwt');
    const garbage = await authFetch(platform, '/user', { jwt: 'a.b.c' });
    expect(garbage.status).toBe(403);
    expect((await garbage.json()).code).toBe('bad_jwt');
  });
});

describe('tokens and keys', () => {
  it('issues ES256 access tokens with the hosted claims', async () => {
    const { session, email } = await signedIn();
    const [header, payload] = session.access_token
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')));
    expect(header).toEqual({ alg: 'ES256', kid: platform.keys.signingKey.kid, typ: 'JWT' });
    expect(payload).toMatchObject({
      iss: `${platform.url}/auth/v1`,
      aud: 'authenticated',
      sub: session.user.id,
      email,
      phone: '',
      role: 'authenticated',
      aal: 'aal1',
      is_anonymous: false,
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: { email_verified: true },
    });
    expect(payload.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);
    expect(payload.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.exp - payload.iat).toBe(3600);
  });

  it('publishes the ES256 public key in JWKS (no private parts) with a 10-minute cache', async () => {
    const res = await authFetch(platform, '/.well-known/jwks.json');
    expect(res.headers.get('cache-control')).toBe('public, max-age=600');
    const { keys } = await res.json();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      alg: 'ES256',
      kid: platform.keys.signingKey.kid,
      use: 'sig',
    });
    expect(keys[0].d).toBeUndefined();
    expect(keys[0].ext).toBeUndefined();
  });

  it('lets getClaims() verify the token locally through JWKS without calling /user', async () => {
    const { session } = await signedIn();
    const calls: string[] = [];
    const spy = vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
      calls.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    });
    const supabase = anonClient(platform, { global: { fetch: spy } });
    const first = await supabase.auth.getClaims(session.access_token);
    expect(first.error).toBeNull();
    expect(first.data?.claims.sub).toBe(session.user.id);
    expect(first.data?.header.kid).toBe(platform.keys.signingKey.kid);
    const second = await supabase.auth.getClaims(session.access_token);
    expect(second.data?.claims.session_id).toBe(first.data?.claims.session_id);
    expect(calls.filter((u) => u.includes('/auth/v1/user'))).toEqual([]);
    expect(calls.filter((u) => u.includes('/.well-known/jwks.json')).length).toBeLessThanOrEqual(1);
  });

  it('serves GoTrue-shaped settings', async () => {
    const res = await authFetch(platform, '/settings');
    const body = await res.json();
    expect(body).toMatchObject({ mailer_autoconfirm: true, phone_autoconfirm: false, disable_signup: false });
    expect(body.external).toMatchObject({ email: true, phone: true, google: false });
  });
});

describe('sign-out', () => {
  it('signOut local ends this session only: its access token gets session_not_found, the other session lives', async () => {
    const { email, password, session } = await signedIn();
    const other = await anonClient(platform).auth.signInWithPassword({ email, password });
    const client = anonClient(platform);
    await client.auth.setSession({
      access_token: session.access_token,
      refresh_token: session.refresh_token,
    });
    expect((await client.auth.signOut({ scope: 'local' })).error).toBeNull();

    const res = await authFetch(platform, '/user', { jwt: session.access_token });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('session_not_found');
    const viaClient = await anonClient(platform).auth.getUser(session.access_token);
    expect(viaClient.error?.name).toBe('AuthSessionMissingError');

    const stillIn = await anonClient(platform).auth.getUser(other.data.session!.access_token);
    expect(stillIn.error).toBeNull();
    const refresh = await anonClient(platform).auth.refreshSession({ refresh_token: session.refresh_token });
    expect(refresh.error?.code).toBe('refresh_token_not_found');
  });

  it('signOut others keeps the current session; global ends every session', async () => {
    const { email, password, session } = await signedIn();
    const second = (await anonClient(platform).auth.signInWithPassword({ email, password })).data.session!;
    const third = (await anonClient(platform).auth.signInWithPassword({ email, password })).data.session!;

    const others = await authFetch(platform, '/logout?scope=others', {
      method: 'POST',
      jwt: session.access_token,
    });
    expect(others.status).toBe(204);
    expect((await authFetch(platform, '/user', { jwt: session.access_token })).status).toBe(200);
    expect((await authFetch(platform, '/user', { jwt: second.access_token })).status).toBe(403);

    const global = await authFetch(platform, '/logout', { method: 'POST', jwt: session.access_token });
    expect(global.status).toBe(204);
    expect((await authFetch(platform, '/user', { jwt: session.access_token })).status).toBe(403);
    expect((await authFetch(platform, '/user', { jwt: third.access_token })).status).toBe(403);
    const bad = await authFetch(platform, '/logout?scope=everywhere', {
      method: 'POST',
      jwt: session.access_token,
    });
    expect(bad.status).toBe(400);
  });
});

describe('PUT /user', () => {
  it('merges user_metadata (null deletes a key) and refuses app_metadata', async () => {
    const { supabase } = await signedIn();
    await supabase.auth.updateUser({ data: { nickname: '小王', unit: '3-2-101' } });
    const { data, error } = await supabase.auth.updateUser({ data: { unit: null } });
    expect(error).toBeNull();
    expect(data.user?.user_metadata).toMatchObject({ nickname: '小王', email_verified: true });
    expect(data.user?.user_metadata.unit).toBeUndefined();

    const session = (await supabase.auth.getSession()).data.session!;
    const res = await authFetch(platform, '/user', {
      method: 'PUT',
      jwt: session.access_token,
      body: JSON.stringify({ app_metadata: { role: 'platform_admin' } }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('not_admin');
  });

  it('changes the password, keeps this session, ends the others and refuses the same password again', async () => {
    const { supabase, email, password } = await signedIn();
    const other = (await anonClient(platform).auth.signInWithPassword({ email, password })).data.session!;
    const same = await supabase.auth.updateUser({ password });
    expect(same.error?.code).toBe('same_password');
    const { error } = await supabase.auth.updateUser({ password: 'new-secret-456' });
    expect(error).toBeNull();
    expect((await supabase.auth.getUser()).error).toBeNull();
    expect((await authFetch(platform, '/user', { jwt: other.access_token })).status).toBe(403);
    expect((await anonClient(platform).auth.signInWithPassword({ email, password })).error?.code).toBe(
      'invalid_credentials',
    );
    expect(
      (await anonClient(platform).auth.signInWithPassword({ email, password: 'new-secret-456' })).error,
    ).toBeNull();
  });
});

describe('auth.users triggers', () => {
  it('fires an app trigger after insert on auth.users, and a failing trigger fails the sign-up like GoTrue', async () => {
    await platform.sql.query(`
      create table public.auth_test_profiles (id uuid primary key references auth.users (id) on delete cascade, display_name text);
      create function public.auth_test_handle_new_user() returns trigger language plpgsql security definer set search_path = '' as $$
      begin
        if new.raw_user_meta_data ->> 'display_name' = 'boom' then
          raise exception 'profile rejected';
        end if;
        insert into public.auth_test_profiles (id, display_name) values (new.id, new.raw_user_meta_data ->> 'display_name');
        return new;
      end $$;
      create trigger auth_test_on_user_created after insert on auth.users for each row execute function public.auth_test_handle_new_user();
    `);
    try {
      const { data } = await anonClient(platform).auth.signUp({
        email: uniqueEmail(),
        password: 'secret-123',
        options: { data: { display_name: '李四' } },
      });
      const profile = await platform.sql.query(
        `select display_name from public.auth_test_profiles where id = $1`,
        [data.user!.id],
      );
      expect(profile.rows).toEqual([{ display_name: '李四' }]);

      const email = uniqueEmail();
      const failed = await anonClient(platform).auth.signUp({
        email,
        password: 'secret-123',
        options: { data: { display_name: 'boom' } },
      });
      expect(failed.error?.status).toBe(500);
      expect(failed.error?.message).toBe('Database error saving new user');
      const rows = await platform.sql.query(`select 1 from auth.users where email = $1`, [email]);
      expect(rows.rowCount).toBe(0);
    } finally {
      await platform.sql.query(
        `drop trigger auth_test_on_user_created on auth.users; drop table public.auth_test_profiles; drop function public.auth_test_handle_new_user();`,
      );
    }
  });
});
