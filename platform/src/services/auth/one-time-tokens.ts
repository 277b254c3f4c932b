import { randomInt, randomUUID } from 'node:crypto';
import type { Queryable } from './db';
import { type UserPatch, updateUser } from './users';
import { tokenHash } from './validate';

/**
 * One-time codes. Like GoTrue, only the hash `hex(sha224(identifier + otp))` is stored — in
 * `auth.one_time_tokens` (one row per user and type, `relates_to` = the address it went to)
 * and mirrored into the matching `auth.users` column so rows stay importable into hosted
 * Supabase. A PKCE flow stores the hash with a `pkce_` prefix.
 */
export type OneTimeTokenType =
  | 'confirmation_token'
  | 'reauthentication_token'
  | 'recovery_token'
  | 'email_change_token_new'
  | 'email_change_token_current'
  | 'phone_change_token';

export type OneTimeTokenRow = {
  id: string;
  user_id: string;
  token_type: OneTimeTokenType;
  token_hash: string;
  relates_to: string;
};

/** The `auth.users` columns GoTrue keeps for each token type. */
export const USER_TOKEN_COLUMNS: Record<
  OneTimeTokenType,
  { token: keyof UserPatch & string; sentAt: keyof UserPatch & string }
> = {
  confirmation_token: { token: 'confirmation_token', sentAt: 'confirmation_sent_at' },
  recovery_token: { token: 'recovery_token', sentAt: 'recovery_sent_at' },
  reauthentication_token: { token: 'reauthentication_token', sentAt: 'reauthentication_sent_at' },
  email_change_token_new: { token: 'email_change_token_new', sentAt: 'email_change_sent_at' },
  email_change_token_current: { token: 'email_change_token_current', sentAt: 'email_change_sent_at' },
  phone_change_token: { token: 'phone_change_token', sentAt: 'phone_change_sent_at' },
};

export function generateOtp(length: number): string {
  let otp = '';
  for (let i = 0; i < length; i++) otp += String(randomInt(10));
  return otp;
}

/**
 * Creates a fresh code of `type` for the user (replacing an older one of the same type), mirrors
 * its hash and send time into `auth.users`, and returns the code and the hash the link carries.
 */
export async function issueOneTimeToken(
  db: Queryable,
  opts: {
    userId: string;
    type: OneTimeTokenType;
    /** The e-mail address or phone (GoTrue form) the code goes to; part of the hash. */
    relatesTo: string;
    pkce: boolean;
    otpLength: number;
    /** A fixed code to use instead of a random one (local test codes). */
    fixedOtp?: string;
    /** Further user columns to write in the same update (e.g. `phone_change`). */
    userPatch?: UserPatch;
  },
): Promise<{ otp: string; hashedToken: string }> {
  const otp = opts.fixedOtp ?? generateOtp(opts.otpLength);
  const hash = tokenHash(opts.relatesTo, otp);
  const stored = opts.pkce ? `pkce_${hash}` : hash;
  const cols = USER_TOKEN_COLUMNS[opts.type];
  await updateUser(db, opts.userId, { ...opts.userPatch, [cols.token]: stored, [cols.sentAt]: new Date() });
  await db.query(`delete from auth.one_time_tokens where user_id = $1 and token_type = $2`, [
    opts.userId,
    opts.type,
  ]);
  await db.query(
    `insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
     values ($1, $2, $3, $4, lower($5), now(), now())`,
    [randomUUID(), opts.userId, opts.type, stored, opts.relatesTo],
  );
  return { otp, hashedToken: stored };
}

/** Finds the token whose hash is `hash` (with or without the `pkce_` prefix) among `types`. */
export async function findOneTimeTokenByHash(
  db: Queryable,
  hash: string,
  types: OneTimeTokenType[],
): Promise<OneTimeTokenRow | null> {
  const bare = hash.startsWith('pkce_') ? hash.slice(5) : hash;
  const r = await db.query<OneTimeTokenRow>(
    `select id, user_id, token_type, token_hash, relates_to from auth.one_time_tokens
      where token_type = any($1::auth.one_time_token_type[]) and token_hash in ($2, 'pkce_' || $2)
      order by created_at desc limit 1`,
    [types, bare],
  );
  return r.rows[0] ?? null;
}

export async function findUserTokens(
  db: Queryable,
  userId: string,
  types: OneTimeTokenType[],
): Promise<OneTimeTokenRow[]> {
  const r = await db.query<OneTimeTokenRow>(
    `select id, user_id, token_type, token_hash, relates_to from auth.one_time_tokens
      where user_id = $1 and token_type = any($2::auth.one_time_token_type[])`,
    [userId, types],
  );
  return r.rows;
}

/** True when `stored` (possibly `pkce_`-prefixed) is the hash of `identifier + otp`. */
export function matchesOtp(stored: string | null | undefined, identifier: string, otp: string): boolean {
  if (!stored) return false;
  const hash = tokenHash(identifier, otp);
  return stored === hash || stored === `pkce_${hash}`;
}

/** A used code works once: every pending code of the user goes (GoTrue's ClearAllOneTimeTokensForUser). */
export async function clearAllOneTimeTokens(db: Queryable, userId: string): Promise<void> {
  await db.query(`delete from auth.one_time_tokens where user_id = $1`, [userId]);
}

/** Removes the user's tokens of `types` and empties the mirrored `auth.users` columns. */
export async function clearOneTimeTokens(
  db: Queryable,
  userId: string,
  types: OneTimeTokenType[],
): Promise<void> {
  await db.query(
    `delete from auth.one_time_tokens where user_id = $1 and token_type = any($2::auth.one_time_token_type[])`,
    [userId, types],
  );
  const patch: UserPatch = {};
  for (const t of types) (patch as Record<string, unknown>)[USER_TOKEN_COLUMNS[t].token] = '';
  await updateUser(db, userId, patch);
}
