/**
 * Accounts for social sign-in, over Supabase Auth's standard endpoints only (so the same code
 * runs against hosted GoTrue and the local Auth service):
 *
 * - users: `auth.admin.getUserById` / `updateUserById` (provider ids go to `app_metadata`,
 *   which only the service role can write, never `user_metadata`);
 * - sessions: `auth.admin.generateLink({type: 'magiclink', email})` and then
 *   `auth.verifyOtp({token_hash, type: 'magiclink'})`. A magic link needs an e-mail address, and
 *   most of our users have only a phone, so such an account gets an internal address
 *   `<user id>@users.wuye.invalid` (confirmed by the admin call, never deliverable);
 * - the mapping: `public.social_identities`, written in a service-role transaction (its unique
 *   keys decide races), with `app_metadata` synced inside that transaction.
 */

import { HttpError } from '@shared/http.ts';
import { type SocialProviderId, socialProviderIds } from '@shared/social/provider.ts';
import { createClient, type SupabaseClient, type User } from '@supabase/supabase-js';
import type pg from 'pg';
import type { Accounts, AuthSession, AuthUser, LinkedIdentity } from './handler.ts';
import { countSignInMethods, syntheticEmail } from './methods.ts';

export type AccountsOptions = {
  supabaseUrl: string;
  /** Secret (service role) key: the admin API. */
  adminKey: string;
  /** Publishable (anon) key: the `/verify` call that opens the session. */
  anonKey: string;
  /** One service-role transaction (`withServiceRole` bound to the env). */
  transaction: <T>(work: (db: pg.PoolClient) => Promise<T>) => Promise<T>;
  now?: () => Date;
};

type IdentityRow = {
  id: string;
  user_id: string;
  provider: SocialProviderId;
  openid: string;
  unionid: string | null;
  nickname: string;
  avatar_url: string | null;
  linked_at: Date;
};

const noPersistence = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
} as const;

function toDto(row: IdentityRow): LinkedIdentity {
  return {
    provider: row.provider,
    nickname: row.nickname,
    avatar_url: row.avatar_url,
    linked_at: new Date(row.linked_at).toISOString(),
  };
}

function toAuthUser(user: User): AuthUser {
  return {
    id: user.id,
    phone: user.phone || null,
    phoneConfirmed: !!user.phone_confirmed_at,
    email: user.email || null,
    emailConfirmed: !!user.email_confirmed_at,
  };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}

