/**
 * Who is calling. Two kinds of caller reach a function:
 *
 * - **Users and the legacy keys** with `Authorization: Bearer <JWT>`. For a function with
 *   `verify_jwt = true` (the default) the gateway has already checked the signature, so
 *   `callerFromVerifiedJwt` only decodes the payload. Never use it in a `verify_jwt = false`
 *   function: there nothing has checked the token.
 * - **Jobs and other servers** (pg_cron through pg_net, the web app's server) with the
 *   project's secret key in `apikey`: `requireSecretKey`. This works with the new
 *   `sb_secret_…` keys, which are not JWTs and so cannot pass `verify_jwt`.
 */
import type { PlatformEnv } from './env.ts';
import { HttpError } from './http.ts';

export type Caller = {
  role: string;
  /** The user's id for user tokens; absent for the anon and service_role keys. */
  userId?: string;
  claims: Record<string, unknown>;
};

function decodeSegment(segment: string): unknown {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** The caller of a `verify_jwt = true` function, from the token the gateway verified. */
export function callerFromVerifiedJwt(req: Request): Caller {
  const header = req.headers.get('authorization') ?? '';
  const match = /^Bearer\s+([^.\s]+)\.([^.\s]+)\.([^.\s]+)$/i.exec(header);
  if (!match) throw new HttpError(401, 'unauthorized', 'A bearer token is required.');
  let claims: unknown;
  try {
    claims = decodeSegment(match[2]);
  } catch {
    throw new HttpError(401, 'unauthorized', 'The bearer token is malformed.');
  }
  if (typeof claims !== 'object' || claims === null)
    throw new HttpError(401, 'unauthorized', 'The bearer token is malformed.');
  const record = claims as Record<string, unknown>;
  return {
    role: typeof record.role === 'string' ? record.role : 'anon',
    userId: typeof record.sub === 'string' ? record.sub : undefined,
    claims: record,
  };
}

export function requireRole(req: Request, ...roles: string[]): Caller {
  const caller = callerFromVerifiedJwt(req);
  if (!roles.includes(caller.role))
    throw new HttpError(403, 'forbidden', 'This caller may not use this function.');
  return caller;
}

/** Compares in time independent of where the strings differ. */
function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** For jobs and server-to-server calls: the `apikey` header must be one of the project's secret keys. */
export function requireSecretKey(req: Request, env: Pick<PlatformEnv, 'SUPABASE_SECRET_KEYS'>): void {
  const presented = req.headers.get('apikey');
  const keys = Object.values(env.SUPABASE_SECRET_KEYS ?? {});
  if (!presented || !keys.some((key) => constantTimeEqual(presented, key))) {
    throw new HttpError(401, 'unauthorized', 'A secret API key is required.');
  }
}
