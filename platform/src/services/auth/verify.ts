import { audit } from './audit';
import { confirmEmail, confirmPhone, markEmailIdentityVerified, spendRecoveryCode } from './confirm';
import { CommitThenThrow, type Queryable, withTransaction } from './db';
import type { AuthDeps } from './deps';
import { AuthError, badRequest, forbidden, unprocessable } from './errors';
import { authMethodForVerifyType, issueAuthCode } from './flow-state';
import { type AuthRequest, type AuthResult, json, redirect, str } from './http';
import { recordOtpFailure } from './limits';
import { limitMessages, pickMessage } from './messages';
import {
  clearAllOneTimeTokens,
  findOneTimeTokenByHash,
  matchesOtp,
  type OneTimeTokenType,
} from './one-time-tokens';
import { hashPassword, randomPassword } from './passwords';
import { issueSession, type SessionResponse } from './sessions';
import {
  findUserByEmail,
  findUserById,
  findUserByPhone,
  findUserByPhoneChange,
  identityData,
  insertIdentity,
  isBanned,
  syncProviders,
  type User,
  updateIdentityData,
  updateUser,
} from './users';
import { resolveRedirect, tokenHash, validateEmail, validatePhone } from './validate';

/**
 * POST /verify (a code typed by the user, or a `token_hash`) and GET /verify (the e-mail link),
 * following GoTrue's internal/api/verify.go. Each wrong code counts against that code; at the
 * limit the code is burnt. A code works once and expires after `otpExpiry` seconds.
 */
type VerifyType =
  | 'signup'
  | 'invite'
  | 'magiclink'
  | 'recovery'
  | 'email_change'
  | 'email'
  | 'sms'
  | 'phone_change';
const EMAIL_TYPES = ['signup', 'invite', 'magiclink', 'recovery', 'email_change', 'email'];

const INVALID_TOKEN = 'Token has expired or is invalid';
const INVALID_LINK = 'Email link is invalid or has expired';
const SINGLE_CONFIRMATION =
  'Confirmation link accepted. Please proceed to confirm link sent to the other email';

/** The token types a verification type may consume. */
function tokenTypesFor(type: VerifyType): OneTimeTokenType[] {
  switch (type) {
    case 'email':
      return ['confirmation_token', 'recovery_token'];
    case 'signup':
    case 'invite':
    case 'sms':
      return ['confirmation_token'];
    case 'magiclink':
    case 'recovery':
      return ['recovery_token'];
    case 'email_change':
      return ['email_change_token_current', 'email_change_token_new'];
    case 'phone_change':
      return ['phone_change_token'];
  }
}

function notExpired(deps: AuthDeps, sentAt: Date | null): boolean {
  return !!sentAt && Date.now() <= sentAt.getTime() + deps.config.otpExpiry * 1000;
}

type Verified = { user: User; type: VerifyType; hash: string };

/** A link's `token_hash` (e-mail types only, as in GoTrue). */
async function userFromTokenHash(
  deps: AuthDeps,
  db: Queryable,
  type: VerifyType,
  hash: string,
): Promise<Verified> {
  if (!EMAIL_TYPES.includes(type)) throw badRequest('validation_failed', 'Invalid email verification type');
  const ott = await findOneTimeTokenByHash(db, hash, tokenTypesFor(type));
  const user = ott ? await findUserById(db, ott.user_id) : null;
  if (!ott || !user) throw forbidden('otp_expired', INVALID_LINK);
  if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
  let effective = type;
  let sentAt: Date | null;
  switch (ott.token_type) {
    case 'confirmation_token':
      sentAt = user.confirmation_sent_at;
      if (type === 'email') effective = 'signup';
      break;
    case 'recovery_token':
      sentAt = user.recovery_sent_at;
      if (type === 'email') effective = 'magiclink';
      break;
    default:
      sentAt = user.email_change_sent_at;
  }
  if (!notExpired(deps, sentAt)) throw forbidden('otp_expired', INVALID_LINK);
  return { user, type: effective, hash: ott.token_hash };
}

