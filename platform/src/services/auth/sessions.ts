import { randomBytes, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type pg from 'pg';
import { signAccessToken } from '../../jwt';
import { audit } from './audit';
import { CommitThenThrow, type Queryable, withTransaction } from './db';
import { type AuthDeps, authBaseUrl } from './deps';
import { badRequest, OAuthError } from './errors';
import type { AuthRequest } from './http';
import { findUserById, isBanned, serializeUser, type User } from './users';

/**
 * Sessions, refresh tokens and access tokens, stored as hosted GoTrue stores them
 * (`auth.sessions`, `auth.refresh_tokens` with the `parent` chain, `auth.mfa_amr_claims`).
 */
export type SessionRow = {
  id: string;
  user_id: string;
  aal: string | null;
  not_after: Date | null;
  created_at: Date | null;
};

/** How the user signed in; becomes an `amr` entry of the session. */
export type SignInMethod =
  | 'password'
  | 'otp'
  | 'magiclink'
  | 'recovery'
  | 'invite'
  | 'email/signup'
  | 'email_change';

export type SessionResponse = {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: Record<string, unknown>;
  weak_password?: { reasons: string[]; message: string };
};

export async function findSession(db: Queryable, id: string, forUpdate = false): Promise<SessionRow | null> {
  const r = await db.query<SessionRow>(
    `select id, user_id, aal::text as aal, not_after, created_at from auth.sessions where id = $1${forUpdate ? ' for update' : ''}`,
    [id],
  );
  return r.rows[0] ?? null;
}

function newRefreshTokenValue(): string {
  return randomBytes(16).toString('base64url');
}

async function insertRefreshToken(
  db: Queryable,
  userId: string,
  sessionId: string,
  parent: string | null,
): Promise<string> {
  const token = newRefreshTokenValue();
  await db.query(
    `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
     values ('00000000-0000-0000-0000-000000000000', $1, $2, false, now(), now(), $3, $4)`,
    [token, userId, parent ?? '', sessionId],
  );
  return token;
}

/** The claims of hosted Supabase access tokens (DOCS auth/jwt-fields), signed ES256 with the platform's kid. */
export async function mintAccessToken(
  deps: AuthDeps,
  db: Queryable,
  user: User,
  sessionId: string,
): Promise<{ token: string; expiresAt: number }> {
  const session = await findSession(db, sessionId);
  const amr = await db.query<{ method: string; ts: number }>(
    `select authentication_method as method, extract(epoch from updated_at)::bigint as ts
       from auth.mfa_amr_claims where session_id = $1 order by updated_at desc`,
    [sessionId],
  );
  const token = await signAccessToken(
    deps.ctx.keys,
    {
      iss: authBaseUrl(deps),
      sub: user.id,
      aud: user.aud ?? 'authenticated',
      email: user.email ?? '',
      phone: user.phone ?? '',
      app_metadata: user.raw_app_meta_data ?? {},
      user_metadata: user.raw_user_meta_data ?? {},
      role: user.role || 'authenticated',
      aal: session?.aal ?? 'aal1',
      amr: amr.rows.map((r) => ({ method: r.method, timestamp: Number(r.ts) })),
      session_id: sessionId,
      is_anonymous: user.is_anonymous,
    },
    deps.config.jwtExpiry,
  );
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as {
    exp: number;
  };
  return { token, expiresAt: payload.exp };
}

function sessionResponse(
  token: { token: string; expiresAt: number },
  refreshToken: string,
  user: User,
): SessionResponse {
  return {
    access_token: token.token,
    token_type: 'bearer',
    expires_in: Math.max(0, token.expiresAt - Math.floor(Date.now() / 1000)),
    expires_at: token.expiresAt,
    refresh_token: refreshToken,
    user: serializeUser(user),
  };
}

/**
 * Signs the user in: a new session, its first refresh token, the `amr` claim for `method` and
 * `last_sign_in_at`. Runs on the caller's transaction.
 */
export async function issueSession(
  deps: AuthDeps,
  tx: Queryable,
  user: User,
  method: SignInMethod,
  req: Pick<AuthRequest, 'ip' | 'userAgent'>,
): Promise<SessionResponse> {
  const sessionId = randomUUID();
  await tx.query(
    `insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
     values ($1, $2, now(), now(), 'aal1', $3, $4)`,
    [sessionId, user.id, req.userAgent, toInet(req.ip)],
  );
  const refreshToken = await insertRefreshToken(tx, user.id, sessionId, null);
  await addAmrClaim(tx, sessionId, method);
  await tx.query(`update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1`, [
    user.id,
  ]);
  await tx.query(`update auth.identities set last_sign_in_at = now() where user_id = $1`, [user.id]);
  const fresh = (await findUserById(tx, user.id))!;
  const token = await mintAccessToken(deps, tx, fresh, sessionId);
  return sessionResponse(token, refreshToken, fresh);
}

export async function addAmrClaim(db: Queryable, sessionId: string, method: string): Promise<void> {
  await db.query(
    `insert into auth.mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id)
     values ($1, now(), now(), $2, $3)
     on conflict (session_id, authentication_method) do update set updated_at = now()`,
    [sessionId, method, randomUUID()],
  );
}

/** The client address as `inet`, or null when absent or not an address (a forged X-Forwarded-For). */
function toInet(ip: string): string | null {
  const bare = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return isIP(bare) ? bare : null;
}

type RefreshTokenRow = {
  id: string;
  token: string;
  user_id: string;
  revoked: boolean;
  updated_at: Date;
  parent: string | null;
  session_id: string | null;
};

/**
 * `grant_type=refresh_token` with rotation, following GoTrue's rules for `auth.refresh_tokens`:
 *   - an active token is revoked and a child issued;
 *   - a revoked token whose child is the session's active token returns that child (a client
 *     that refreshed but could not store the result — or ten SSR loaders racing);
 *   - another revoked token is still swapped within the reuse interval after its revocation;
 *   - later reuse is treated as theft: the session ends and `refresh_token_already_used` is
 *     answered (committed, so every token of the family is dead).
 * The session row is locked first, so all refreshes of one session run one after another.
 */
export async function refreshTokenGrant(
  deps: AuthDeps,
  req: AuthRequest,
  refreshToken: string,
): Promise<SessionResponse> {
  if (!refreshToken) throw new OAuthError('invalid_request', 'refresh_token required');
  const pool: pg.Pool = deps.pool;
  return withTransaction(pool, async (tx) => {
    const first = await tx.query<{ session_id: string | null; user_id: string }>(
      `select session_id, user_id from auth.refresh_tokens where token = $1`,
      [refreshToken],
    );
    if (!first.rows[0])
      throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
    const sessionId = first.rows[0].session_id;
    const session = sessionId ? await findSession(tx, sessionId, true) : null;
    const user = await findUserById(tx, first.rows[0].user_id);
    if (!user) throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
    if (isBanned(user)) throw badRequest('user_banned', 'Invalid Refresh Token: User Banned');
    if (!session) throw badRequest('session_not_found', 'Invalid Refresh Token: No Valid Session Found');
    if (session.not_after && session.not_after.getTime() < Date.now()) {
      throw badRequest('session_expired', 'Invalid Refresh Token: Session Expired');
    }
    // Re-read under the session lock: a parallel refresh may have rotated it meanwhile.
    const rt = (
      await tx.query<RefreshTokenRow>(
        `select id, token, user_id, revoked, updated_at, parent, session_id from auth.refresh_tokens where token = $1`,
        [refreshToken],
      )
    ).rows[0];
    if (!rt) throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');

    let issued: string | null = null;
    if (rt.revoked) {
      const active = (
        await tx.query<RefreshTokenRow>(
          `select id, token, user_id, revoked, updated_at, parent, session_id from auth.refresh_tokens
            where session_id = $1 and revoked = false order by id desc limit 1`,
          [session.id],
        )
      ).rows[0];
      if (active && active.parent === rt.token) {
        issued = active.token;
      } else if (Date.now() > rt.updated_at.getTime() + deps.config.refreshTokenReuseInterval * 1000) {
        await tx.query(`delete from auth.sessions where id = $1`, [session.id]);
        await audit(tx, req, user, 'token_revoked', {
          reason: 'refresh_token_reuse',
          session_id: session.id,
        });
        throw new CommitThenThrow(
          badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used'),
        );
      }
    }
    if (!issued) {
      await tx.query(`update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1`, [
        rt.id,
      ]);
      issued = await insertRefreshToken(tx, user.id, session.id, rt.token);
      await audit(tx, req, user, 'token_refreshed');
    }
    await tx.query(
      `update auth.sessions set refreshed_at = now(), updated_at = now(), user_agent = $2, ip = $3 where id = $1`,
      [session.id, req.userAgent, toInet(req.ip)],
    );
    const token = await mintAccessToken(deps, tx, user, session.id);
    return sessionResponse(token, issued, user);
  });
}

export type LogoutScope = 'global' | 'local' | 'others';

/** Ends sessions (their refresh tokens go with them by cascade), as GoTrue's Logout does. */
export async function logout(
  db: Queryable,
  userId: string,
  sessionId: string | null,
  scope: LogoutScope,
): Promise<void> {
  if (sessionId && scope === 'local') {
    await db.query(`delete from auth.sessions where id = $1`, [sessionId]);
  } else if (sessionId && scope === 'others') {
    await db.query(`delete from auth.sessions where user_id = $1 and id <> $2`, [userId, sessionId]);
  } else {
    await db.query(`delete from auth.sessions where user_id = $1`, [userId]);
    await db.query(`delete from auth.refresh_tokens where user_id = $1`, [userId]);
  }
}
