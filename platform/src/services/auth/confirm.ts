import type { Queryable } from './db';
import { clearAllOneTimeTokens } from './one-time-tokens';
import { mergeMetadata, type User, updateIdentityData, updateUser } from './users';

/**
 * State changes on `auth.users` when an address is proven, shared by sign-up, verification and
 * the admin API (GoTrue's User.Confirm / ConfirmPhone / Recover).
 */

/** E-mail confirmed: `email_confirmed_at`, `user_metadata.email_verified`, pending codes dropped. */
export async function confirmEmail(db: Queryable, user: User): Promise<void> {
  await updateUser(db, user.id, {
    confirmation_token: '',
    email_confirmed_at: new Date(),
    raw_user_meta_data: mergeMetadata(user.raw_user_meta_data, { email_verified: true }),
  });
  await clearAllOneTimeTokens(db, user.id);
}

/** Marks the e-mail identity verified when it carries the user's current address. */
export async function markEmailIdentityVerified(db: Queryable, user: User): Promise<void> {
  const identity = user.identities.find((i) => i.provider === 'email');
  if (identity?.email && user.email && identity.email === user.email.toLowerCase()) {
    await updateIdentityData(db, user.id, 'email', { email_verified: true });
  }
}

export async function confirmPhone(db: Queryable, user: User): Promise<void> {
  await updateUser(db, user.id, { confirmation_token: '', phone_confirmed_at: new Date() });
  await clearAllOneTimeTokens(db, user.id);
}

/** A recovery or magic-link code was used: it is spent, and an unconfirmed e-mail becomes confirmed. */
export async function spendRecoveryCode(db: Queryable, user: User): Promise<void> {
  await updateUser(db, user.id, { recovery_token: '' });
  await clearAllOneTimeTokens(db, user.id);
  if (!user.email_confirmed_at) await confirmEmail(db, user);
}