/** A code typed with the e-mail address or phone it was sent to. Wrong codes are counted (and committed). */
async function userFromCode(
  deps: AuthDeps,
  db: Queryable,
  req: AuthRequest,
  type: VerifyType,
  identifier: string,
  otp: string,
): Promise<Verified> {
  let user: User | null;
  if (type === 'sms') user = await findUserByPhone(db, identifier);
  else if (type === 'phone_change') user = await findUserByPhoneChange(db, identifier);
  else if (type === 'email_change') {
    const ott = await findOneTimeTokenByHash(db, tokenHash(identifier, otp), tokenTypesFor(type));
    user = ott ? await findUserById(db, ott.user_id) : null;
  } else user = await findUserByEmail(db, identifier);
  if (!user) throw forbidden('otp_expired', INVALID_TOKEN);
  if (isBanned(user)) throw forbidden('user_banned', 'User is banned');

  const ok = (stored: string | null, sentAt: Date | null) =>
    notExpired(deps, sentAt) && matchesOtp(stored, identifier, otp);
  let effective: VerifyType | null = null;
  switch (type) {
    case 'email':
      if (ok(user.confirmation_token, user.confirmation_sent_at)) effective = 'signup';
      else if (ok(user.recovery_token, user.recovery_sent_at)) effective = 'magiclink';
      break;
    case 'signup':
    case 'invite':
      if (ok(user.confirmation_token, user.confirmation_sent_at)) effective = type;
      break;
    case 'recovery':
    case 'magiclink':
      if (ok(user.recovery_token, user.recovery_sent_at)) effective = type;
      break;
    case 'email_change':
      if (
        ok(user.email_change_token_current, user.email_change_sent_at) ||
        ok(user.email_change_token_new, user.email_change_sent_at)
      ) {
        effective = type;
      }
      break;
    case 'sms': {
      const fixed = deps.config.smsTestOtp.get(identifier);
      if ((fixed && fixed === otp) || ok(user.confirmation_token, user.confirmation_sent_at))
        effective = type;
      break;
    }
    case 'phone_change': {
      const fixed = deps.config.smsTestOtp.get(identifier);
      if ((fixed && fixed === otp) || ok(user.phone_change_token, user.phone_change_sent_at))
        effective = type;
      break;
    }
  }
  if (!effective) {
    const burnt = await recordOtpFailure(db, user.id, tokenTypesFor(type), deps.config.otpMaxAttempts);
    const message = burnt ? pickMessage(limitMessages.codeBurnt(), req.acceptLanguage) : INVALID_TOKEN;
    throw new CommitThenThrow(forbidden('otp_expired', message));
  }
  return { user, type: effective, hash: tokenHash(identifier, otp) };
}

/** Applies a verified code; returns the user to sign in, or null after the first of two e-mail-change confirmations. */
async function applyVerification(
  deps: AuthDeps,
  db: Queryable,
  req: AuthRequest,
  v: Verified,
  phone: string,
): Promise<User | null> {
  const { user } = v;
  switch (v.type) {
    case 'signup':
    case 'invite': {
      if (!user.encrypted_password && user.invited_at) {
        // An invited user has no password yet; like GoTrue, set a random one the app asks them to replace.
        await updateUser(db, user.id, { encrypted_password: await hashPassword(randomPassword()) });
      }
      await audit(db, req, user, 'user_signedup', { provider: 'email' });
      await confirmEmail(db, user);
      await markEmailIdentityVerified(db, user);
      break;
    }
    case 'magiclink':
    case 'recovery':
      await spendRecoveryCode(db, user);
      await audit(db, req, user, 'login');
      break;
    case 'email_change':
      return applyEmailChange(deps, db, req, user, v.hash);
    case 'sms':
      await audit(db, req, user, 'user_signedup', { provider: 'phone' });
      await confirmPhone(db, user);
      break;
    case 'phone_change':
      await applyPhoneChange(db, req, user, phone);
      break;
    default:
      throw badRequest('validation_failed', 'Unsupported verification type');
  }
  if (user.is_anonymous) await updateUser(db, user.id, { is_anonymous: false });
  return user;
}

