import { randomUUID } from 'node:crypto';
import { audit } from './audit';
import { authenticateAdmin } from './authenticate';
import { confirmEmail, confirmPhone } from './confirm';
import { type Queryable, withTransaction } from './db';
import { actionLink, prepareEmailCode, sendQueued } from './delivery';
import type { AuthDeps } from './deps';
import { badRequest, internal, notFound, unprocessable } from './errors';
import { type AuthRequest, type AuthResult, bool, json, obj, str } from './http';
import { issueOneTimeToken, type OneTimeTokenType } from './one-time-tokens';
import { hashPassword, isBcryptHash, randomPassword } from './passwords';
import {
  AUDIENCE,
  findUserByEmail,
  findUserById,
  findUserByPhone,
  identityData,
  insertIdentity,
  insertUser,
  listUsers,
  mergeMetadata,
  serializeUser,
  type User,
  type UserPatch,
  updateIdentityData,
  updateUser,
} from './users';
import {
  checkPasswordStrength,
  isUuid,
  parseGoDuration,
  resolveRedirect,
  validateEmail,
  validatePhone,
} from './validate';

/**
 * The admin API (`supabase.auth.admin.*`), for a service_role token only: users (list with
 * GoTrue's paging headers, create, read, update, delete), invite and generate_link.
 */

function banUntil(raw: string): Date | null | undefined {
  if (!raw) return undefined;
  if (raw === 'none') return null;
  const ms = parseGoDuration(raw);
  return ms === 0 ? null : new Date(Date.now() + ms);
}

async function loadUser(db: Queryable, id: string): Promise<User> {
  if (!isUuid(id)) throw notFound('validation_failed', 'user_id must be an UUID');
  const user = await findUserById(db, id);
  if (!user) throw notFound('user_not_found', 'User not found');
  return user;
}

/** GET /admin/users?page=&per_page=&filter= with `X-Total-Count` and `Link` like GoTrue's pagination.go. */
async function list(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const pageRaw = req.query.get('page') || '1';
  const perPageRaw = req.query.get('per_page') || '50';
  if (!/^\d+$/.test(pageRaw) || !/^\d+$/.test(perPageRaw)) {
    throw badRequest('validation_failed', 'Bad Pagination Parameters: invalid syntax');
  }
  const page = Math.max(1, Number(pageRaw));
  const perPage = Math.max(1, Number(perPageRaw));
  const { users, total } = await listUsers(deps.pool, {
    page,
    perPage,
    filter: req.query.get('filter') ?? undefined,
  });
  const totalPages = Math.ceil(total / perPage);
  const link = (p: number) => {
    const q = new URLSearchParams(req.query);
    q.set('page', String(p));
    q.sort();
    return `</admin/users?${q.toString()}>`;
  };
  const parts: string[] = [];
  if (totalPages > page) parts.push(`${link(page + 1)}; rel="next"`);
  parts.push(`${link(totalPages)}; rel="last"`);
  return json({ users: users.map(serializeUser), aud: AUDIENCE }, 200, {
    'X-Total-Count': String(total),
    Link: parts.join(', '),
  });
}

