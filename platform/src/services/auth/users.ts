import { randomUUID } from 'node:crypto';
import type { Queryable } from './db';

/**
 * `auth.users` and `auth.identities`, read and written with plain SQL so that the app's
 * triggers on `auth.users` fire and foreign keys to `auth.users(id)` hold, exactly as they do
 * under hosted GoTrue.
 */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
export const AUDIENCE = 'authenticated';

type Json = Record<string, unknown>;

export type UserRow = {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  confirmation_token: string | null;
  confirmation_sent_at: Date | null;
  recovery_token: string | null;
  recovery_sent_at: Date | null;
  email_change_token_new: string | null;
  email_change: string | null;
  email_change_sent_at: Date | null;
  email_change_token_current: string | null;
  email_change_confirm_status: number | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Json | null;
  raw_user_meta_data: Json | null;
  created_at: Date | null;
  updated_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  phone_change: string | null;
  phone_change_token: string | null;
  phone_change_sent_at: Date | null;
  confirmed_at: Date | null;
  reauthentication_token: string | null;
  reauthentication_sent_at: Date | null;
  banned_until: Date | null;
  deleted_at: Date | null;
  is_anonymous: boolean;
  is_sso_user: boolean;
};

export type IdentityRow = {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Json;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  email: string | null;
};

export type User = UserRow & { identities: IdentityRow[] };

/** Columns the service may write with `updateUser`. */
type WritableColumn = Exclude<keyof UserRow, 'id' | 'confirmed_at' | 'created_at' | 'updated_at'>;
export type UserPatch = Partial<Pick<UserRow, WritableColumn>>;

const USER_COLUMNS = `id, aud, role, email, encrypted_password, email_confirmed_at, invited_at, confirmation_token,
  confirmation_sent_at, recovery_token, recovery_sent_at, email_change_token_new, email_change, email_change_sent_at,
  email_change_token_current, email_change_confirm_status, last_sign_in_at, raw_app_meta_data, raw_user_meta_data,
  created_at, updated_at, phone, phone_confirmed_at, phone_change, phone_change_token, phone_change_sent_at,
  confirmed_at, reauthentication_token, reauthentication_sent_at, banned_until, deleted_at, is_anonymous, is_sso_user`;

async function withIdentities(db: Queryable, rows: UserRow[]): Promise<User[]> {
  if (rows.length === 0) return [];
  const r = await db.query<IdentityRow>(
    `select id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at, email
       from auth.identities where user_id = any($1::uuid[]) order by created_at, id`,
    [rows.map((u) => u.id)],
  );
  return rows.map((u) => ({ ...u, identities: r.rows.filter((i) => i.user_id === u.id) }));
}

async function findOne(
  db: Queryable,
  where: string,
  params: unknown[],
  forUpdate = false,
): Promise<User | null> {
  const r = await db.query<UserRow>(
    `select ${USER_COLUMNS} from auth.users where ${where} limit 1${forUpdate ? ' for update' : ''}`,
    params,
  );
  if (!r.rows[0]) return null;
  return (await withIdentities(db, r.rows))[0];
}

export function findUserById(db: Queryable, id: string, opts: { forUpdate?: boolean } = {}) {
  return findOne(db, 'id = $1', [id], opts.forUpdate);
}

export function findUserByEmail(db: Queryable, email: string) {
  return findOne(db, `lower(email) = lower($1) and aud = $2 and is_sso_user = false`, [email, AUDIENCE]);
}

export function findUserByPhone(db: Queryable, phone: string) {
  return findOne(db, `phone = $1 and aud = $2 and is_sso_user = false`, [phone, AUDIENCE]);
}

export function findUserByPhoneChange(db: Queryable, phone: string) {
  return findOne(db, `phone_change = $1 and aud = $2 and is_sso_user = false`, [phone, AUDIENCE]);
}

/** Users of one page, newest first (GoTrue's default sort), with the total count. */
export async function listUsers(
  db: Queryable,
  opts: { page: number; perPage: number; filter?: string },
): Promise<{ users: User[]; total: number }> {
  const filter = opts.filter ? `%${opts.filter.replace(/[%_\\]/g, '\\$&')}%` : null;
  const where = `aud = $1 and ($2::text is null or email ilike $2 or phone ilike $2
    or raw_user_meta_data ->> 'full_name' ilike $2)`;
  const count = await db.query<{ n: string }>(`select count(*) as n from auth.users where ${where}`, [
    AUDIENCE,
    filter,
  ]);
  const r = await db.query<UserRow>(
    `select ${USER_COLUMNS} from auth.users where ${where} order by created_at desc, id desc limit $3 offset $4`,
    [AUDIENCE, filter, opts.perPage, (opts.page - 1) * opts.perPage],
  );
  return { users: await withIdentities(db, r.rows), total: Number(count.rows[0].n) };
}

/**
 * Inserts a user the way GoTrue does: instance_id nil, the token columns as empty strings
 * (hosted GoTrue cannot read NULL there), app_metadata with `provider`/`providers`.
 */
