import {
  createLocalJWKSet,
  importJWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  SignJWT,
} from 'jose';
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

/**
 * Verifies tokens the way the services behind Supabase's gateway do: legacy HS256 keys
 * (anon, service_role and old user tokens) with the JWT secret, and asymmetric ES256 user
 * tokens with the key set published at `/auth/v1/.well-known/jwks.json`.
 */
export function createJwtVerifier(keys: PlatformKeys) {
  const secret = new TextEncoder().encode(keys.jwtSecret);
  const jwks: JWTVerifyGetKey = createLocalJWKSet({ keys: [keys.signingKey.publicJwk as never] });
  return async function verify(token: string): Promise<Claims> {
    const parts = token.split('.');
    if (parts.length !== 3)
      throw new InvalidJwtError(
        'invalid JWT: unable to parse or verify signature, token is malformed',
        'malformed',
      );
    let alg: string | undefined;
    try {
      alg = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')).alg;
    } catch {
      throw new InvalidJwtError(
        'invalid JWT: unable to parse or verify signature, token is malformed',
        'malformed',
      );
    }
    try {
      const { payload } = alg === 'HS256' ? await jwtVerify(token, secret) : await jwtVerify(token, jwks);
      return payload as Claims;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED')
        throw new InvalidJwtError(
          'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired',
          'expired',
        );
      throw new InvalidJwtError(
        'invalid JWT: unable to parse or verify signature, signature is invalid',
        'signature',
      );
    }
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
