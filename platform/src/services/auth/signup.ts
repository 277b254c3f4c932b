import { randomUUID } from 'node:crypto';
import { audit } from './audit';
import { confirmEmail, confirmPhone } from './confirm';
import { type Queryable, withTransaction } from './db';
import { type Outgoing, prepareEmailCode, prepareSmsCode, sendQueued } from './delivery';
import type { AuthDeps } from './deps';
import { AuthError, badRequest, internal, unprocessable } from './errors';
import { createFlowState } from './flow-state';
import { type AuthRequest, type AuthResult, json, obj, str } from './http';
import { hashPassword } from './passwords';
import { issueSession } from './sessions';
import {
  findUserByEmail,
  findUserById,
  findUserByPhone,
  identityData,
  insertIdentity,
  insertUser,
  serializeUser,
  type User,
} from './users';
import {
  checkPasswordStrength,
  parsePkceParams,
  resolveRedirect,
  validateEmail,
  validatePhone,
} from './validate';

export type SignupParams = {
  provider: 'email' | 'phone';
  email?: string;
  phone?: string;
  password: string;
  data: Record<string, unknown>;
  pkce: ReturnType<typeof parsePkceParams>;
  redirectTo: string;
};

export class UserExistsError extends Error {
  constructor(readonly user: User) {
    super('user already exists');
  }
}

export function validateChannel(channel: string): void {
  if (channel !== '' && channel !== 'sms') {
    throw badRequest(
      'validation_failed',
      "Invalid channel, supported values are 'sms' or 'whatsapp'. 'whatsapp' is only supported if Twilio or Twilio Verify is used as the provider.",
    );
  }
}

/** A database error raised inside a sign-up, e.g. by an app trigger on auth.users, as GoTrue reports it. */
function savingUserFailed(deps: AuthDeps, err: unknown): never {
  if (err instanceof AuthError) throw err;
  deps.ctx.log.warn('inserting into auth.users failed (an auth.users trigger?)', { error: String(err) });
  throw internal('Database error saving new user');
}

/**
 * GoTrue's sign-up core, shared by POST /signup and POST /otp: finds or creates the user (an
 * unconfirmed one is reused as it is), adds the identity, then confirms at once (autoconfirm) or
 * queues the confirmation code. Throws `UserExistsError` for a confirmed address.
 */
export async function signUpInTx(
  deps: AuthDeps,
  tx: Queryable,
  req: AuthRequest,
  p: SignupParams,
): Promise<{ user: User; outgoing: Outgoing[]; messageId?: string }> {
  if (deps.config.disableSignup)
    throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
  let user =
    p.provider === 'email' ? await findUserByEmail(tx, p.email!) : await findUserByPhone(tx, p.phone!);
  if (user) {
    const confirmed = p.provider === 'email' ? user.email_confirmed_at : user.phone_confirmed_at;
    if (confirmed) throw new UserExistsError(user);
  } else {
    const id = randomUUID();
    try {
      user = await insertUser(tx, {
        id,
        email: p.provider === 'email' ? p.email : null,
        phone: p.provider === 'phone' ? p.phone : null,
        encryptedPassword: await hashPassword(p.password),
        userMetadata: p.data,
        appMetadata: { provider: p.provider, providers: [p.provider] },
      });
    } catch (err) {
      savingUserFailed(deps, err);
    }
  }
  if (!user.identities.some((i) => i.provider === p.provider)) {
    const data = identityData(user.id, { email: p.email, phone: p.phone });
    for (const [k, v] of Object.entries(p.data)) if (!(k in data)) data[k] = v;
    await insertIdentity(tx, user.id, p.provider, data);
  }

  let outgoing: Outgoing[] = [];
  let messageId: string | undefined;
  if (p.provider === 'email' && !user.email_confirmed_at) {
    if (deps.config.emailAutoconfirm) {
      await audit(tx, req, user, 'user_signedup', { provider: 'email' });
      await confirmEmail(tx, user);
    } else {
      await audit(tx, req, user, 'user_confirmation_requested', { provider: 'email' });
      if (p.pkce) {
        await createFlowState(tx, {
          userId: user.id,
          providerType: 'email',
          authenticationMethod: 'email/signup',
          pkce: p.pkce,
        });
      }
      ({ outgoing } = await prepareEmailCode(deps, tx, req, user, 'signup', {
        pkce: !!p.pkce,
        redirectTo: p.redirectTo,
      }));
    }
  } else if (p.provider === 'phone' && !user.phone_confirmed_at) {
    if (deps.config.smsAutoconfirm) {
      await audit(tx, req, user, 'user_signedup', { provider: 'phone', channel: 'sms' });
      await confirmPhone(tx, user);
    } else {
      await audit(tx, req, user, 'user_confirmation_requested', { provider: 'phone' });
      ({ outgoing, messageId } = await prepareSmsCode(deps, tx, req, user, p.phone!, 'confirmation'));
    }
  }
  return { user: (await findUserById(tx, user.id))!, outgoing, messageId };
}

