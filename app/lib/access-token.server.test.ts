import { createClient } from '@supabase/supabase-js';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { signAccessToken } from '../../platform/src/jwt';
import { generateKeys, type PlatformKeys } from '../../platform/src/keys';
import { createAccessTokenVerifier } from './access-token.server';

const JWKS_URL = 'http://auth.test/auth/v1/.well-known/jwks.json';

describe('createAccessTokenVerifier', () => {
  let keys: PlatformKeys;
  let rotated: PlatformKeys;
  let token: string;
  beforeAll(async () => {
    keys = await generateKeys();
    rotated = await generateKeys();
    token = await signAccessToken(keys, { sub: 'u1', role: 'authenticated', aud: 'authenticated' }, 3600);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A JWKS endpoint serving the given key sets in turn, counting its calls. */
  function jwksServer(...sets: PlatformKeys[][]) {
    const calls: string[] = [];
    const fetch = (async (url: string) => {
      calls.push(url);
      const set = sets[Math.min(calls.length - 1, sets.length - 1)];
      return Response.json({ keys: set.map((k) => k.signingKey.publicJwk) });
    }) as unknown as typeof globalThis.fetch;
    return { fetch, calls };
  }

  const tamper = (t: string, claims: Record<string, unknown>) => {
    const [h, , s] = t.split('.');
    return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
  };

  it('accepts the Auth server’s tokens with one key-set fetch for many checks', async () => {
    const server = jwksServer([keys]);
    const check = createAccessTokenVerifier({ jwksUrl: JWKS_URL, fetch: server.fetch });
    for (let i = 0; i < 5; i++) {
      const result = await check(token);
      expect(result).toMatchObject({ ok: true, claims: { sub: 'u1', role: 'authenticated' } });
    }
    expect(server.calls).toEqual([JWKS_URL]);
  });

  it('refuses changed claims, another key’s signature and expired tokens', async () => {
    const check = createAccessTokenVerifier({ jwksUrl: JWKS_URL, fetch: jwksServer([keys]).fetch });
    expect(await check(tamper(token, { sub: 'admin', role: 'service_role', exp: 4_000_000_000 }))).toEqual({
      ok: false,
      reason: 'signature',
    });
    const foreign = await signAccessToken(
      { ...rotated, signingKey: { ...rotated.signingKey, kid: keys.signingKey.kid } },
      { sub: 'u1', role: 'authenticated' },
      3600,
    );
    expect(await check(foreign)).toEqual({ ok: false, reason: 'signature' });
    const expired = await signAccessToken(keys, { sub: 'u1', role: 'authenticated' }, -1);
    expect(await check(expired)).toEqual({ ok: false, reason: 'expired' });
    expect(await check('not.a.jwt!')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('leaves what it cannot decide to getClaims(): HS256, no kid, unknown kid, key set unreachable', async () => {
    const check = createAccessTokenVerifier({ jwksUrl: JWKS_URL, fetch: jwksServer([keys]).fetch });
    expect(await check(keys.anonKey)).toBeUndefined(); // HS256, no kid
    const unknown = await signAccessToken(rotated, { sub: 'u1', role: 'authenticated' }, 3600);
    expect(await check(unknown)).toBeUndefined();
    const down = createAccessTokenVerifier({
      jwksUrl: JWKS_URL,
      fetch: (async () => new Response('no', { status: 503 })) as unknown as typeof fetch,
    });
    expect(await down(token)).toBeUndefined();
  });

  it('finds a rotated key (at most one fetch per 30 s for unknown kids) and drops retired ones after 10 min', async () => {
    vi.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    const server = jwksServer([keys], [keys, rotated], [rotated]);
    const check = createAccessTokenVerifier({ jwksUrl: JWKS_URL, fetch: server.fetch });
    expect((await check(token))?.ok).toBe(true);
    const next = await signAccessToken(rotated, { sub: 'u1', role: 'authenticated' }, 3600);
    expect(await check(next)).toBeUndefined(); // unknown kid, key set fetched 0 s ago
    expect(server.calls).toHaveLength(1);
    vi.setSystemTime(Date.now() + 31_000);
    expect((await check(next))?.ok).toBe(true); // fetched again: the new key is there
    expect(server.calls).toHaveLength(2);
    vi.setSystemTime(Date.now() + 10 * 60_000);
    const old = await signAccessToken(keys, { sub: 'u1', role: 'authenticated' }, 3600);
    expect(await check(old)).toBeUndefined(); // the old key was retired from the set
    expect(server.calls).toHaveLength(3);
  });

  it('agrees with supabase-js getClaims() on the same key set', async () => {
    const supabase = createClient('http://auth.test', 'anon', { auth: { persistSession: false } });
    const jwk = keys.signingKey.publicJwk as never;
    const check = createAccessTokenVerifier({ jwksUrl: JWKS_URL, fetch: jwksServer([keys]).fetch });
    const cases = [
      token,
      tamper(token, { sub: 'admin', role: 'authenticated', exp: 4_000_000_000 }),
      await signAccessToken(keys, { sub: 'u1', role: 'authenticated' }, -10),
    ];
    for (const t of cases) {
      const theirs = await supabase.auth.getClaims(t, { keys: [jwk] });
      const ours = await check(t);
      expect({ t, ok: ours?.ok }).toEqual({ t, ok: theirs.error === null });
      if (ours?.ok) expect(ours.claims).toEqual(theirs.data?.claims);
    }
  });
});
