import { audit } from './audit';
import { authenticateUser } from './authenticate';
import { confirmPhone } from './confirm';
import { withTransaction } from './db';
import { type Outgoing, prepareEmailChange, prepareSmsCode, sendQueued } from './delivery';
import type { AuthDeps } from './deps';
import { badRequest, forbidden, unprocessable } from './errors';
import { createFlowState } from './flow-state';
import { type AuthRequest, type AuthResult, json, noContent, obj, str } from './http';
import { matchesOtp } from './one-time-tokens';
import { hashPassword, verifyPassword } from './passwords';
import { type LogoutScope, logout } from './sessions';
import { validateChannel } from './signup';
import {
  findUserByEmail,
  findUserById,
  findUserByPhone,
  identityData,
  insertIdentity,
  mergeMetadata,
  serializeUser,
  updateIdentityData,
  updateUser,
} from './users';
import {
  checkPasswordStrength,
  parsePkceParams,
  resolveRedirect,
  validateEmail,
  validatePhone,
} from './validate';

/** GET /user: the signed-in user. */
export async function handleGetUser(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const { user } = await authenticateUser(deps, deps.pool, req);
  return json(serializeUser(user));
}

/**
 * PUT /user: user_metadata, password, and e-mail or phone changes. A new e-mail or phone is
 * confirmed with a code sent to it (and, with secure e-mail change, to the current address).
 */
export async function handleUpdateUser(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const b = req.body;
  const email = str(b, 'email') ? validateEmail(str(b, 'email')) : '';
  const phone = str(b, 'phone') ? validatePhone(str(b, 'phone')) : '';
  if (phone) validateChannel(str(b, 'channel'));
  const password = typeof b.password === 'string' ? b.password : null;
  if (password !== null && password !== '') checkPasswordStrength(password, deps.config.minPasswordLength);
  const nonce = str(b, 'nonce');
  const data = obj(b, 'data');
  const pkce = parsePkceParams(b.code_challenge_method, b.code_challenge);
  const redirectTo = resolveRedirect(
    req.query.get('redirect_to'),
    deps.config.siteUrl,
    deps.config.redirectAllowList,
  );

  const result = await withTransaction(deps.pool, async (tx) => {
    const { user, session } = await authenticateUser(deps, tx, req);
    if (b.app_metadata !== undefined) {
      throw forbidden('not_admin', 'Updating app_metadata requires admin privileges');
    }
    if (email && email !== user.email && (await findUserByEmail(tx, email))) {
      throw unprocessable('email_exists', 'A user with this email address has already been registered');
    }
    if (phone && phone !== user.phone && (await findUserByPhone(tx, phone))) {
      throw unprocessable('phone_exists', 'A user with this phone number has already been registered');
    }

    const outgoing: Outgoing[] = [];
    if (password !== null) {
      if (nonce) {
        const target = user.email || user.phone || '';
        const fresh =
          !!user.reauthentication_sent_at &&
          Date.now() <= user.reauthentication_sent_at.getTime() + deps.config.otpExpiry * 1000;
        if (!fresh || !matchesOtp(user.reauthentication_token, target, nonce)) {
          throw unprocessable('reauthentication_not_valid', 'Nonce has expired or is invalid');
        }
      }
      if (password !== '' && (await verifyPassword(password, user.encrypted_password))) {
        throw unprocessable('same_password', 'New password should be different from the old password.');
      }
      // A new password ends trust in pending codes and every other session (GoTrue's UpdatePassword).
      await updateUser(tx, user.id, {
        encrypted_password: password === '' ? '' : await hashPassword(password),
        confirmation_token: '',
        recovery_token: '',
        email_change_token_current: '',
        email_change_token_new: '',
        phone_change_token: '',
        reauthentication_token: '',
      });
      await tx.query(`delete from auth.one_time_tokens where user_id = $1`, [user.id]);
      await logout(tx, user.id, session?.id ?? null, session ? 'others' : 'global');
      await audit(tx, req, user, 'user_updated_password');
    }
    if (data) {
      await updateUser(tx, user.id, { raw_user_meta_data: mergeMetadata(user.raw_user_meta_data, data) });
    }
    if (email && email !== user.email) {
      if (pkce) {
        await createFlowState(tx, {
          userId: user.id,
          providerType: 'email_change',
          authenticationMethod: 'email_change',
          pkce,
        });
      }
      outgoing.push(
        ...(await prepareEmailChange(deps, tx, req, user, email, { pkce: !!pkce, redirectTo })).outgoing,
      );
    }
    if (phone && phone !== user.phone) {
      if (deps.config.smsAutoconfirm) {
        const updated = await updateIdentityData(tx, user.id, 'phone', { phone, phone_verified: true });
        if (!updated)
          await insertIdentity(tx, user.id, 'phone', identityData(user.id, { phone, verified: true }));
        await updateUser(tx, user.id, { phone, phone_change: '' });
        await confirmPhone(tx, user);
      } else {
        outgoing.push(...(await prepareSmsCode(deps, tx, req, user, phone, 'phone_change')).outgoing);
      }
    }
    await audit(tx, req, user, 'user_modified');
    return { user: (await findUserById(tx, user.id))!, outgoing };
  });
  await sendQueued(deps, result.outgoing);
  return json(serializeUser(result.user));
}

/** POST /logout?scope=global|local|others → 204. */
export async function handleLogout(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const raw = req.query.get('scope') ?? '';
  const scope: LogoutScope | null =
    raw === '' || raw === 'global' ? 'global' : raw === 'local' || raw === 'others' ? raw : null;
  if (!scope) throw badRequest('validation_failed', `Unsupported logout scope "${raw}"`);
  await withTransaction(deps.pool, async (tx) => {
    const { user, session } = await authenticateUser(deps, tx, req);
    await audit(tx, req, user, 'logout');
    await logout(tx, user.id, session?.id ?? null, scope);
  });
  return noContent();
}
