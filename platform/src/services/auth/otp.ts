import { audit } from './audit';
import { authenticateUser } from './authenticate';
import { withTransaction } from './db';
import { type Outgoing, prepareEmailChange, prepareEmailCode, prepareSmsCode, sendQueued } from './delivery';
import type { AuthDeps } from './deps';
import { badRequest, unprocessable } from './errors';
import { createFlowState } from './flow-state';
import { type AuthRequest, type AuthResult, bool, json, obj, str } from './http';
import { randomPassword } from './passwords';
import { signUpInTx, UserExistsError, validateChannel } from './signup';
import { findUserByEmail, findUserByPhone } from './users';
import { parsePkceParams, resolveRedirect, validateEmail, validatePhone } from './validate';

/** The endpoints that send one-time codes: /otp, /recover, /resend and /reauthenticate. */

function redirectOf(deps: AuthDeps, req: AuthRequest): string {
  return resolveRedirect(req.query.get('redirect_to'), deps.config.siteUrl, deps.config.redirectAllowList);
}

/** POST /otp: an e-mail code plus magic link, or an SMS code; creates the user unless `create_user` is false. */
export async function handleOtp(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const b = req.body;
  const rawEmail = str(b, 'email');
  const rawPhone = str(b, 'phone');
  if (rawEmail && rawPhone)
    throw badRequest('validation_failed', 'Only an email address or phone number should be provided');
  if (rawEmail && str(b, 'channel'))
    throw badRequest('validation_failed', 'Channel should only be specified with Phone OTP');
  const pkce = parsePkceParams(b.code_challenge_method, b.code_challenge);
  if (!rawEmail && !rawPhone) throw badRequest('validation_failed', 'One of email or phone must be set');
  const createUser = bool(b, 'create_user', true);
  const data = obj(b, 'data') ?? {};

  if (rawEmail) {
    const email = validateEmail(rawEmail);
    const redirectTo = redirectOf(deps, req);
    const outgoing = await withTransaction(deps.pool, async (tx) => {
      let user = await findUserByEmail(tx, email);
      if (!user && !createUser) throw unprocessable('otp_disabled', 'Signups not allowed for otp');
      if (!user?.email_confirmed_at) {
        const signup = await signUpInTx(deps, tx, req, {
          provider: 'email',
          email,
          password: randomPassword(),
          data,
          pkce,
          redirectTo,
        }).catch((err) => {
          if (err instanceof UserExistsError) return { user: err.user, outgoing: [] as Outgoing[] };
          throw err;
        });
        // Without autoconfirm the confirmation e-mail is the code; with it, a magic link follows.
        if (!signup.user.email_confirmed_at) return signup.outgoing;
        user = signup.user;
      }
      if (pkce) {
        await createFlowState(tx, {
          userId: user.id,
          providerType: 'magiclink',
          authenticationMethod: 'magiclink',
          pkce,
        });
      }
      await audit(tx, req, user, 'user_recovery_requested');
      return (await prepareEmailCode(deps, tx, req, user, 'magiclink', { pkce: !!pkce, redirectTo }))
        .outgoing;
    });
    await sendQueued(deps, outgoing);
    return json({});
  }

  validateChannel(str(b, 'channel'));
  const phone = validatePhone(rawPhone);
  const result = await withTransaction(deps.pool, async (tx) => {
    let user = await findUserByPhone(tx, phone);
    if (!user && !createUser) throw unprocessable('otp_disabled', 'Signups not allowed for otp');
    if (!user?.phone_confirmed_at) {
      const signup = await signUpInTx(deps, tx, req, {
        provider: 'phone',
        phone,
        password: randomPassword(),
        data,
        pkce: null,
        redirectTo: deps.config.siteUrl,
      });
      if (!signup.user.phone_confirmed_at)
        return { outgoing: signup.outgoing, messageId: undefined, fresh: true };
      user = signup.user;
    }
    await audit(tx, req, user, 'user_recovery_requested', { channel: 'sms' });
    const sms = await prepareSmsCode(deps, tx, req, user, phone, 'confirmation');
    return { ...sms, fresh: false };
  });
  const sent = await sendQueued(deps, result.outgoing);
  // GoTrue answers a first-time phone sign-up with `{}` and an existing user with the message id.
  if (result.fresh) return json({});
  const messageId = result.messageId ?? sent;
  return json(messageId ? { message_id: messageId } : {});
}

