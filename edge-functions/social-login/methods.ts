/**
 * Ways an account can sign in, for "refuse unbinding the last one". A phone counts once it is
 * verified (SMS code, and password with the phone), a real e-mail once confirmed (code, link,
 * password); the internal address social sign-in gives phone-only accounts is no way in.
 */
import type { SocialProviderId } from '@shared/social/provider.ts';

/** The domain of internal addresses (`<user id>@users.wuye.invalid`, RFC 2606: never deliverable). */
export const SYNTHETIC_EMAIL_DOMAIN = 'users.wuye.invalid';

export function syntheticEmail(userId: string): string {
  return `${userId}@${SYNTHETIC_EMAIL_DOMAIN}`;
}

export function isSyntheticEmail(email: string | null | undefined): boolean {
  return !!email && email.toLowerCase().endsWith(`@${SYNTHETIC_EMAIL_DOMAIN}`);
}

export type SignInFacts = {
  phone: string | null;
  phoneConfirmed: boolean;
  email: string | null;
  emailConfirmed: boolean;
};

export function countSignInMethods(user: SignInFacts, socialProviders: readonly SocialProviderId[]): number {
  const phone = user.phone && user.phoneConfirmed ? 1 : 0;
  const email = user.email && user.emailConfirmed && !isSyntheticEmail(user.email) ? 1 : 0;
  return phone + email + new Set(socialProviders).size;
}
