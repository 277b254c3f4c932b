import {
  type ActionFunctionArgs,
  data,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { DefaultSubmit, Field, FormErrors, SubmitButton } from '~/components/forms';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { parseIntentFormData } from '~/lib/form-errors';
import { authCacheHeaders, createSupabaseServerClient } from '~/lib/supabase.server';
import { type AuthActionData, errorsFor } from '~/modules/auth/action-data';
import { signInIntents, signInPageQuery } from '~/modules/auth/auth.schema';
import {
  sendEmailCode,
  sendSmsCode,
  signInWithPassword,
  verifyEmailCode,
  verifySmsCode,
} from '~/modules/auth/auth.server';
import { callbackUrl, codeSent, echoValues, failed, invalid } from '~/modules/auth/auth-action.server';
import { AuthCard } from '~/modules/auth/components/auth-card';
import { CodeField } from '~/modules/auth/components/code-field';
import { MethodTabs } from '~/modules/auth/components/method-tabs';
import { Notice } from '~/modules/auth/components/notice';
import { PhoneField } from '~/modules/auth/components/phone-field';
import { useLatest } from '~/modules/auth/components/use-countdown';
import { returnPath } from '~/modules/auth/landing';
import { maskPhone } from '~/modules/auth/phone';
import { getOptionalUser, landingFor, pathAfterSignIn } from '~/modules/auth/session.server';
import { SocialSignIn } from '~/modules/social/components/social-sign-in';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'auth.signIn.title');
export const headers = authCacheHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const auth = await getOptionalUser(request);
  const query = signInPageQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const redirectTo = returnPath(query.redirectTo);
  // Already signed in (another tab, the back button): straight on.
  if (auth.user) throw redirect(landingFor(auth.user, redirectTo), { headers: auth.headers });
  return data(
    { method: query.method, redirectTo, signedOut: query.signedOut ?? null, linkExpired: !!query.error },
    { headers: auth.headers },
  );
}

export async function action({ request }: ActionFunctionArgs) {
  const auth = createSupabaseServerClient(request);
  const formData = await request.formData();
  const values = echoValues(formData);
  const submission = parseIntentFormData(formData, signInIntents);
  if (!submission.ok) return invalid(auth, submission.intent, submission.errors, values);
  const { intent } = submission;
  try {
    switch (submission.intent) {
      case 'send-sms-code': {
        const { phone } = submission.data;
        const sent = await sendSmsCode(auth.supabase, { phone, createUser: false });
        return codeSent(auth, intent, { to: maskPhone(phone), resendIn: sent.resendIn }, values);
      }
      case 'send-email-code': {
        const { email, redirectTo } = submission.data;
        const sent = await sendEmailCode(auth.supabase, {
          email,
          callbackUrl: callbackUrl(request, returnPath(redirectTo)),
        });
        return codeSent(auth, intent, { to: email, resendIn: sent.resendIn }, values);
      }
      case 'sign-in-sms':
        await verifySmsCode(auth.supabase, submission.data);
        break;
      case 'sign-in-email':
        await verifyEmailCode(auth.supabase, submission.data);
        break;
      case 'sign-in-password':
        await signInWithPassword(auth.supabase, submission.data);
        break;
    }
  } catch (error) {
    return failed(auth, intent, error, values);
  }
  return redirect(await pathAfterSignIn(auth, submission.data.redirectTo), { headers: auth.headers });
}

export default function SignInPage() {
  const t = useT();
  const { method, redirectTo, signedOut, linkExpired } = useLoaderData<typeof loader>();
  const signUpHref = redirectTo ? `/auth/sign-up?${new URLSearchParams({ redirectTo })}` : '/auth/sign-up';
  return (
    <AuthCard
      title={t('auth.signIn.title')}
      description={t('auth.signIn.subtitle')}
      footer={
        <>
          {t('auth.signIn.noAccount')}{' '}
          <Link to={signUpHref} className="font-medium text-primary hover:underline">
            {t('auth.signIn.toSignUp')}
          </Link>
        </>
      }
    >
      {signedOut ? (
        <Notice>
          {t(signedOut === 'global' ? 'auth.signIn.signedOutEverywhere' : 'auth.signIn.signedOut')}
        </Notice>
      ) : null}
      {linkExpired ? <FormErrors errors={[{ key: 'auth.error.linkExpired' }]} /> : null}
      <MethodTabs current={method} redirectTo={redirectTo} />
      {method === 'sms' ? (
        <SmsSignInForm redirectTo={redirectTo} />
      ) : method === 'password' ? (
        <PasswordSignInForm redirectTo={redirectTo} />
      ) : (
        <EmailSignInForm redirectTo={redirectTo} />
      )}
      <SocialSignIn redirectTo={redirectTo} />
    </AuthCard>
  );
}

