import type { Claims } from '../../jwt';
import { InvalidJwtError } from '../../jwt';
import type { Queryable } from './db';
import type { AuthDeps } from './deps';
import { AuthError, forbidden } from './errors';
import type { AuthRequest } from './http';
import { findSession, type SessionRow } from './sessions';
import { findUserById, isBanned, type User } from './users';
import { isUuid } from './validate';

/** Roles GoTrue treats as admin (`GOTRUE_JWT_ADMIN_ROLES` default). */
const ADMIN_ROLES = ['service_role', 'supabase_admin'];

function bearer(req: AuthRequest): string {
  const m = /^bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''));
  if (!m) throw new AuthError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
  return m[1];
}

async function verify(deps: AuthDeps, token: string): Promise<Claims> {
  try {
    return await deps.ctx.verifyJwt(token);
  } catch (err) {
    if (err instanceof InvalidJwtError) throw forbidden('bad_jwt', err.message);
    throw err;
  }
}

async function loadSession(db: Queryable, claims: Claims): Promise<SessionRow | null> {
  const sid = claims.session_id;
  if (!sid || sid === '00000000-0000-0000-0000-000000000000') return null;
  if (!isUuid(sid)) throw forbidden('bad_jwt', 'invalid claim: session_id claim must be a UUID');
  const session = await findSession(db, sid);
  if (!session) throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
  return session;
}

export type Authenticated = { claims: Claims; user: User; session: SessionRow | null };

/** GoTrue's `requireAuthentication`: a valid JWT, its user, and its session if it names one. */
export async function authenticateUser(
  deps: AuthDeps,
  db: Queryable,
  req: AuthRequest,
): Promise<Authenticated> {
  const claims = await verify(deps, bearer(req));
  if (!claims.sub) throw forbidden('bad_jwt', 'invalid claim: missing sub claim');
  if (!isUuid(claims.sub)) throw new AuthError(400, 'bad_jwt', 'invalid claim: sub claim must be a UUID');
  const user = await findUserById(db, claims.sub);
  if (!user) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
  const session = await loadSession(db, claims);
  if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
  return { claims, user, session };
}

/** GoTrue's `requireAdminCredentials`: a JWT whose role is an admin role (the service_role key, after the gateway mapping). */
export async function authenticateAdmin(deps: AuthDeps, db: Queryable, req: AuthRequest): Promise<Claims> {
  const claims = await verify(deps, bearer(req));
  if (claims.session_id) await loadSession(db, claims);
  if (!ADMIN_ROLES.includes(String(claims.role ?? ''))) throw forbidden('not_admin', 'User not allowed');
  return claims;
}
