import { data, redirect } from '@remix-run/node';
import {
  type AuthError,
  AuthInvalidJwtError,
  isAuthRetryableFetchError,
  type JwtPayload,
} from '@supabase/supabase-js';
import { createAccessTokenVerifier } from '~/lib/access-token.server';
import type { JwtClaims, PlatformRole } from '~/lib/db.server';
import { env } from '~/lib/env.server';
import { logger } from '~/lib/logger.server';
import { createSupabaseServerClient, type SupabaseServer } from '~/lib/supabase.server';
import { type Account, loadAccount } from './account.server';
import { afterSignInPath, signInPath } from './landing';
import { maskPhone } from './phone';
import type { ForbiddenData, Viewer } from './viewer';

export type Surface = 'resident' | 'office' | 'console';

const platformRoles: readonly PlatformRole[] = ['owner', 'admin', 'support'];

/** The signed-in user as server code sees it. `claims` feed `withUser`; never send them to the browser. */
export type SessionUser = {
  id: string;
  /** Digits with country code, no `+` (as Auth stores it), or null. */
  phone: string | null;
  email: string | null;
  platformRole: PlatformRole | null;
  claims: JwtClaims;
  account: Account;
};

export type AuthContext<U extends SessionUser | null = SessionUser | null> = SupabaseServer & { user: U };

function toJwtClaims(payload: JwtPayload): JwtClaims | null {
  if (payload.role !== 'authenticated' || typeof payload.sub !== 'string') return null;
  return payload as JwtClaims;
}

function platformRoleOf(claims: JwtClaims): PlatformRole | null {
  const role = claims.app_metadata?.platform_role;
  return platformRoles.includes(role as PlatformRole) ? (role as PlatformRole) : null;
}

export function toViewer(user: SessionUser): Viewer {
  return {
    id: user.id,
    name: user.account.fullName,
    maskedPhone: user.phone ? maskPhone(user.phone) : null,
    email: user.email,
    platformRole: user.platformRole,
    isStaff: user.account.isStaff,
  };
}

let accessTokens: ReturnType<typeof createAccessTokenVerifier> | undefined;
const checkAccessToken = (token: string) => {
  accessTokens ??= createAccessTokenVerifier({
    jwksUrl: `${env.SUPABASE_URL.replace(/\/$/, '')}/auth/v1/.well-known/jwks.json`,
    headers: { apikey: env.SUPABASE_ANON_KEY },
  });
  return accessTokens(token);
};

/**
 * `getClaims()` with the signature checked on keys imported once (access-token.server.ts): the
 * session from the cookies (refreshed first when it expires; new cookies land in `headers`),
 * then the access token's signature against the Auth server's JWKS, locally. A token that
 * check cannot decide goes to getClaims() itself.
 */
async function verifiedClaims(
  auth: SupabaseServer,
): Promise<{ claims: JwtPayload | null; error: AuthError | null }> {
  const { data, error } = await auth.supabase.auth.getSession();
  if (error || !data.session) return { claims: null, error };
  const token = data.session.access_token;
  const checked = await checkAccessToken(token);
  if (!checked) {
    const fallback = await auth.supabase.auth.getClaims(token);
    return { claims: fallback.data?.claims ?? null, error: fallback.error };
  }
  if (!checked.ok)
    return { claims: null, error: new AuthInvalidJwtError(`access token rejected (${checked.reason})`) };
  return { claims: checked.claims as JwtPayload, error: null };
}

/**
 * The user of a server client's session, verified locally against the Auth server's JWKS
 * (ES256), so there is no `/user` round trip per request.
 */
async function sessionUser(auth: SupabaseServer): Promise<SessionUser | null> {
  const { claims: verified, error } = await verifiedClaims(auth);
  if (error) {
    // Auth unreachable: fail the request rather than pretend the person is signed out.
    if (isAuthRetryableFetchError(error)) throw error;
    // A token that no longer verifies (bad signature, revoked refresh token): drop the cookies.
    logger.info({ code: error.code, name: error.name }, 'auth session rejected');
    await auth.supabase.auth.signOut({ scope: 'local' });
    return null;
  }
  const claims = verified ? toJwtClaims(verified) : null;
  if (!claims?.sub) return null;
  return {
    id: claims.sub,
    phone: claims.phone || null,
    email: claims.email || null,
    platformRole: platformRoleOf(claims),
    claims,
    account: await loadAccount(claims),
  };
}

/** The request's user if signed in, with the request's Supabase client and response headers. */
export async function getOptionalUser(request: Request): Promise<AuthContext> {
  const auth = createSupabaseServerClient(request);
  return { ...auth, user: await sessionUser(auth) };
}

/** Where a signed-in user goes from the sign-in pages (see `afterSignInPath`). */
export function landingFor(user: SessionUser, redirectTo: unknown): string {
  return afterSignInPath(
    { platformRole: user.platformRole, isStaff: user.account.isStaff, fullName: user.account.fullName },
    redirectTo,
  );
}

/** Where to send a person who has just signed in with this client. */
export async function pathAfterSignIn(auth: SupabaseServer, redirectTo: unknown): Promise<string> {
  const user = await sessionUser(auth);
  if (!user) throw new Error('pathAfterSignIn: no session after a successful sign-in');
  return landingFor(user, redirectTo);
}

/**
 * The signed-in user, or a redirect to the sign-in page that comes back here afterwards.
 * `office` also needs an active staff membership and `console` a platform role; a signed-in
 * user without them gets a 403 (not a sign-in loop).
 */
export async function requireUser(
  request: Request,
  { surface = 'resident' }: { surface?: Surface } = {},
): Promise<AuthContext<SessionUser>> {
  const auth = await getOptionalUser(request);
  const { user, headers } = auth;
  if (!user) {
    const url = new URL(request.url);
    throw redirect(signInPath(`${url.pathname}${url.search}`), { headers });
  }
  const reason: ForbiddenData['reason'] | null =
    surface === 'office' && !user.account.isStaff
      ? 'not-staff'
      : surface === 'console' && !user.platformRole
        ? 'not-platform'
        : null;
  if (reason) {
    throw data<ForbiddenData>({ reason, viewer: toViewer(user) }, { status: 403, headers });
  }
  return { ...auth, user };
}