/** POST /recover: a password-recovery code and link; `{}` whether or not the address is known. */
export async function handleRecover(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const b = req.body;
  if (!str(b, 'email')) throw badRequest('validation_failed', 'Password recovery requires an email');
  const email = validateEmail(str(b, 'email'));
  const pkce = parsePkceParams(b.code_challenge_method, b.code_challenge);
  const redirectTo = redirectOf(deps, req);
  const outgoing = await withTransaction(deps.pool, async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (!user) return [];
    if (pkce)
      await createFlowState(tx, {
        userId: user.id,
        providerType: 'recovery',
        authenticationMethod: 'recovery',
        pkce,
      });
    await audit(tx, req, user, 'user_recovery_requested');
    return (await prepareEmailCode(deps, tx, req, user, 'recovery', { pkce: !!pkce, redirectTo })).outgoing;
  });
  await sendQueued(deps, outgoing);
  return json({});
}

/** POST /resend: the pending sign-up, e-mail-change, SMS or phone-change code again. */
export async function handleResend(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const b = req.body;
  const type = str(b, 'type');
  if (!['signup', 'email_change', 'sms', 'phone_change'].includes(type)) {
    throw badRequest(
      'validation_failed',
      'Missing one of these types: signup, email_change, sms, phone_change',
    );
  }
  const pkce =
    type === 'signup' || type === 'email_change'
      ? parsePkceParams(b.code_challenge_method, b.code_challenge)
      : null;
  if (!str(b, 'email') && type === 'signup')
    throw badRequest('validation_failed', 'Type provided requires an email address');
  if (!str(b, 'phone') && type === 'sms')
    throw badRequest('validation_failed', 'Type provided requires a phone number');
  if (str(b, 'email') && str(b, 'phone')) {
    throw badRequest('validation_failed', 'Only an email address or phone number should be provided.');
  }
  if (!str(b, 'email') && !str(b, 'phone'))
    throw badRequest('validation_failed', 'Missing email address or phone number');
  const email = str(b, 'email') ? validateEmail(str(b, 'email')) : null;
  const phone = str(b, 'phone') ? validatePhone(str(b, 'phone')) : null;
  const redirectTo = redirectOf(deps, req);

  const result = await withTransaction(deps.pool, async (tx) => {
    const user = email ? await findUserByEmail(tx, email) : await findUserByPhone(tx, phone!);
    const nothing = { outgoing: [] as Outgoing[], messageId: undefined as string | undefined };
    if (!user) return nothing;
    switch (type) {
      case 'signup': {
        if (user.email_confirmed_at) return nothing;
        await audit(tx, req, user, 'user_confirmation_requested');
        if (pkce) {
          await createFlowState(tx, {
            userId: user.id,
            providerType: 'email',
            authenticationMethod: 'email/signup',
            pkce,
          });
        }
        return {
          ...nothing,
          ...(await prepareEmailCode(deps, tx, req, user, 'signup', { pkce: !!pkce, redirectTo })),
        };
      }
      case 'sms': {
        if (user.phone_confirmed_at) return nothing;
        await audit(tx, req, user, 'user_recovery_requested');
        return prepareSmsCode(deps, tx, req, user, phone!, 'confirmation');
      }
      case 'email_change': {
        if (!user.email_change) return nothing;
        if (pkce) {
          await createFlowState(tx, {
            userId: user.id,
            providerType: 'email_change',
            authenticationMethod: 'email_change',
            pkce,
          });
        }
        return {
          ...nothing,
          ...(await prepareEmailChange(deps, tx, req, user, user.email_change, { pkce: !!pkce, redirectTo })),
        };
      }
      default: {
        if (!user.phone_change) return nothing;
        return prepareSmsCode(deps, tx, req, user, user.phone_change, 'phone_change');
      }
    }
  });
  const sent = await sendQueued(deps, result.outgoing);
  const messageId = result.messageId ?? sent;
  return json(messageId ? { message_id: messageId } : {});
}

/** GET /reauthenticate: a code to the signed-in user's e-mail (or phone) to confirm a sensitive change. */
export async function handleReauthenticate(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const result = await withTransaction(deps.pool, async (tx) => {
    const { user } = await authenticateUser(deps, tx, req);
    if (!user.email && !user.phone) {
      throw badRequest(
        'validation_failed',
        'Reauthentication requires the user to have an email or a phone number',
      );
    }
    if (user.email && !user.email_confirmed_at)
      throw unprocessable('email_not_confirmed', 'Please verify your email first.');
    if (!user.email && !user.phone_confirmed_at)
      throw unprocessable('phone_not_confirmed', 'Please verify your phone first.');
    await audit(tx, req, user, 'user_reauthenticate_requested');
    if (user.email) {
      const r = await prepareEmailCode(deps, tx, req, user, 'reauthentication', {
        pkce: false,
        redirectTo: deps.config.siteUrl,
      });
      return { outgoing: r.outgoing, messageId: undefined };
    }
    return prepareSmsCode(deps, tx, req, user, user.phone!, 'reauthentication');
  });
  const sent = await sendQueued(deps, result.outgoing);
  const messageId = result.messageId ?? sent;
  return json(messageId ? { message_id: messageId } : {});
}
