import type { Claims } from '../../jwt';

/** Claims a Realtime connection needs (hosted: `role` and `exp` are required). */
export type RealtimeClaims = Claims & { role: string; exp: number };

export type TokenResult =
  | { ok: true; claims: RealtimeClaims }
  | {
      ok: false;
      reason: 'expired' | 'missing_claims' | 'malformed' | 'signature';
      code: string;
      message: string;
    };

/**
 * Verifies a token the way hosted Realtime's ChannelsAuthorization does and words failures
 * like it: the join error is `<code>: <message>`, e.g. `InvalidJWTToken: Token has expired 3 seconds ago`.
 */
export async function checkToken(
  verifyJwt: (token: string) => Promise<Claims>,
  token: string | null | undefined,
): Promise<TokenResult> {
  const raw = (token ?? '').replace(/\s/g, '');
  if (raw.split('.').length !== 3) {
    return {
      ok: false,
      reason: 'malformed',
      code: 'MalformedJWT',
      message: 'The token provided is not a valid JWT',
    };
  }
  try {
    const claims = await verifyJwt(raw);
    if (typeof claims.role !== 'string' || typeof claims.exp !== 'number') {
      return {
        ok: false,
        reason: 'missing_claims',
        code: 'InvalidJWTToken',
        message: 'Fields `role` and `exp` are required in JWT',
      };
    }
    return { ok: true, claims: claims as RealtimeClaims };
  } catch (err) {
    const reason = (err as { reason?: string }).reason;
    if (reason === 'expired') {
      const exp = peekExp(raw);
      const ago = exp === undefined ? 0 : Math.max(0, Math.floor(Date.now() / 1000) - exp);
      return {
        ok: false,
        reason: 'expired',
        code: 'InvalidJWTToken',
        message: `Token has expired ${ago} seconds ago`,
      };
    }
    if (reason === 'malformed') {
      return {
        ok: false,
        reason: 'malformed',
        code: 'MalformedJWT',
        message: 'The token provided is not a valid JWT',
      };
    }
    return {
      ok: false,
      reason: 'signature',
      code: 'JwtSignatureError',
      message: 'Failed to validate JWT signature',
    };
  }
}

function peekExp(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}

/** The bearer token from an (already API-key-mapped) Authorization header. */
export function bearer(authorization: string | undefined): string | undefined {
  const m = /^bearer\s+(.+)$/i.exec(authorization ?? '');
  return m ? m[1].trim() : undefined;
}