export async function insertUser(
  db: Queryable,
  u: {
    id?: string;
    email?: string | null;
    phone?: string | null;
    encryptedPassword: string | null;
    userMetadata: Json;
    appMetadata: Json;
    role?: string;
    aud?: string;
    isAnonymous?: boolean;
  },
): Promise<User> {
  const r = await db.query<{ id: string }>(
    `insert into auth.users (instance_id, id, aud, role, email, phone, encrypted_password, raw_app_meta_data,
       raw_user_meta_data, is_super_admin, is_anonymous, created_at, updated_at, confirmation_token, recovery_token,
       email_change_token_new, email_change, email_change_token_current, email_change_confirm_status, phone_change,
       phone_change_token, reauthentication_token)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, false, $10, now(), now(), '', '', '', '', '', 0, '', '', '')
     returning id`,
    [
      NIL_UUID,
      u.id ?? randomUUID(),
      u.aud ?? AUDIENCE,
      u.role ?? AUDIENCE,
      u.email ?? null,
      u.phone ?? null,
      u.encryptedPassword ?? '',
      JSON.stringify(u.appMetadata),
      JSON.stringify(u.userMetadata),
      u.isAnonymous ?? false,
    ],
  );
  return (await findUserById(db, r.rows[0].id))!;
}

export async function updateUser(db: Queryable, id: string, patch: UserPatch): Promise<void> {
  const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return;
  const sets = entries.map(([k], i) => `${k} = $${i + 2}`);
  const values = entries.map(([k, v]) =>
    (k === 'raw_app_meta_data' || k === 'raw_user_meta_data') && v !== null ? JSON.stringify(v) : v,
  );
  await db.query(`update auth.users set ${sets.join(', ')}, updated_at = now() where id = $1`, [
    id,
    ...values,
  ]);
}

/** GoTrue's metadata merge: keys are set, a `null` value deletes the key. */
export function mergeMetadata(current: Json | null, updates: Json): Json {
  const out: Json = { ...(current ?? {}) };
  for (const [k, v] of Object.entries(updates)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

export async function insertIdentity(
  db: Queryable,
  userId: string,
  provider: string,
  identityData: Json,
  providerId = userId,
): Promise<void> {
  const data = { ...identityData };
  if (typeof data.email === 'string') data.email = data.email.toLowerCase();
  await db.query(
    `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
     values ($1, $2, $3, $4, now(), now(), now())`,
    [providerId, userId, JSON.stringify(data), provider],
  );
}

/** Merges `patch` into the identity data of the user's identity for `provider`; false if there is none. */
export async function updateIdentityData(
  db: Queryable,
  userId: string,
  provider: string,
  patch: Json,
): Promise<boolean> {
  const r = await db.query(
    `update auth.identities set identity_data = identity_data || $3::jsonb, updated_at = now()
      where user_id = $1 and provider = $2`,
    [userId, provider, JSON.stringify(patch)],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Identity data GoTrue stores for an e-mail or phone identity. */
export function identityData(
  userId: string,
  fields: { email?: string; phone?: string; verified?: boolean },
): Json {
  return {
    sub: userId,
    ...(fields.email ? { email: fields.email } : {}),
    ...(fields.phone ? { phone: fields.phone } : {}),
    email_verified: fields.email ? (fields.verified ?? false) : false,
    phone_verified: fields.phone ? (fields.verified ?? false) : false,
  };
}

/** Sets `app_metadata.provider/providers` from the user's identities (GoTrue's UpdateAppMetaDataProviders). */
export async function syncProviders(db: Queryable, userId: string): Promise<void> {
  await db.query(
    `update auth.users u set raw_app_meta_data = coalesce(u.raw_app_meta_data, '{}'::jsonb)
        || case when p.providers is null then '{}'::jsonb
                else jsonb_build_object('provider', p.providers -> 0, 'providers', p.providers) end
       from (select jsonb_agg(provider order by first_at) as providers
               from (select provider, min(created_at) as first_at from auth.identities
                      where user_id = $1 group by provider) x) p
      where u.id = $1`,
    [userId],
  );
}

export function isBanned(u: Pick<UserRow, 'banned_until'>, now = new Date()): boolean {
  return u.banned_until !== null && u.banned_until.getTime() > now.getTime();
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);

/** The User JSON GoTrue answers (internal/models/user.go json tags), with empty fields omitted as it does. */
export function serializeUser(u: User): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: u.id,
    aud: u.aud ?? '',
    role: u.role ?? '',
    email: u.email ?? '',
    email_confirmed_at: iso(u.email_confirmed_at),
    invited_at: iso(u.invited_at),
    phone: u.phone ?? '',
    phone_confirmed_at: iso(u.phone_confirmed_at),
    confirmation_sent_at: iso(u.confirmation_sent_at),
    confirmed_at: iso(u.confirmed_at),
    recovery_sent_at: iso(u.recovery_sent_at),
    new_email: u.email_change || undefined,
    email_change_sent_at: iso(u.email_change_sent_at),
    new_phone: u.phone_change || undefined,
    phone_change_sent_at: iso(u.phone_change_sent_at),
    reauthentication_sent_at: iso(u.reauthentication_sent_at),
    last_sign_in_at: iso(u.last_sign_in_at),
    app_metadata: u.raw_app_meta_data ?? {},
    user_metadata: u.raw_user_meta_data ?? {},
    identities: u.identities.map(serializeIdentity),
    created_at: iso(u.created_at) ?? new Date(0).toISOString(),
    updated_at: iso(u.updated_at) ?? new Date(0).toISOString(),
    banned_until: iso(u.banned_until),
    deleted_at: iso(u.deleted_at),
    is_anonymous: u.is_anonymous,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

export function serializeIdentity(i: IdentityRow): Record<string, unknown> {
  const out: Record<string, unknown> = {
    identity_id: i.id,
    id: i.provider_id,
    user_id: i.user_id,
    identity_data: i.identity_data,
    provider: i.provider,
    last_sign_in_at: iso(i.last_sign_in_at),
    created_at: iso(i.created_at),
    updated_at: iso(i.updated_at),
    email: i.email ?? undefined,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}