/** POST /admin/users. */
async function create(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const b = req.body;
  const email = str(b, 'email') ? validateEmail(str(b, 'email')) : '';
  const phone = str(b, 'phone') ? validatePhone(str(b, 'phone')) : '';
  if (!email && !phone)
    throw badRequest('validation_failed', 'Cannot create a user without either an email or phone');
  const password = typeof b.password === 'string' ? b.password : null;
  const passwordHash = str(b, 'password_hash');
  if (password && passwordHash)
    throw badRequest('validation_failed', 'Only a password or a password hash should be provided');
  if (passwordHash && !isBcryptHash(passwordHash))
    throw badRequest('validation_failed', 'Invalid password hash: only bcrypt hashes are supported locally');
  if (password) checkPasswordStrength(password, deps.config.minPasswordLength);
  const id = str(b, 'id');
  if (id && (!isUuid(id) || id === '00000000-0000-0000-0000-000000000000')) {
    throw badRequest('validation_failed', 'ID must conform to the uuid v4 format');
  }
  const banned = banUntil(str(b, 'ban_duration'));
  const providers = [...(email ? ['email'] : []), ...(phone ? ['phone'] : [])];
  const encrypted = passwordHash || (await hashPassword(password || randomPassword()));

  const user = await withTransaction(deps.pool, async (tx) => {
    if (email && (await findUserByEmail(tx, email))) {
      throw unprocessable('email_exists', 'A user with this email address has already been registered');
    }
    if (phone && (await findUserByPhone(tx, phone))) {
      throw unprocessable('phone_exists', 'Phone number already registered by another user');
    }
    let created: User;
    try {
      created = await insertUser(tx, {
        id: id || randomUUID(),
        email: email || null,
        phone: phone || null,
        encryptedPassword: encrypted,
        userMetadata: obj(b, 'user_metadata') ?? {},
        appMetadata: mergeMetadata({ provider: providers[0], providers }, obj(b, 'app_metadata') ?? {}),
        role: str(b, 'role') || undefined,
        aud: str(b, 'aud') || undefined,
      });
    } catch (err) {
      deps.ctx.log.warn('admin createUser: inserting into auth.users failed', { error: String(err) });
      throw internal('Database error creating new user');
    }
    if (email) await insertIdentity(tx, created.id, 'email', identityData(created.id, { email }));
    if (phone) await insertIdentity(tx, created.id, 'phone', identityData(created.id, { phone }));
    if (bool(b, 'email_confirm', false)) await confirmEmail(tx, created);
    if (bool(b, 'phone_confirm', false)) await confirmPhone(tx, created);
    if (banned !== undefined) await updateUser(tx, created.id, { banned_until: banned });
    await audit(tx, req, 'service_role', 'user_signedup', {
      user_id: created.id,
      user_email: email,
      user_phone: phone,
      provider: providers[0],
    });
    return (await findUserById(tx, created.id))!;
  });
  return json(serializeUser(user));
}

/** PUT /admin/users/{id}. */
async function update(deps: AuthDeps, req: AuthRequest, id: string): Promise<AuthResult> {
  const b = req.body;
  const email = str(b, 'email') ? validateEmail(str(b, 'email')) : '';
  const phone = str(b, 'phone') ? validatePhone(str(b, 'phone')) : '';
  const password = typeof b.password === 'string' ? b.password : null;
  if (password !== null) checkPasswordStrength(password, deps.config.minPasswordLength);
  const banned = banUntil(str(b, 'ban_duration'));
  const encrypted = password !== null ? await hashPassword(password) : null;

  const user = await withTransaction(deps.pool, async (tx) => {
    const user = await loadUser(tx, id);
    const patch: UserPatch = {};
    if (str(b, 'role')) patch.role = str(b, 'role').trim();
    if (bool(b, 'email_confirm', false)) await confirmEmail(tx, user);
    if (bool(b, 'phone_confirm', false)) await confirmPhone(tx, user);
    if (encrypted !== null) {
      patch.encrypted_password = encrypted;
      // A password set by an admin ends the user's sessions, as in GoTrue.
      await tx.query(`delete from auth.sessions where user_id = $1`, [user.id]);
    }
    if (email) {
      if (email !== user.email && (await findUserByEmail(tx, email))) {
        throw unprocessable('email_exists', 'A user with this email address has already been registered');
      }
      const verified = bool(b, 'email_confirm', false);
      if (!(await updateIdentityData(tx, user.id, 'email', { email, email_verified: verified }))) {
        await insertIdentity(tx, user.id, 'email', identityData(user.id, { email, verified }));
      }
      patch.email = email;
      if (user.is_anonymous && verified) patch.is_anonymous = false;
    }
    if (phone) {
      if (phone !== user.phone && (await findUserByPhone(tx, phone))) {
        throw unprocessable('phone_exists', 'A user with this phone number has already been registered');
      }
      const verified = bool(b, 'phone_confirm', false);
      if (!(await updateIdentityData(tx, user.id, 'phone', { phone, phone_verified: verified }))) {
        await insertIdentity(tx, user.id, 'phone', identityData(user.id, { phone, verified }));
      }
      patch.phone = phone;
      if (user.is_anonymous && verified) patch.is_anonymous = false;
    }
    const fresh = (await findUserById(tx, user.id))!;
    const appMeta = obj(b, 'app_metadata');
    if (appMeta) patch.raw_app_meta_data = mergeMetadata(fresh.raw_app_meta_data, appMeta);
    const userMeta = obj(b, 'user_metadata');
    if (userMeta) patch.raw_user_meta_data = mergeMetadata(fresh.raw_user_meta_data, userMeta);
    if (banned !== undefined) patch.banned_until = banned;
    // Like GoTrue, a ban keeps the sessions: their refresh and /user answer `user_banned`.
    await updateUser(tx, user.id, patch);
    await audit(tx, req, 'service_role', 'user_modified', {
      user_id: user.id,
      user_email: email || user.email,
      user_phone: phone || user.phone,
    });
    return (await findUserById(tx, user.id))!;
  });
  return json(serializeUser(user));
}

