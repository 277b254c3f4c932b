import { data, type LoaderFunctionArgs, type MetaFunction, redirect } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { getLocale } from '~/i18n/locale.server';
import { pageMeta } from '~/i18n/meta';
import { authCacheHeaders } from '~/lib/supabase.server';
import { getOptionalUser, landingFor } from '~/modules/auth/session.server';
import { SocialProblem } from '~/modules/social/components/social-problem';
import { providerSchema, startQuery } from '~/modules/social/social.schema';
import { beginSocialFlow } from '~/modules/social/social.server';
import { SocialFlowError } from '~/modules/social/social-errors';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'auth.signIn.title');
export const headers = authCacheHeaders;

/** "微信登录" / "QQ登录": off to the provider's sign-in page, remembering where to come back to. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const provider = providerSchema.safeParse(params.provider);
  if (!provider.success) throw new Response('Not found', { status: 404 });
  const auth = await getOptionalUser(request);
  const { redirectTo } = startQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  if (auth.user) throw redirect(landingFor(auth.user, redirectTo), { headers: auth.headers });
  try {
    const url = await beginSocialFlow(auth, request, {
      provider: provider.data,
      intent: 'sign_in',
      returnTo: redirectTo,
    });
    return redirect(url, { headers: auth.headers });
  } catch (error) {
    if (!(error instanceof SocialFlowError)) throw error;
    return data(
      { provider: provider.data, error: error.toMessage(getLocale(request)) },
      { status: error.status, headers: auth.headers },
    );
  }
}

export default function SocialSignInStart() {
  const { provider, error } = useLoaderData<typeof loader>();
  return <SocialProblem provider={provider} error={error} />;
}
