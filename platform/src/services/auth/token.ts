import { audit } from './audit';
import { withTransaction } from './db';
import type { AuthDeps } from './deps';
import { type AuthError, badRequest, notFound, tooManyRequests, unprocessable } from './errors';
import { deleteFlowState, findFlowStateByAuthCode, isFlowStateExpired } from './flow-state';
import { type AuthRequest, type AuthResult, json, str } from './http';
import {
  clearPasswordFailures,
  type PasswordLimits,
  passwordLockRemaining,
  recordPasswordFailure,
} from './limits';
import { limitMessages, pickMessage } from './messages';
import { verifyPassword } from './passwords';
import { issueSession, refreshTokenGrant, type SignInMethod } from './sessions';
import { findUserByEmail, findUserById, findUserByPhone, isBanned } from './users';
import { normalizePhone, verifyPkce } from './validate';

const INVALID_LOGIN = 'Invalid login credentials';
// Compared against when the account does not exist, so a miss costs as much time as a wrong password.
const DUMMY_HASH = '$2a$10$K7VVI/tCiUS4TX9Mdk41VedYx277OQ1XFFIvh1ND3SIa/JBKpZmWa';

function passwordLimits(deps: AuthDeps): PasswordLimits {
  return {
    maxFailures: deps.config.passwordMaxFailures,
    windowSeconds: deps.config.passwordFailureWindow,
    lockoutSeconds: deps.config.passwordLockout,
  };
}

function lockedOut(req: AuthRequest, seconds: number): AuthError {
  return tooManyRequests(
    'over_request_rate_limit',
    pickMessage(limitMessages.passwordLocked(seconds), req.acceptLanguage),
    seconds,
  );
}

/**
 * `grant_type=password`. Failed attempts are counted per typed e-mail/phone (whether or not the
 * account exists); at the limit the identifier is locked out for a while, even for the right
 * password, with 429 and a message the sign-in page can show.
 */
async function passwordGrant(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const email = str(req.body, 'email');
  const phone = str(req.body, 'phone');
  const password = str(req.body, 'password');
  if (email && phone) {
    throw badRequest(
      'validation_failed',
      'Only an email address or phone number should be provided on login.',
    );
  }
  if (!email && !phone) throw badRequest('validation_failed', 'missing email or phone');
  const identifier = email ? `email:${email.trim().toLowerCase()}` : `phone:${normalizePhone(phone)}`;

  const remaining = await passwordLockRemaining(deps.pool, identifier);
  if (remaining !== null) throw lockedOut(req, remaining);

  const user = email
    ? await findUserByEmail(deps.pool, email.trim())
    : await findUserByPhone(deps.pool, normalizePhone(phone));
  const valid = await verifyPassword(password, user?.encrypted_password || DUMMY_HASH);
  if (user && valid && isBanned(user)) throw badRequest('user_banned', 'User is banned');
  if (!user || !valid) {
    const lock = await recordPasswordFailure(deps.pool, identifier, passwordLimits(deps));
    if (lock !== null) throw lockedOut(req, lock);
    throw badRequest('invalid_credentials', INVALID_LOGIN);
  }
  await clearPasswordFailures(deps.pool, identifier);
  if (email && !user.email_confirmed_at) throw badRequest('email_not_confirmed', 'Email not confirmed');
  if (phone && !user.phone_confirmed_at) throw badRequest('phone_not_confirmed', 'Phone not confirmed');

  const session = await withTransaction(deps.pool, async (tx) => {
    await audit(tx, req, user, 'login', { provider: email ? 'email' : 'phone' });
    return issueSession(deps, tx, user, 'password', req);
  });
  if ([...password].length < deps.config.minPasswordLength) {
    session.weak_password = {
      reasons: ['length'],
      message: `Password should be at least ${deps.config.minPasswordLength} characters.`,
    };
  }
  return json(session);
}

/** `grant_type=pkce`: the auth code from the redirect plus the verifier the client kept. */
async function pkceGrant(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const authCode = str(req.body, 'auth_code');
  const verifier = str(req.body, 'code_verifier');
  if (!authCode || !verifier) {
    throw badRequest(
      'validation_failed',
      'invalid request: both auth code and code verifier should be non-empty',
    );
  }
  const session = await withTransaction(deps.pool, async (tx) => {
    const flow = await findFlowStateByAuthCode(tx, authCode, true);
    if (!flow?.user_id)
      throw notFound('flow_state_not_found', 'invalid flow state, no valid flow state found');
    if (isFlowStateExpired(flow, deps.config.flowStateExpiry)) {
      throw unprocessable('flow_state_expired', 'invalid flow state, flow state has expired');
    }
    const user = await findUserById(tx, flow.user_id);
    if (!user) throw notFound('flow_state_not_found', 'invalid flow state, no valid flow state found');
    if (!verifyPkce(flow.code_challenge, flow.code_challenge_method, verifier)) {
      throw badRequest('bad_code_verifier', 'code challenge does not match previously saved code verifier');
    }
    await audit(tx, req, user, 'login', { provider_type: flow.provider_type });
    const result = await issueSession(deps, tx, user, flow.authentication_method as SignInMethod, req);
    await deleteFlowState(tx, flow.id);
    return result;
  });
  return json(session);
}

/** POST /token?grant_type=password|refresh_token|pkce. */
export async function handleToken(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const grantType = req.query.get('grant_type') ?? str(req.body, 'grant_type');
  switch (grantType) {
    case 'password':
      return passwordGrant(deps, req);
    case 'refresh_token':
      return json(await refreshTokenGrant(deps, req, str(req.body, 'refresh_token')));
    case 'pkce':
      return pkceGrant(deps, req);
    case 'id_token':
    case 'web3':
      throw badRequest(
        'provider_disabled',
        `grant_type=${grantType} is not supported by the local Auth service (no external identity providers locally).`,
      );
    default:
      throw badRequest('invalid_credentials', 'unsupported_grant_type');
  }
}