/** DELETE /admin/users/{id} (`should_soft_delete` keeps an anonymised row, as GoTrue does). */
async function remove(deps: AuthDeps, req: AuthRequest, id: string): Promise<AuthResult> {
  const soft = bool(req.body, 'should_soft_delete', false);
  await withTransaction(deps.pool, async (tx) => {
    const user = await loadUser(tx, id);
    await audit(tx, req, 'service_role', 'user_deleted', {
      user_id: user.id,
      user_email: user.email,
      user_phone: user.phone,
    });
    if (!soft) {
      await tx.query(`delete from auth.users where id = $1`, [user.id]);
      return;
    }
    const obfuscate = (v: string | null) => (v ? `${user.id}-${v.length}@deleted.invalid` : null);
    await tx.query(`delete from auth.sessions where user_id = $1`, [user.id]);
    await tx.query(`delete from auth.identities where user_id = $1`, [user.id]);
    await tx.query(`delete from auth.one_time_tokens where user_id = $1`, [user.id]);
    await tx.query(
      `update auth.users set deleted_at = now(), updated_at = now(), email = $2, phone = null, encrypted_password = '',
         raw_user_meta_data = '{}'::jsonb, raw_app_meta_data = '{}'::jsonb, banned_until = now() + interval '100 years'
       where id = $1`,
      [user.id, obfuscate(user.email)],
    );
  });
  return json({});
}

/** POST /invite: create (or reuse an unconfirmed) user and e-mail them an invitation code and link. */
async function invite(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const email = validateEmail(str(req.body, 'email'));
  const redirectTo = resolveRedirect(
    req.query.get('redirect_to'),
    deps.config.siteUrl,
    deps.config.redirectAllowList,
  );
  const result = await withTransaction(deps.pool, async (tx) => {
    let user = await findUserByEmail(tx, email);
    if (user?.email_confirmed_at)
      throw unprocessable('email_exists', 'A user with this email address has already been registered');
    if (!user) {
      user = await insertUser(tx, {
        email,
        encryptedPassword: '',
        userMetadata: obj(req.body, 'data') ?? {},
        appMetadata: { provider: 'email', providers: ['email'] },
      });
      await insertIdentity(tx, user.id, 'email', identityData(user.id, { email }));
    }
    await audit(tx, req, 'service_role', 'user_invited', { user_id: user.id, user_email: email });
    const { outgoing } = await prepareEmailCode(deps, tx, req, user, 'invite', { pkce: false, redirectTo });
    return { user: (await findUserById(tx, user.id))!, outgoing };
  });
  await sendQueued(deps, result.outgoing);
  return json(serializeUser(result.user));
}

const LINK_TYPES = [
  'signup',
  'invite',
  'magiclink',
  'recovery',
  'email_change_current',
  'email_change_new',
] as const;
type LinkType = (typeof LINK_TYPES)[number];

/**
 * POST /admin/generate_link: the link and code a message would carry, without sending anything.
 * `magiclink` for an unknown address signs the user up first and answers as `signup`.
 */
