import { data, type LoaderFunctionArgs, type MetaFunction, redirect } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { getLocale } from '~/i18n/locale.server';
import { pageMeta } from '~/i18n/meta';
import { authCacheHeaders, createSupabaseServerClient } from '~/lib/supabase.server';
import { asAuthFlowError } from '~/modules/auth/auth-errors';
import { pathAfterSignIn } from '~/modules/auth/session.server';
import { SocialProblem } from '~/modules/social/components/social-problem';
import { callbackQuery, providerSchema } from '~/modules/social/social.schema';
import { finishSocialCallback } from '~/modules/social/social.server';
import { SocialFlowError } from '~/modules/social/social-errors';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'auth.signIn.title');
export const headers = authCacheHeaders;

/**
 * WeChat/QQ come back here (`/auth/callback/<provider>?code=&state=`; the `_` keeps this route
 * out of /auth/callback's e-mail-link loader). A known user is signed in, a new one goes on to
 * add a phone, a bind goes back to the linked-accounts page.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const provider = providerSchema.safeParse(params.provider);
  if (!provider.success) throw new Response('Not found', { status: 404 });
  const auth = createSupabaseServerClient(request);
  const query = callbackQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  try {
    const outcome = await finishSocialCallback(auth, request, provider.data, query);
    switch (outcome.kind) {
      case 'signed_in':
        return redirect(await pathAfterSignIn(auth, outcome.returnTo), { headers: auth.headers });
      case 'needs_phone':
        return redirect('/auth/bind-phone', { headers: auth.headers });
      case 'linked':
        return redirect(`/me/accounts?${new URLSearchParams({ linked: outcome.provider })}`, {
          headers: auth.headers,
        });
    }
  } catch (error) {
    if (error instanceof SocialFlowError) {
      if (error.intent === 'bind') {
        const back = new URLSearchParams({ error: error.code, provider: provider.data });
        return redirect(`/me/accounts?${back}`, { headers: auth.headers });
      }
      return data(
        { provider: provider.data, error: error.toMessage(getLocale(request)) },
        { status: error.status, headers: auth.headers },
      );
    }
    const failure = asAuthFlowError(error);
    if (!failure) throw error;
    return data(
      { provider: provider.data, error: failure.userMessage },
      { status: failure.status, headers: auth.headers },
    );
  }
}

export default function SocialCallbackPage() {
  const { provider, error } = useLoaderData<typeof loader>();
  return <SocialProblem provider={provider} error={error} />;
}
