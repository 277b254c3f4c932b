import {
  type ActionFunctionArgs,
  data,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { LogOut, MonitorSmartphone } from 'lucide-react';
import { SubmitButton, useIsPending } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { parseFormData } from '~/lib/form-errors';
import { authCacheHeaders, createSupabaseServerClient } from '~/lib/supabase.server';
import { signOutSchema } from '~/modules/auth/auth.schema';
import { signOut } from '~/modules/auth/auth.server';
import { landingPathFor, signInPath } from '~/modules/auth/landing';
import { getOptionalUser, toViewer } from '~/modules/auth/session.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'auth.signOut.title');
export const headers = authCacheHeaders;

/** Asks "this device or everywhere?" (the account menus post straight to the action). */
export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await getOptionalUser(request);
  if (!user) throw redirect(signInPath(), { headers });
  const home = landingPathFor({ platformRole: user.platformRole, isStaff: user.account.isStaff });
  return data({ viewer: toViewer(user), home }, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const auth = createSupabaseServerClient(request);
  const submission = parseFormData(await request.formData(), signOutSchema);
  const { scope, redirectTo } = submission.ok
    ? submission.data
    : { scope: 'local' as const, redirectTo: null };
  await signOut(auth.supabase, scope);
  return redirect(signInPath(redirectTo, { signedOut: scope }), { headers: auth.headers });
}

export default function SignOutPage() {
  const t = useT();
  const { viewer, home } = useLoaderData<typeof loader>();
  const pending = useIsPending();
  const account = viewer.name || viewer.maskedPhone || viewer.email || '';
  return (
    <div className="flex w-full flex-col gap-6 sm:rounded-2xl sm:border sm:bg-card sm:p-8 sm:shadow-sm">
      <header className="flex flex-col gap-1.5">
        <h1 className="font-semibold text-2xl tracking-tight">{t('auth.signOut.title')}</h1>
        <p className="text-muted-foreground text-sm">{t('auth.signOut.subtitle', { account })}</p>
      </header>
      <Form method="post" className="flex flex-col gap-3">
        <SubmitButton name="scope" value="local" size="lg" className="w-full" pending={pending}>
          <LogOut aria-hidden />
          {t('auth.signOut.local')}
        </SubmitButton>
        <SubmitButton
          name="scope"
          value="global"
          variant="outline"
          size="lg"
          className="w-full text-destructive hover:text-destructive"
          pending={pending}
          aria-describedby="sign-out-global-hint"
        >
          <MonitorSmartphone aria-hidden />
          {t('auth.signOut.global')}
        </SubmitButton>
        <p id="sign-out-global-hint" className="text-center text-muted-foreground text-xs">
          {t('auth.signOut.globalHint')}
        </p>
      </Form>
      <Button asChild variant="ghost" className="w-full">
        <Link to={home}>{t('auth.signOut.cancel')}</Link>
      </Button>
    </div>
  );
}