async function generateLink(deps: AuthDeps, req: AuthRequest): Promise<AuthResult> {
  const b = req.body;
  let type = str(b, 'type') as LinkType;
  const email = validateEmail(str(b, 'email'));
  const redirectTo = resolveRedirect(
    str(b, 'redirect_to') || req.query.get('redirect_to'),
    deps.config.siteUrl,
    deps.config.redirectAllowList,
  );
  if (!LINK_TYPES.includes(type)) {
    throw badRequest('validation_failed', `Invalid email action link type requested: ${type}`);
  }
  const data = obj(b, 'data');
  let password = typeof b.password === 'string' ? b.password : '';
  const newEmail =
    type === 'email_change_current' || type === 'email_change_new' ? validateEmail(str(b, 'new_email')) : '';

  const result = await withTransaction(deps.pool, async (tx) => {
    let user = await findUserByEmail(tx, email);
    if (!user) {
      if (type === 'magiclink') {
        type = 'signup';
        password = randomPassword();
      } else if (type === 'recovery' || type === 'email_change_current' || type === 'email_change_new') {
        throw notFound('user_not_found', 'User with this email not found');
      }
    }
    if (!user && (type === 'signup' || type === 'invite')) {
      if (type === 'signup') {
        if (!password) throw badRequest('validation_failed', 'Signup requires a valid password');
        checkPasswordStrength(password, deps.config.minPasswordLength);
      }
      user = await insertUser(tx, {
        email,
        encryptedPassword: type === 'signup' ? await hashPassword(password) : '',
        userMetadata: data ?? {},
        appMetadata: { provider: 'email', providers: ['email'] },
      });
      await insertIdentity(tx, user.id, 'email', identityData(user.id, { email }));
    } else if (user && (type === 'signup' || type === 'invite') && user.email_confirmed_at) {
      throw unprocessable('email_exists', 'A user with this email address has already been registered');
    } else if (user && type === 'signup' && data) {
      await updateUser(tx, user.id, { raw_user_meta_data: mergeMetadata(user.raw_user_meta_data, data) });
    }
    if (!user) throw internal('Database error finding user');

    let tokenType: OneTimeTokenType;
    let relatesTo = email;
    const extra: UserPatch = {};
    switch (type) {
      case 'magiclink':
      case 'recovery':
        tokenType = 'recovery_token';
        await audit(tx, req, user, 'user_recovery_requested');
        break;
      case 'signup':
        tokenType = 'confirmation_token';
        break;
      case 'invite':
        tokenType = 'confirmation_token';
        extra.invited_at = new Date();
        await audit(tx, req, 'service_role', 'user_invited', { user_id: user.id, user_email: email });
        break;
      default: {
        if (type === 'email_change_current' && !deps.config.secureEmailChange) {
          throw badRequest(
            'validation_failed',
            'Enable secure email change to generate link for current email',
          );
        }
        const other = await findUserByEmail(tx, newEmail);
        if (other && other.id !== user.id) {
          throw unprocessable('email_exists', 'A user with this email address has already been registered');
        }
        tokenType = type === 'email_change_current' ? 'email_change_token_current' : 'email_change_token_new';
        if (type === 'email_change_new') relatesTo = newEmail;
        Object.assign(extra, { email_change: newEmail, email_change_confirm_status: 0 });
      }
    }
    const { otp, hashedToken } = await issueOneTimeToken(tx, {
      userId: user.id,
      type: tokenType,
      relatesTo,
      pkce: false,
      otpLength: deps.config.otpLength,
      userPatch: extra,
    });
    return { user: (await findUserById(tx, user.id))!, otp, hashedToken, type };
  });
  return json({
    ...serializeUser(result.user),
    action_link: actionLink(deps, result.hashedToken, result.type, redirectTo),
    email_otp: result.otp,
    hashed_token: result.hashedToken,
    verification_type: result.type,
    redirect_to: redirectTo,
  });
}

/** Routes below `/admin` plus `/invite`; every one needs an admin token first. */
export async function handleAdmin(deps: AuthDeps, req: AuthRequest): Promise<AuthResult | null> {
  const isAdminPath = req.path.startsWith('/admin/') || req.path === '/invite';
  if (!isAdminPath) return null;
  const route = (): (() => Promise<AuthResult>) | null => {
    if (req.path === '/invite' && req.method === 'POST') return () => invite(deps, req);
    if (req.path === '/admin/generate_link' && req.method === 'POST') return () => generateLink(deps, req);
    if (req.path === '/admin/users') {
      if (req.method === 'GET') return () => list(deps, req);
      if (req.method === 'POST') return () => create(deps, req);
    }
    const m = /^\/admin\/users\/([^/]+)$/.exec(req.path);
    if (m) {
      const id = decodeURIComponent(m[1]);
      if (req.method === 'GET') return async () => json(serializeUser(await loadUser(deps.pool, id)));
      if (req.method === 'PUT') return () => update(deps, req, id);
      if (req.method === 'DELETE') return () => remove(deps, req, id);
    }
    return null;
  };
  const handler = route();
  if (!handler) return null;
  await authenticateAdmin(deps, deps.pool, req);
  return handler();
}
