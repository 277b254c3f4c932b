import {
  createHmac,
  createPublicKey,
  createSecretKey,
  verify as cryptoVerify,
  type JsonWebKey,
  type KeyObject,
  timingSafeEqual,
} from 'node:crypto';
import { importJWK, type JWTPayload, SignJWT } from 'jose';
import type { PlatformKeys } from './keys';

/** Claims every platform service reads from a verified token. */
export type Claims = JWTPayload & {
  role?: string;
  email?: string;
  phone?: string;
  session_id?: string;
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
  aal?: string;
  is_anonymous?: boolean;
};

export class InvalidJwtError extends Error {
  constructor(
    message: string,
    readonly reason: 'malformed' | 'expired' | 'signature',
  ) {
    super(message);
  }
}

const MALFORMED = 'invalid JWT: unable to parse or verify signature, token is malformed';
const BAD_SIGNATURE = 'invalid JWT: unable to parse or verify signature, signature is invalid';
const EXPIRED =
  'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired';
const SEGMENT = /^[A-Za-z0-9_-]+$/;

const decodeJson = (segment: string): unknown =>
  JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Verifies tokens the way the services behind Supabase's gateway do: legacy HS256 keys
 * (anon, service_role and old user tokens) with the JWT secret, and asymmetric ES256 user
 * tokens with the key set published at `/auth/v1/.well-known/jwks.json`.
 *
 * Every request through the gateway is checked, so the check runs on node:crypto with the keys
 * imported once, synchronously: WebCrypto (as jose uses it) sends each verification through the
 * thread pool and a promise, about twice the CPU and a queue when many requests arrive at once.
 * The rules are jose's `jwtVerify` without options (tested side by side in jwt.test.ts): the
 * signature over the exact header.payload bytes; `alg` HS256 or ES256 only; the ES256 key chosen
 * by `kid` (or the only key when there is none); no `crit` extensions; `exp`, `nbf` and `iat`
 * numbers when present, `exp` in the future and `nbf` not.
 */
export function createJwtVerifier(keys: PlatformKeys) {
  const secret = createSecretKey(Buffer.from(keys.jwtSecret, 'utf8'));
  const ecKeys = new Map<string, KeyObject>([
    [keys.signingKey.kid, createPublicKey({ key: keys.signingKey.publicJwk as JsonWebKey, format: 'jwk' })],
  ]);
  return async function verify(token: string): Promise<Claims> {
    const parts = token.split('.');
    if (parts.length !== 3) throw new InvalidJwtError(MALFORMED, 'malformed');
    let header: unknown;
    try {
      header = decodeJson(parts[0]);
    } catch {
      throw new InvalidJwtError(MALFORMED, 'malformed');
    }
    if (header === null) throw new InvalidJwtError(MALFORMED, 'malformed');
    if (
      !isObject(header) ||
      !parts.every((p) => SEGMENT.test(p)) ||
      header.crit !== undefined ||
      header.b64 !== undefined
    )
      throw new InvalidJwtError(BAD_SIGNATURE, 'signature');

    const signed = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii');
    const signature = Buffer.from(parts[2], 'base64url');
    let valid = false;
    if (header.alg === 'HS256') {
      const expected = createHmac('sha256', secret).update(signed).digest();
      valid = expected.length === signature.length && timingSafeEqual(expected, signature);
    } else if (header.alg === 'ES256') {
      const key =
        typeof header.kid === 'string'
          ? ecKeys.get(header.kid)
          : header.kid === undefined && ecKeys.size === 1
            ? [...ecKeys.values()][0]
            : undefined;
      valid =
        key !== undefined &&
        signature.length === 64 &&
        cryptoVerify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    if (!valid) throw new InvalidJwtError(BAD_SIGNATURE, 'signature');

    let payload: unknown;
    try {
      payload = decodeJson(parts[1]);
    } catch {
      throw new InvalidJwtError(BAD_SIGNATURE, 'signature');
    }
    if (!isObject(payload)) throw new InvalidJwtError(BAD_SIGNATURE, 'signature');
    const now = Math.floor(Date.now() / 1000);
    for (const claim of ['exp', 'nbf', 'iat'] as const) {
      if (payload[claim] !== undefined && typeof payload[claim] !== 'number')
        throw new InvalidJwtError(BAD_SIGNATURE, 'signature');
    }
    if (typeof payload.nbf === 'number' && payload.nbf > now)
      throw new InvalidJwtError(BAD_SIGNATURE, 'signature');
    if (typeof payload.exp === 'number' && payload.exp <= now) throw new InvalidJwtError(EXPIRED, 'expired');
    return payload as Claims;
  };
}

/** Signs a user access token with the platform's ES256 key (kid in the header, like hosted Auth). */
export async function signAccessToken(
  keys: PlatformKeys,
  claims: Claims,
  expiresInSeconds: number,
): Promise<string> {
  const key = await importJWK(keys.signingKey.privateJwk as never, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: keys.signingKey.kid, typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(key);
}