async function applyEmailChange(deps: AuthDeps, db: Queryable, req: AuthRequest, user: User, hash: string) {
  const bare = hash.replace(/^pkce_/, '');
  const usedCurrent = user.email_change_token_current?.replace(/^pkce_/, '') === bare;
  const needsBoth =
    !deps.config.emailAutoconfirm &&
    deps.config.secureEmailChange &&
    (user.email_change_confirm_status ?? 0) === 0 &&
    !!user.email;
  if (needsBoth && user.email_change_token_current && user.email_change_token_new) {
    const type: OneTimeTokenType = usedCurrent ? 'email_change_token_current' : 'email_change_token_new';
    await db.query(`delete from auth.one_time_tokens where user_id = $1 and token_type = $2`, [
      user.id,
      type,
    ]);
    await updateUser(db, user.id, { email_change_confirm_status: 1, [type]: '' });
    return null;
  }
  const newEmail = user.email_change ?? '';
  if (!newEmail) throw forbidden('otp_expired', INVALID_TOKEN);
  await audit(db, req, user, 'user_modified');
  const updated = await updateIdentityData(db, user.id, 'email', { email: newEmail, email_verified: true });
  if (!updated)
    await insertIdentity(db, user.id, 'email', identityData(user.id, { email: newEmail, verified: true }));
  await updateUser(db, user.id, {
    email: newEmail,
    email_change: '',
    email_change_token_current: '',
    email_change_token_new: '',
    email_change_confirm_status: 0,
  });
  await clearAllOneTimeTokens(db, user.id);
  if (!user.email_confirmed_at) await confirmEmail(db, { ...user, email: newEmail });
  return user;
}

async function applyPhoneChange(db: Queryable, req: AuthRequest, user: User, phone: string) {
  const newPhone = user.phone_change || phone;
  await audit(db, req, user, 'user_modified');
  const updated = await updateIdentityData(db, user.id, 'phone', { phone: newPhone, phone_verified: true });
  if (!updated)
    await insertIdentity(db, user.id, 'phone', identityData(user.id, { phone: newPhone, verified: true }));
  await updateUser(db, user.id, {
    phone: newPhone,
    phone_change: '',
    phone_change_token: '',
    phone_confirmed_at: new Date(),
  });
  await clearAllOneTimeTokens(db, user.id);
}

/** POST /verify: a session for the verified user (or the single-confirmation message of a secure e-mail change). */
export async function handleVerifyPost(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const b = req.body;
  const type = str(b, 'type') as VerifyType;
  const token = str(b, 'token');
  const hash = str(b, 'token_hash');
  let email = str(b, 'email');
  let phone = str(b, 'phone');
  if (!type) throw badRequest('validation_failed', 'Verify requires a verification type');
  if ((token === '') === (hash === ''))
    throw badRequest('validation_failed', 'Verify requires either a token or a token hash');
  if (token) {
    if (phone && !email) phone = validatePhone(phone);
    else if (email && !phone) {
      try {
        email = validateEmail(email);
      } catch {
        throw unprocessable('validation_failed', 'Invalid email format');
      }
    } else
      throw badRequest(
        'validation_failed',
        'Only an email address or phone number should be provided on verify',
      );
  } else if (email || phone || str(b, 'redirect_to')) {
    throw badRequest('validation_failed', 'Only the token_hash and type should be provided');
  }
  if (![...EMAIL_TYPES, 'sms', 'phone_change'].includes(type)) {
    throw badRequest('validation_failed', 'Unsupported verification type');
  }

  const outcome = await withTransaction(deps.pool, async (tx): Promise<SessionResponse | null> => {
    const verified = token
      ? await userFromCode(deps, tx, req, type, phone || email, token)
      : await userFromTokenHash(deps, tx, type, hash);
    const user = await applyVerification(deps, tx, req, verified, phone);
    if (!user) return null;
    await syncProviders(tx, user.id);
    const fresh = (await findUserById(tx, user.id))!;
    return issueSession(deps, tx, fresh, 'otp', req);
  });
  if (!outcome) return json({ msg: SINGLE_CONFIRMATION, code: '200' });
  return json(outcome);
}

