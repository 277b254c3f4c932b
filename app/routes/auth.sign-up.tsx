import {
  type ActionFunctionArgs,
  data,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { DefaultSubmit, FormErrors, SubmitButton } from '~/components/forms';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { parseIntentFormData } from '~/lib/form-errors';
import { authCacheHeaders, createSupabaseServerClient } from '~/lib/supabase.server';
import { type AuthActionData, errorsFor } from '~/modules/auth/action-data';
import { signUpIntents } from '~/modules/auth/auth.schema';
import { sendSmsCode, verifySmsCode } from '~/modules/auth/auth.server';
import { codeSent, echoValues, failed, invalid } from '~/modules/auth/auth-action.server';
import { AuthCard } from '~/modules/auth/components/auth-card';
import { CodeField } from '~/modules/auth/components/code-field';
import { PhoneField } from '~/modules/auth/components/phone-field';
import { useLatest } from '~/modules/auth/components/use-countdown';
import { returnPath } from '~/modules/auth/landing';
import { maskPhone } from '~/modules/auth/phone';
import { getOptionalUser, landingFor, pathAfterSignIn } from '~/modules/auth/session.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'auth.signUp.title');
export const headers = authCacheHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const auth = await getOptionalUser(request);
  const redirectTo = returnPath(new URL(request.url).searchParams.get('redirectTo'));
  if (auth.user) throw redirect(landingFor(auth.user, redirectTo), { headers: auth.headers });
  return data({ redirectTo }, { headers: auth.headers });
}

/**
 * Sign-up is a phone sign-in that may create the account: a number already registered simply
 * signs in (so the page never reveals who has an account), a new one gets an account and is
 * asked for a name next.
 */
export async function action({ request }: ActionFunctionArgs) {
  const auth = createSupabaseServerClient(request);
  const formData = await request.formData();
  const values = echoValues(formData);
  const submission = parseIntentFormData(formData, signUpIntents);
  if (!submission.ok) return invalid(auth, submission.intent, submission.errors, values);
  const { intent } = submission;
  try {
    if (submission.intent === 'send-sms-code') {
      const { phone } = submission.data;
      const sent = await sendSmsCode(auth.supabase, { phone, createUser: true });
      return codeSent(auth, intent, { to: maskPhone(phone), resendIn: sent.resendIn }, values);
    }
    await verifySmsCode(auth.supabase, submission.data);
  } catch (error) {
    return failed(auth, intent, error, values);
  }
  return redirect(await pathAfterSignIn(auth, submission.data.redirectTo), { headers: auth.headers });
}

export default function SignUpPage() {
  const t = useT();
  const { redirectTo } = useLoaderData<typeof loader>();
  const actionData = useActionData<AuthActionData>();
  const errors = errorsFor(actionData, Object.keys(signUpIntents));
  const sent = useLatest(actionData?.sent);
  const signInHref = redirectTo ? `/auth/sign-in?${new URLSearchParams({ redirectTo })}` : '/auth/sign-in';
  return (
    <AuthCard
      title={t('auth.signUp.title')}
      description={t('auth.signUp.subtitle')}
      footer={
        <>
          {t('auth.signUp.hasAccount')}{' '}
          <Link to={signInHref} className="font-medium text-primary hover:underline">
            {t('auth.signUp.toSignIn')}
          </Link>
        </>
      }
    >
      <Form method="post" noValidate className="flex flex-col gap-5">
        <DefaultSubmit intent={sent ? 'sign-up' : 'send-sms-code'} />
        {redirectTo ? <input type="hidden" name="redirectTo" value={redirectTo} /> : null}
        <FormErrors errors={errors.form} />
        <PhoneField errors={errors.field('phone')} defaultValues={actionData?.values} autoFocus />
        <CodeField
          sendIntent="send-sms-code"
          sent={actionData?.sent}
          retryAfter={actionData?.retryAfter}
          errors={errors.field('code')}
        />
        <SubmitButton intent="sign-up" size="lg" className="w-full">
          {t('auth.signUp.submit')}
        </SubmitButton>
      </Form>
    </AuthCard>
  );
}
