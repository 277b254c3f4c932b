import { createPublicKey, type JsonWebKey, type KeyObject, verify } from 'node:crypto';

/**
 * Checks Supabase access tokens against the Auth server's published keys (JWKS), the way
 * `supabase.auth.getClaims()` does, with each key imported once. getClaims() imports the JWK
 * into WebCrypto on every call and verifies through the thread pool; every page and action
 * pays that. Here the key is a node:crypto KeyObject kept with the key set, and the check is
 * one synchronous verify.
 *
 * Same rules as getClaims(): the key chosen by the token's `kid`, ES256 or RS256 signatures
 * over the exact header.payload bytes, `exp` present and in the future. The key set is cached
 * for 10 minutes (as auth-js does) and fetched again, at most every 30 s, for a `kid` it does
 * not know (key rotation). Tokens this cannot decide — no `kid` (HS256 projects), another
 * algorithm, a key set that cannot be fetched — return `undefined`: the caller asks getClaims(),
 * which falls back to the Auth server.
 */
export type AccessTokenCheck =
  | { ok: true; claims: Record<string, unknown> }
  | { ok: false; reason: 'signature' | 'expired' | 'malformed' };

const JWKS_TTL_MS = 10 * 60_000;
const UNKNOWN_KID_REFETCH_MS = 30_000;
const SEGMENT = /^[A-Za-z0-9_-]*$/;
const ALGORITHMS: Record<string, { type: string; curve?: string; dsaEncoding?: 'ieee-p1363' }> = {
  ES256: { type: 'ec', curve: 'prime256v1', dsaEncoding: 'ieee-p1363' },
  RS256: { type: 'rsa' },
};

type Jwk = JsonWebKey & { kid?: string };

export function createAccessTokenVerifier(options: {
  jwksUrl: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}) {
  const fetchJwks = options.fetch ?? fetch;
  let keys = new Map<string, KeyObject>();
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let fetching: Promise<void> | undefined;

  async function refresh(): Promise<void> {
    fetching ??= (async () => {
      try {
        const res = await fetchJwks(options.jwksUrl, { headers: options.headers });
        if (!res.ok) throw new Error(`JWKS answered ${res.status}`);
        const body = (await res.json()) as { keys?: Jwk[] };
        const next = new Map<string, KeyObject>();
        for (const jwk of body.keys ?? []) {
          if (typeof jwk.kid !== 'string') continue;
          try {
            next.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
          } catch {
            // not a public key this process can use: tokens signed with it go to getClaims()
          }
        }
        keys = next;
        fetchedAt = Date.now();
      } finally {
        fetching = undefined;
      }
    })();
    return fetching;
  }

  async function keyFor(kid: string): Promise<KeyObject | undefined> {
    const age = Date.now() - fetchedAt;
    if (age < JWKS_TTL_MS && keys.has(kid)) return keys.get(kid);
    if (age >= JWKS_TTL_MS || age >= UNKNOWN_KID_REFETCH_MS) await refresh();
    return keys.get(kid);
  }

  return async function check(token: string): Promise<AccessTokenCheck | undefined> {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) return { ok: false, reason: 'malformed' };
    let header: { alg?: unknown; kid?: unknown };
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof header !== 'object' || header === null || typeof claims !== 'object' || claims === null)
      return { ok: false, reason: 'malformed' };
    const algorithm = typeof header.alg === 'string' ? ALGORITHMS[header.alg] : undefined;
    if (!algorithm || typeof header.kid !== 'string') return undefined;
    const exp = claims.exp;
    if (typeof exp !== 'number' || !exp || exp <= Math.floor(Date.now() / 1000)) {
      return { ok: false, reason: 'expired' };
    }
    let key: KeyObject | undefined;
    try {
      key = await keyFor(header.kid);
    } catch {
      return undefined; // the key set could not be fetched: let getClaims() report it
    }
    if (
      !key ||
      key.asymmetricKeyType !== algorithm.type ||
      (algorithm.curve && key.asymmetricKeyDetails?.namedCurve !== algorithm.curve)
    )
      return undefined;
    let valid = false;
    try {
      valid = verify(
        'sha256',
        Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii'),
        algorithm.dsaEncoding ? { key, dsaEncoding: algorithm.dsaEncoding } : key,
        Buffer.from(parts[2], 'base64url'),
      );
    } catch {
      valid = false; // a signature of the wrong shape
    }
    return valid ? { ok: true, claims } : { ok: false, reason: 'signature' };
  };
}