const OAUTH_ERROR: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized_client',
  403: 'access_denied',
  500: 'server_error',
  503: 'temporarily_unavailable',
};

/** GoTrue's prepErrorRedirectURL: the error in the fragment, and in the query too for PKCE. */
function errorRedirect(target: string, err: AuthError, pkce: boolean): string {
  const url = new URL(target);
  const fragment = new URLSearchParams();
  const oauth = OAUTH_ERROR[err.status];
  if (oauth) fragment.set('error', oauth);
  fragment.set('error_code', err.code);
  fragment.set('error_description', err.message);
  fragment.set('sb', '');
  if (pkce) {
    if (oauth) url.searchParams.set('error', oauth);
    url.searchParams.set('error_code', err.code);
    url.searchParams.set('error_description', err.message);
  }
  url.hash = fragment.toString();
  return url.toString();
}

/** GET /verify?token=&type=&redirect_to=: opens an e-mail link and redirects (303) back to the app. */
export async function handleVerifyGet(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const type = (req.query.get('type') ?? '') as VerifyType;
  const token = req.query.get('token') ?? '';
  if (!type) throw badRequest('validation_failed', 'Verify requires a verification type');
  if (!token) throw badRequest('validation_failed', 'Verify requires a token or a token hash');
  const target = resolveRedirect(
    req.query.get('redirect_to'),
    deps.config.siteUrl,
    deps.config.redirectAllowList,
  );
  const pkce = token.startsWith('pkce_');
  try {
    const outcome = await withTransaction(deps.pool, async (tx) => {
      const verified = await userFromTokenHash(deps, tx, type, token);
      const user = await applyVerification(deps, tx, req, verified, '');
      if (!user) return { kind: 'message' as const };
      await syncProviders(tx, user.id);
      if (pkce) {
        const method = authMethodForVerifyType(verified.type);
        const code = method ? await issueAuthCode(tx, user.id, method) : null;
        if (!code)
          throw badRequest(
            'flow_state_not_found',
            'No associated flow state found. No valid flow state found for user.',
          );
        return { kind: 'code' as const, code };
      }
      const fresh = (await findUserById(tx, user.id))!;
      return {
        kind: 'session' as const,
        session: await issueSession(deps, tx, fresh, 'otp', req),
        type: verified.type,
      };
    });
    const url = new URL(target);
    if (outcome.kind === 'message') {
      const fragment = new URLSearchParams({ message: SINGLE_CONFIRMATION, sb: '' });
      if (pkce) url.searchParams.set('message', SINGLE_CONFIRMATION);
      url.hash = fragment.toString();
      return redirect(url.toString());
    }
    if (outcome.kind === 'code') {
      url.searchParams.set('code', outcome.code);
      return redirect(url.toString());
    }
    const s = outcome.session;
    const fragment = new URLSearchParams({
      access_token: s.access_token,
      expires_at: String(s.expires_at),
      expires_in: String(s.expires_in),
      refresh_token: s.refresh_token,
      sb: '',
      token_type: 'bearer',
      type: outcome.type,
    });
    return redirect(`${target}#${fragment.toString()}`);
  } catch (err) {
    if (err instanceof AuthError) return redirect(errorRedirect(target, err, pkce));
    throw err;
  }
}