function useSignInActionData(intents: readonly (keyof typeof signInIntents)[]) {
  const actionData = useActionData<AuthActionData>();
  const own =
    actionData?.intent && (intents as readonly string[]).includes(actionData.intent) ? actionData : undefined;
  return { actionData: own, errors: errorsFor(own, intents) };
}

function RedirectToInput({ redirectTo }: { redirectTo: string | null }) {
  return redirectTo ? <input type="hidden" name="redirectTo" value={redirectTo} /> : null;
}

function SmsSignInForm({ redirectTo }: { redirectTo: string | null }) {
  const t = useT();
  const { actionData, errors } = useSignInActionData(['send-sms-code', 'sign-in-sms']);
  const sent = useLatest(actionData?.sent);
  return (
    <Form method="post" noValidate className="flex flex-col gap-5">
      <DefaultSubmit intent={sent ? 'sign-in-sms' : 'send-sms-code'} />
      <RedirectToInput redirectTo={redirectTo} />
      <FormErrors errors={errors.form} />
      <PhoneField errors={errors.field('phone')} defaultValues={actionData?.values} autoFocus />
      <CodeField
        sendIntent="send-sms-code"
        sent={actionData?.sent}
        retryAfter={actionData?.retryAfter}
        errors={errors.field('code')}
      />
      <SubmitButton intent="sign-in-sms" size="lg" className="w-full">
        {t('auth.signIn.submit')}
      </SubmitButton>
    </Form>
  );
}

function PasswordSignInForm({ redirectTo }: { redirectTo: string | null }) {
  const t = useT();
  const { actionData, errors } = useSignInActionData(['sign-in-password']);
  return (
    <Form method="post" noValidate className="flex flex-col gap-5">
      <DefaultSubmit intent="sign-in-password" />
      <RedirectToInput redirectTo={redirectTo} />
      <FormErrors errors={errors.form} />
      <Field
        label={t('auth.account.label')}
        description={t('auth.account.description')}
        errors={errors.field('account')}
        inputProps={{
          name: 'account',
          autoComplete: 'username',
          placeholder: t('auth.account.placeholder'),
          defaultValue: actionData?.values?.account,
          autoFocus: true,
          maxLength: 255,
        }}
      />
      <div className="flex flex-col gap-2">
        <Field
          label={t('auth.password.label')}
          errors={errors.field('password')}
          inputProps={{
            name: 'password',
            type: 'password',
            autoComplete: 'current-password',
            placeholder: t('auth.password.placeholder'),
            maxLength: 200,
          }}
        />
        <Link to="/auth/reset-password" className="self-end text-primary text-sm hover:underline">
          {t('auth.signIn.forgotPassword')}
        </Link>
      </div>
      <SubmitButton intent="sign-in-password" size="lg" className="w-full">
        {t('auth.signIn.submit')}
      </SubmitButton>
    </Form>
  );
}

function EmailSignInForm({ redirectTo }: { redirectTo: string | null }) {
  const t = useT();
  const { actionData, errors } = useSignInActionData(['send-email-code', 'sign-in-email']);
  const sent = useLatest(actionData?.sent);
  return (
    <Form method="post" noValidate className="flex flex-col gap-5">
      <DefaultSubmit intent={sent ? 'sign-in-email' : 'send-email-code'} />
      <RedirectToInput redirectTo={redirectTo} />
      <FormErrors errors={errors.form} />
      <Field
        label={t('auth.email.label')}
        errors={errors.field('email')}
        inputProps={{
          name: 'email',
          type: 'email',
          inputMode: 'email',
          autoComplete: 'email',
          placeholder: t('auth.email.placeholder'),
          defaultValue: actionData?.values?.email,
          autoFocus: true,
          maxLength: 255,
        }}
      />
      <CodeField
        sendIntent="send-email-code"
        sent={actionData?.sent}
        retryAfter={actionData?.retryAfter}
        errors={errors.field('code')}
      />
      <SubmitButton intent="sign-in-email" size="lg" className="w-full">
        {t('auth.signIn.submit')}
      </SubmitButton>
    </Form>
  );
}