export function createAccounts(opts: AccountsOptions): Accounts {
  const admin: SupabaseClient = createClient(opts.supabaseUrl, opts.adminKey, noPersistence);
  const now = opts.now ?? (() => new Date());

  async function loadUser(id: string): Promise<User> {
    const { data, error } = await admin.auth.admin.getUserById(id);
    if (error || !data.user) throw new Error(`getUserById ${id}: ${error?.message ?? 'no user'}`);
    return data.user;
  }

  /**
   * Mirrors the account's identities into `app_metadata`: `providers` gains `wechat`/`qq` and
   * `social.<provider>` holds `{openid, unionid}` (null removes the key, as GoTrue merges).
   */
  async function syncAppMetadata(db: pg.PoolClient, userId: string): Promise<void> {
    const { rows } = await db.query<Pick<IdentityRow, 'provider' | 'openid' | 'unionid'>>(
      'select provider, openid, unionid from public.social_identities where user_id = $1 order by provider',
      [userId],
    );
    const user = await loadUser(userId);
    const current = Array.isArray(user.app_metadata.providers)
      ? (user.app_metadata.providers as string[])
      : [];
    const providers = [
      ...current.filter((p) => !(socialProviderIds as readonly string[]).includes(p)),
      ...rows.map((r) => r.provider),
    ];
    const social = rows.length
      ? Object.fromEntries(
          rows.map((r) => [r.provider, { openid: r.openid, ...(r.unionid ? { unionid: r.unionid } : {}) }]),
        )
      : null;
    const { error } = await admin.auth.admin.updateUserById(userId, { app_metadata: { providers, social } });
    if (error) throw new Error(`updateUserById ${userId} (app_metadata): ${error.message}`);
  }

  return {
    async userFromToken(token) {
      const { data, error } = await admin.auth.getUser(token);
      if (error || !data.user) {
        throw new HttpError(401, 'sign_in_required', 'The access token is not a signed-in user\u2019s.');
      }
      return toAuthUser(data.user);
    },

    findLinkedUser(provider, profile) {
      return opts.transaction(async (db) => {
        const { rows } = await db.query<IdentityRow>(
          `select id, user_id from public.social_identities
            where provider = $1 and (openid = $2 or unionid = $3)
            for update`,
          [provider, profile.openid, profile.unionid ?? null],
        );
        if (rows.length === 0) return null;
        if (rows.length > 1) {
          // The openid belongs to one account and the unionid to another: never guess.
          console.error(`[social-login] ${provider} identity matches ${rows.length} accounts`);
          throw new HttpError(
            409,
            'identity_conflict',
            'This account is linked ambiguously; contact support.',
          );
        }
        // Matched by unionid with a new openid (another app of ours): remember the new one.
        await db.query(
          `update public.social_identities
              set openid = $2,
                  unionid = coalesce($3, unionid),
                  nickname = case when $4 = '' then nickname else $4 end,
                  avatar_url = coalesce($5, avatar_url),
                  last_sign_in_at = $6
            where id = $1`,
          [
            rows[0].id,
            profile.openid,
            profile.unionid ?? null,
            profile.nickname,
            profile.avatar ?? null,
            now(),
          ],
        );
        return rows[0].user_id;
      });
    },

    link(user, provider, profile) {
      return opts.transaction(async (db) => {
        const { rows: existing } = await db.query<IdentityRow>(
          `select * from public.social_identities
            where provider = $1 and (openid = $2 or unionid = $3)
            for update`,
          [provider, profile.openid, profile.unionid ?? null],
        );
        if (existing.some((row) => row.user_id !== user.id)) {
          throw new HttpError(409, 'identity_in_use', `This ${provider} user is linked to another account.`);
        }
        if (existing.length) return toDto(existing[0]);
        const { rows: mine } = await db.query(
          'select 1 from public.social_identities where user_id = $1 and provider = $2',
          [user.id, provider],
        );
        if (mine.length) {
          throw new HttpError(
            409,
            'provider_already_linked',
            `This account is already linked to a ${provider} user.`,
          );
        }
        let inserted: IdentityRow;
        try {
          ({
            rows: [inserted],
          } = await db.query<IdentityRow>(
            `insert into public.social_identities (user_id, provider, openid, unionid, nickname, avatar_url, linked_at)
             values ($1, $2, $3, $4, $5, $6, $7)
             returning *`,
            [
              user.id,
              provider,
              profile.openid,
              profile.unionid ?? null,
              profile.nickname,
              profile.avatar ?? null,
              now(),
            ],
          ));
        } catch (err) {
          // Someone linked the same identity (or this account) a moment ago.
          if (isUniqueViolation(err)) {
            throw new HttpError(409, 'identity_in_use', `This ${provider} user or account was just linked.`);
          }
          throw err;
        }
        await syncAppMetadata(db, user.id);
        return toDto(inserted);
      });
    },

    unlink(user, provider) {
      return opts.transaction(async (db) => {
        const { rows } = await db.query<Pick<IdentityRow, 'provider'>>(
          'select provider from public.social_identities where user_id = $1 for update',
          [user.id],
        );
        if (!rows.some((r) => r.provider === provider)) {
          throw new HttpError(404, 'not_linked', `This account has no ${provider} user linked.`);
        }
        const remaining = rows.map((r) => r.provider).filter((p) => p !== provider);
        if (countSignInMethods(user, remaining) < 1) {
          throw new HttpError(409, 'last_sign_in_method', 'This is the only way to sign in to this account.');
        }
        await db.query('delete from public.social_identities where user_id = $1 and provider = $2', [
          user.id,
          provider,
        ]);
        await syncAppMetadata(db, user.id);
      });
    },

    async openSession(userId) {
      let user = await loadUser(userId);
      if (user.banned_until && new Date(user.banned_until).getTime() > now().getTime()) {
        throw new HttpError(403, 'user_banned', 'This account is disabled.');
      }
      if (user.email && !user.email_confirmed_at) {
        // A magic link would confirm an address nobody has proven to own.
        throw new HttpError(409, 'email_unconfirmed', 'Confirm the account\u2019s e-mail address first.');
      }
      if (!user.email) {
        const { data, error } = await admin.auth.admin.updateUserById(userId, {
          email: syntheticEmail(userId),
          email_confirm: true,
        });
        if (error || !data.user) throw new Error(`updateUserById ${userId} (email): ${error?.message}`);
        user = data.user;
        // Hosted Auth may rebuild `providers` from its identities when an e-mail is added.
        await opts.transaction((db) => syncAppMetadata(db, userId));
      }
      const { data: link, error: linkError } = await admin.auth.admin.generateLink({
        type: 'magiclink',
        email: user.email!,
      });
      if (linkError || !link.properties?.hashed_token) {
        throw new Error(`generateLink ${userId}: ${linkError?.message ?? 'no hashed_token'}`);
      }
      // A client of its own, so the session never touches the admin client.
      const verifier = createClient(opts.supabaseUrl, opts.anonKey, noPersistence);
      const { data, error } = await verifier.auth.verifyOtp({
        token_hash: link.properties.hashed_token,
        type: 'magiclink',
      });
      if (error || !data.session) {
        if (error?.code === 'user_banned')
          throw new HttpError(403, 'user_banned', 'This account is disabled.');
        throw new Error(`verifyOtp ${userId}: ${error?.code ?? ''} ${error?.message ?? 'no session'}`);
      }
      return data.session as AuthSession;
    },
  };
}
