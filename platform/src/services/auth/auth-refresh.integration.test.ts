import { createServerClient } from '@supabase/ssr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPlatform } from '../../../../tests/support/platform';
import { anonClient, authFetch, realtimeTransport, startAuthPlatform, uniqueEmail } from './testing';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startAuthPlatform();
});
afterAll(async () => {
  await platform?.close();
});

async function signUp(data: Record<string, unknown> = {}) {
  const email = uniqueEmail();
  const { data: out, error } = await anonClient(platform).auth.signUp({
    email,
    password: 'secret-123',
    options: { data },
  });
  if (error || !out.session) throw error ?? new Error('no session');
  return { email, session: out.session };
}

function refresh(refreshToken: string) {
  return authFetch(platform, '/token?grant_type=refresh_token', {
    method: 'POST',
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
}

describe('refresh token rotation', () => {
  it('rotates: a refresh revokes the token and answers a child that refreshes again', async () => {
    const { session } = await signUp();
    const r1 = await refresh(session.refresh_token);
    expect(r1.status).toBe(200);
    const s1 = await r1.json();
    expect(s1.refresh_token).not.toBe(session.refresh_token);
    expect(s1.user.id).toBe(session.user.id);
    expect(s1.expires_in).toBeGreaterThan(3500);
    const rows = await platform.sql.query(
      `select token, revoked, parent from auth.refresh_tokens where token = any($1) order by id`,
      [[session.refresh_token, s1.refresh_token]],
    );
    expect(rows.rows).toEqual([
      { token: session.refresh_token, revoked: true, parent: '' },
      { token: s1.refresh_token, revoked: false, parent: session.refresh_token },
    ]);
    const r2 = await refresh(s1.refresh_token);
    expect(r2.status).toBe(200);
    // Still the same session: the access token's session_id does not change.
    const sid = (t: string) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString()).session_id;
    expect(sid((await r2.json()).access_token)).toBe(sid(session.access_token));
  });

  it('lets 10 parallel refreshes with the same token all succeed with the same child, and the user stays signed in', async () => {
    const { session } = await signUp();
    const responses = await Promise.all(Array.from({ length: 10 }, () => refresh(session.refresh_token)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    const bodies = await Promise.all(responses.map((r) => r.json()));
    const children = new Set(bodies.map((b) => b.refresh_token));
    expect(children.size).toBe(1);
    expect(children.has(session.refresh_token)).toBe(false);
    for (const b of bodies) {
      expect((await authFetch(platform, '/user', { jwt: b.access_token })).status).toBe(200);
    }
    const next = await refresh(bodies[0].refresh_token);
    expect(next.status).toBe(200);
  });

  it('answers the parent of the active token with the active token, even after the reuse interval', async () => {
    const { session } = await signUp();
    const child = await (await refresh(session.refresh_token)).json();
    await platform.sql.query(
      `update auth.refresh_tokens set updated_at = now() - interval '1 hour' where token = $1`,
      [session.refresh_token],
    );
    const again = await refresh(session.refresh_token);
    expect(again.status).toBe(200);
    expect((await again.json()).refresh_token).toBe(child.refresh_token);
  });

  it('still swaps an older revoked token within the reuse interval (a slow SSR loader)', async () => {
    const { session } = await signUp();
    const t2 = (await (await refresh(session.refresh_token)).json()).refresh_token;
    await refresh(t2);
    const late = await refresh(session.refresh_token);
    expect(late.status).toBe(200);
    expect((await authFetch(platform, '/user', { jwt: (await late.json()).access_token })).status).toBe(200);
  });

  it('treats reuse of an older revoked token after the interval as theft and ends the session', async () => {
    const { session } = await signUp();
    const t2 = (await (await refresh(session.refresh_token)).json()).refresh_token;
    const t3 = await (await refresh(t2)).json();
    await platform.sql.query(
      `update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = $1`,
      [session.refresh_token],
    );
    const reuse = await refresh(session.refresh_token);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toEqual({
      code: 'refresh_token_already_used',
      message: 'Invalid Refresh Token: Already Used',
    });

    // The whole family is gone: the newest token and the access tokens of the session.
    const newest = await refresh(t3.refresh_token);
    expect((await newest.json()).code).toBe('refresh_token_not_found');
    const user = await authFetch(platform, '/user', { jwt: t3.access_token });
    expect((await user.json()).code).toBe('session_not_found');
  });

  it('answers an unknown token with refresh_token_not_found through the client', async () => {
    const { error } = await anonClient(platform).auth.refreshSession({ refresh_token: 'not-a-token' });
    expect(error?.code).toBe('refresh_token_not_found');
    expect(error?.status).toBe(400);
  });
});

type Cookie = { name: string; value: string; options: Record<string, unknown> };

/** A request's cookie jar, as a Remix loader would read it and write Set-Cookie. */
function cookieJar(initial: Map<string, string> = new Map()) {
  const jar = new Map(initial);
  const written: Cookie[] = [];
  const headers: Record<string, string>[] = [];
  const client = () =>
    createServerClient(platform.url, platform.keys.publishableKey, {
      cookies: {
        getAll: () => [...jar].map(([name, value]) => ({ name, value })),
        setAll: (cookies, cacheHeaders) => {
          for (const c of cookies) {
            written.push(c as Cookie);
            if (c.options?.maxAge === 0 || c.value === '') jar.delete(c.name);
            else jar.set(c.name, c.value);
          }
          headers.push(cacheHeaders ?? {});
        },
      },
      realtime: realtimeTransport,
    });
  return { jar, written, headers, client };
}

const COOKIE = 'sb-127-auth-token';

function readSession(
  jar: Map<string, string>,
): Record<string, unknown> & { refresh_token: string; expires_at: number } {
  const raw =
    jar.get(COOKIE) ??
    [...Array(10).keys()]
      .map((i) => jar.get(`${COOKIE}.${i}`))
      .filter((v) => v !== undefined)
      .join('');
  return JSON.parse(Buffer.from(raw.replace(/^base64-/, ''), 'base64url').toString('utf8'));
}

describe('@supabase/ssr createServerClient', () => {
  it('writes a big session as chunked cookies .0/.1 that the next request reads back', async () => {
    // ~500 bytes of metadata travels twice (user and access token): more than one 3180-character cookie.
    const big = { bio: '物业管理'.repeat(40), unit: '3-2-101' };
    const email = uniqueEmail();
    await anonClient(platform).auth.signUp({ email, password: 'secret-123', options: { data: big } });

    const login = cookieJar();
    const { error } = await login.client().auth.signInWithPassword({ email, password: 'secret-123' });
    expect(error).toBeNull();
    const names = [...login.jar.keys()].sort();
    expect(names.length).toBe(2);
    expect(names).toEqual(names.map((_, i) => `${COOKIE}.${i}`));
    expect(login.jar.get(`${COOKIE}.0`)).toMatch(/^base64-/);
    for (const c of login.written) expect(encodeURIComponent(c.value).length).toBeLessThanOrEqual(3180);

    const next = cookieJar(login.jar);
    const { data, error: userError } = await next.client().auth.getUser();
    expect(userError).toBeNull();
    expect(data.user?.email).toBe(email);
    expect(data.user?.user_metadata.bio).toBe(big.bio);
  });

  it('refreshes an expired access token inside getUser() and writes the rotated session with no-cache headers', async () => {
    const { session } = await signUp();
    const stale = { ...session, expires_at: Math.floor(Date.now() / 1000) - 60 };
    const jar = new Map([[COOKIE, `base64-${Buffer.from(JSON.stringify(stale)).toString('base64url')}`]]);
    const request = cookieJar(jar);
    const { data, error } = await request.client().auth.getUser();
    expect(error).toBeNull();
    expect(data.user?.id).toBe(session.user.id);
    expect(request.written.length).toBeGreaterThan(0);
    const rotated = readSession(request.jar);
    expect(rotated.refresh_token).not.toBe(session.refresh_token);
    expect(rotated.expires_at).toBeGreaterThan(Math.floor(Date.now() / 1000));
    expect(request.headers.at(-1)).toMatchObject({ 'Cache-Control': expect.stringContaining('no-store') });
  });

  it('keeps ten parallel loaders with the same expired cookie signed in', async () => {
    const { session } = await signUp();
    const stale = { ...session, expires_at: Math.floor(Date.now() / 1000) - 60 };
    const cookie = `base64-${Buffer.from(JSON.stringify(stale)).toString('base64url')}`;
    const loaders = Array.from({ length: 10 }, () => cookieJar(new Map([[COOKIE, cookie]])));
    const results = await Promise.all(loaders.map((l) => l.client().auth.getUser()));
    for (const r of results) {
      expect(r.error).toBeNull();
      expect(r.data.user?.id).toBe(session.user.id);
    }
    const tokens = new Set(loaders.map((l) => readSession(l.jar).refresh_token));
    expect(tokens.size).toBe(1);
  });
});
