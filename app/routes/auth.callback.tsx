import { type LoaderFunctionArgs, redirect } from '@remix-run/node';
import { z } from 'zod';
import { authCacheHeaders, createSupabaseServerClient } from '~/lib/supabase.server';
import { exchangeAuthCode, verifyEmailLink } from '~/modules/auth/auth.server';
import { asAuthFlowError } from '~/modules/auth/auth-errors';
import { returnPath, signInPath } from '~/modules/auth/landing';
import { pathAfterSignIn } from '~/modules/auth/session.server';

export const headers = authCacheHeaders;

const emailOtpTypes = ['signup', 'invite', 'magiclink', 'recovery', 'email_change', 'email'] as const;

const callbackQuery = z.union([
  z.object({ code: z.string().min(1).max(512), redirectTo: z.string().optional() }),
  z.object({
    token_hash: z.string().min(1).max(512),
    type: z.enum(emailOtpTypes),
    redirectTo: z.string().optional(),
  }),
]);

/**
 * Links in e-mails come back here: with `?code=` (PKCE: the verifier cookie of this browser
 * completes it) or with `?token_hash=&type=` (works in any browser). A recovery link goes on
 * to "choose a new password"; an expired or foreign link back to sign-in with an explanation.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const auth = createSupabaseServerClient(request);
  const query = callbackQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) throw redirect(signInPath(null, { error: 'link-expired' }), { headers: auth.headers });
  let recovery: boolean;
  try {
    ({ recovery } =
      'code' in query.data
        ? await exchangeAuthCode(auth.supabase, query.data.code)
        : await verifyEmailLink(auth.supabase, { tokenHash: query.data.token_hash, type: query.data.type }));
  } catch (error) {
    if (!asAuthFlowError(error)) throw error;
    throw redirect(signInPath(null, { error: 'link-expired' }), { headers: auth.headers });
  }
  const next = recovery
    ? '/auth/new-password'
    : await pathAfterSignIn(auth, returnPath(query.data.redirectTo));
  return redirect(next, { headers: auth.headers });
}