/** What GoTrue answers for a repeated sign-up without autoconfirm: a plausible fake user, so accounts cannot be enumerated. */
function sanitizedUser(p: SignupParams): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    aud: 'authenticated',
    role: '',
    email: p.provider === 'email' ? p.email : '',
    phone: p.provider === 'phone' ? p.phone : '',
    confirmation_sent_at: now,
    app_metadata: { provider: p.provider, providers: [p.provider] },
    user_metadata: p.data,
    identities: [],
    created_at: now,
    updated_at: now,
    is_anonymous: false,
  };
}

/** Reads and validates the body of POST /signup into sign-up parameters. */
export function parseSignupParams(deps: AuthDeps, req: AuthRequest): SignupParams {
  const b = req.body;
  const email = str(b, 'email');
  const phone = str(b, 'phone');
  const password = str(b, 'password');
  if (!email && !phone && !password) {
    throw unprocessable('anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
  }
  if (!password) throw badRequest('validation_failed', 'Signup requires a valid password');
  checkPasswordStrength(password, deps.config.minPasswordLength);
  if (email && phone) {
    throw badRequest(
      'validation_failed',
      'Only an email address or phone number should be provided on signup.',
    );
  }
  if (phone) validateChannel(str(b, 'channel'));
  if (phone && str(b, 'code_challenge'))
    throw badRequest('validation_failed', 'PKCE not supported for phone signups');
  const pkce = parsePkceParams(b.code_challenge_method, b.code_challenge);
  if (!email && !phone)
    throw badRequest('validation_failed', 'Sign up only available with email or phone provider');
  return {
    provider: email ? 'email' : 'phone',
    email: email ? validateEmail(email) : undefined,
    phone: phone ? validatePhone(phone) : undefined,
    password,
    data: obj(b, 'data') ?? {},
    pkce,
    redirectTo: resolveRedirect(
      req.query.get('redirect_to'),
      deps.config.siteUrl,
      deps.config.redirectAllowList,
    ),
  };
}

/** POST /signup: a session when the address is (auto)confirmed, otherwise the bare user and a code on its way. */
export async function handleSignup(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const p = parseSignupParams(deps, req);
  try {
    const result = await withTransaction(deps.pool, async (tx) => {
      const { user, outgoing } = await signUpInTx(deps, tx, req, p);
      const confirmed = p.provider === 'email' ? user.email_confirmed_at : user.phone_confirmed_at;
      if (!confirmed) return { body: serializeUser(user), outgoing };
      await audit(tx, req, user, 'login', { provider: p.provider });
      return { body: await issueSession(deps, tx, user, 'password', req), outgoing };
    });
    await sendQueued(deps, result.outgoing);
    return json(result.body);
  } catch (err) {
    if (!(err instanceof UserExistsError)) throw err;
    await audit(deps.pool, req, err.user, 'user_repeated_signup', { provider: p.provider });
    if (deps.config.emailAutoconfirm || deps.config.smsAutoconfirm) {
      throw unprocessable('user_already_exists', 'User already registered');
    }
    return json(sanitizedUser(p));
  }
}
