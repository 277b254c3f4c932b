import type { IncomingMessage } from 'node:http';
import type { ServiceContext } from '../../gateway';
import type { Claims } from '../../jwt';
import { ERRORS } from './errors';

/** The verified identity a request runs as: its Postgres role and JWT claims. */
export type Caller = {
  role: string;
  claims: Claims;
  jwt: string;
  /** `sub` of the token: becomes `owner`/`owner_id` of what the caller writes. */
  sub: string | undefined;
};

/**
 * Roles a token may switch to. The pool connects as the database owner, so a token that
 * names any other role (`postgres`, …) is refused instead of honoured.
 */
const API_ROLES = new Set(['anon', 'authenticated', 'service_role']);

const BEARER = /^Bearer\s+/i;

/**
 * Verifies `Authorization` (the gateway has already turned an API key into the matching
 * JWT). Hosted Storage answers a missing or bad token with `AccessDenied` in an HTTP 400.
 */
export async function resolveCaller(ctx: ServiceContext, req: IncomingMessage): Promise<Caller> {
  const jwt = (req.headers.authorization ?? '').replace(BEARER, '').trim();
  if (!jwt) throw ERRORS.accessDenied('invalid JWT: no token was provided');
  let claims: Claims;
  try {
    claims = await ctx.verifyJwt(jwt);
  } catch (err) {
    throw ERRORS.accessDenied((err as Error).message);
  }
  const role = claims.role ?? 'anon';
  if (!API_ROLES.has(role)) throw ERRORS.accessDenied('Access denied: Invalid role', 403);
  return { role, claims, jwt, sub: typeof claims.sub === 'string' ? claims.sub : undefined };
}

/** A syntactically valid UUID, or undefined: `owner` is a uuid column, `owner_id` keeps any `sub`. */
export function ownerUuid(sub: string | undefined): string | undefined {
  return sub && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sub) ? sub : undefined;
}
