import { type ActionFunctionArgs, type MetaFunction, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLocation } from '@remix-run/react';
import { DefaultSubmit, Field, FormErrors, SubmitButton } from '~/components/forms';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { parseIntentFormData } from '~/lib/form-errors';
import { authCacheHeaders, createSupabaseServerClient } from '~/lib/supabase.server';
import { type AuthActionData, errorsFor } from '~/modules/auth/action-data';
import { resetPasswordIntents } from '~/modules/auth/auth.schema';
import { sendPasswordResetCode, verifyPasswordResetCode } from '~/modules/auth/auth.server';
import { callbackUrl, codeSent, echoValues, failed, invalid } from '~/modules/auth/auth-action.server';
import { AuthCard } from '~/modules/auth/components/auth-card';
import { CodeField } from '~/modules/auth/components/code-field';
import { useLatest } from '~/modules/auth/components/use-countdown';
import { maskPhone } from '~/modules/auth/phone';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'auth.reset.title');
export const headers = authCacheHeaders;

const newPasswordPath = '/auth/new-password';

/** Step 1 sends a code to the phone or e-mail; step 2 checks it, which signs the person in for step 3. */
export async function action({ request }: ActionFunctionArgs) {
  const auth = createSupabaseServerClient(request);
  const formData = await request.formData();
  const values = echoValues(formData);
  const submission = parseIntentFormData(formData, resetPasswordIntents);
  if (!submission.ok) return invalid(auth, submission.intent, submission.errors, values);
  const { intent } = submission;
  const { account } = submission.data;
  try {
    if (submission.intent === 'send-reset-code') {
      const sent = await sendPasswordResetCode(auth.supabase, {
        account,
        callbackUrl: callbackUrl(request, newPasswordPath),
      });
      const to = 'phone' in account ? maskPhone(account.phone) : account.email;
      return codeSent(auth, intent, { to, resendIn: sent.resendIn }, values);
    }
    await verifyPasswordResetCode(auth.supabase, { account, code: submission.data.code });
  } catch (error) {
    return failed(auth, intent, error, values);
  }
  return redirect(newPasswordPath, { headers: auth.headers });
}

export default function ResetPasswordPage() {
  const t = useT();
  // "Use a different account" links here again; a new location key starts the form afresh.
  const { key } = useLocation();
  return (
    <AuthCard
      title={t('auth.reset.title')}
      description={t('auth.reset.subtitle')}
      footer={
        <Link to="/auth/sign-in?method=password" className="font-medium text-primary hover:underline">
          {t('auth.reset.backToSignIn')}
        </Link>
      }
    >
      <ResetPasswordForm key={key} />
    </AuthCard>
  );
}

function ResetPasswordForm() {
  const t = useT();
  const actionData = useActionData<AuthActionData>();
  const errors = errorsFor(actionData, Object.keys(resetPasswordIntents));
  const sent = useLatest(actionData?.sent);
  const account = useLatest(actionData?.values?.account);
  const codeStep = Boolean(sent) || actionData?.intent === 'verify-reset-code';
  return (
    <Form method="post" noValidate className="flex flex-col gap-5">
      <DefaultSubmit intent={codeStep ? 'verify-reset-code' : 'send-reset-code'} />
      <FormErrors errors={errors.form} />
      {codeStep && account ? (
        <>
          <input type="hidden" name="account" value={account} />
          <div className="flex items-center justify-between gap-3 rounded-md bg-muted px-3 py-2.5 text-sm">
            <span className="truncate font-medium">{account}</span>
            <Link to="/auth/reset-password" className="shrink-0 text-primary hover:underline">
              {t('auth.reset.changeAccount')}
            </Link>
          </div>
          <CodeField
            sendIntent="send-reset-code"
            sent={actionData?.sent}
            retryAfter={actionData?.retryAfter}
            errors={errors.field('code')}
          />
          <SubmitButton intent="verify-reset-code" size="lg" className="w-full">
            {t('auth.reset.next')}
          </SubmitButton>
        </>
      ) : (
        <>
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
          <SubmitButton intent="send-reset-code" size="lg" className="w-full">
            {t('auth.code.send')}
          </SubmitButton>
        </>
      )}
    </Form>
  );
}
