import { type JwtClaims, withUser } from '~/lib/db.server';
import { maskPhone } from '~/modules/auth/phone';
import type { SocialProvider } from './social.schema';

/** The internal address social sign-in gives accounts without e-mail (never shown, never a way in). */
export const INTERNAL_EMAIL_DOMAIN = 'users.wuye.invalid';

export function isInternalEmail(email: string | null | undefined): boolean {
  return !!email && email.toLowerCase().endsWith(`@${INTERNAL_EMAIL_DOMAIN}`);
}

export type LinkedAccount = {
  provider: SocialProvider;
  nickname: string;
  avatarUrl: string | null;
  linkedAt: string;
};

export type SignInMethods = {
  /** Masked phone, when the account has one. */
  phone: string | null;
  /** A real e-mail address, when the account has one. */
  email: string | null;
  linked: LinkedAccount[];
  /** Unbinding would leave another way in (the function enforces the same rule). */
  canUnbind: boolean;
};

/** The account's ways in, read as the user (RLS: a person sees only their own identities). */
export async function signInMethods(claims: JwtClaims): Promise<SignInMethods> {
  const { rows } = await withUser(
    claims,
    (tx) =>
      tx.query<{ provider: SocialProvider; nickname: string; avatar_url: string | null; linked_at: string }>(
        `select provider, nickname, avatar_url, linked_at
           from public.social_identities
          where user_id = (select auth.uid())
          order by linked_at`,
      ),
    { readOnly: true },
  );
  const linked = rows.map((r) => ({
    provider: r.provider,
    nickname: r.nickname,
    avatarUrl: r.avatar_url,
    linkedAt: r.linked_at,
  }));
  const phone = claims.phone ? maskPhone(claims.phone) : null;
  const email = claims.email && !isInternalEmail(claims.email) ? claims.email : null;
  const ways = (phone ? 1 : 0) + (email ? 1 : 0) + linked.length;
  return { phone, email, linked, canUnbind: ways > 1 };
}
