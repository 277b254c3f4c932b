import {
  type ActionFunctionArgs,
  data,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { UserRound } from 'lucide-react';
import { z } from 'zod';
import { DefaultSubmit, FormErrors, SubmitButton } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { getLocale } from '~/i18n/locale.server';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { parseIntentFormData } from '~/lib/form-errors';
import { authCacheHeaders, createSupabaseServerClient } from '~/lib/supabase.server';
import { type AuthActionData, errorsFor } from '~/modules/auth/action-data';
import { sendSmsCode } from '~/modules/auth/auth.server';
import { codeSent, echoValues, failed, invalid } from '~/modules/auth/auth-action.server';
import { AuthCard } from '~/modules/auth/components/auth-card';
import { CodeField } from '~/modules/auth/components/code-field';
import { PhoneField } from '~/modules/auth/components/phone-field';
import { useLatest } from '~/modules/auth/components/use-countdown';
import { maskPhone } from '~/modules/auth/phone';
import { pathAfterSignIn } from '~/modules/auth/session.server';
import { ProviderIcon } from '~/modules/social/components/provider-icon';
import { bindPhoneIntents, providerLabelKeys } from '~/modules/social/social.schema';
import { abandonSocialFlow, completeSignUpWithPhone, pendingSignUp } from '~/modules/social/social.server';
import { SocialFlowError } from '~/modules/social/social-errors';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'social.bindPhone.title');
export const headers = authCacheHeaders;

const intents = { ...bindPhoneIntents, cancel: z.object({}) };

/** A first WeChat/QQ sign-in: the person adds a phone (SMS code) to finish, or joins its account. */
export async function loader({ request }: LoaderFunctionArgs) {
  const pending = await pendingSignUp(request);
  if (!pending) throw redirect('/auth/sign-in');
  return data({ provider: pending.provider, nickname: pending.nickname, avatarUrl: pending.avatarUrl });
}

export async function action({ request }: ActionFunctionArgs) {
  const auth = createSupabaseServerClient(request);
  const formData = await request.formData();
  const values = echoValues(formData);
  const submission = parseIntentFormData(formData, intents);
  if (!submission.ok) return invalid(auth, submission.intent, submission.errors, values);
  const { intent } = submission;
  try {
    switch (submission.intent) {
      case 'cancel':
        await abandonSocialFlow(auth, request);
        return redirect('/auth/sign-in', { headers: auth.headers });
      case 'send-sms-code': {
        const { phone } = submission.data;
        // A number with an account gets a sign-in code; a new one gets its account on the way.
        const sent = await sendSmsCode(auth.supabase, { phone, createUser: true });
        return codeSent(auth, intent, { to: maskPhone(phone), resendIn: sent.resendIn }, values);
      }
      case 'bind-phone': {
        const { returnTo } = await completeSignUpWithPhone(auth, request, submission.data);
        return redirect(await pathAfterSignIn(auth, returnTo), { headers: auth.headers });
      }
    }
  } catch (error) {
    if (error instanceof SocialFlowError) {
      return data<AuthActionData>(
        { intent, errors: { form: [error.toMessage(getLocale(request))] }, values },
        { status: error.status, headers: auth.headers },
      );
    }
    return failed(auth, intent, error, values);
  }
}

export default function BindPhonePage() {
  const t = useT();
  const { provider, nickname, avatarUrl } = useLoaderData<typeof loader>();
  const actionData = useActionData<AuthActionData>();
  const errors = errorsFor(actionData, Object.keys(intents));
  const sent = useLatest(actionData?.sent);
  const name = t(providerLabelKeys[provider]);
  return (
    <AuthCard
      title={t('social.bindPhone.title')}
      description={t('social.bindPhone.subtitle', { provider: name })}
    >
      <div className="flex items-center gap-3 rounded-lg border bg-muted/40 px-3 py-2.5">
        {avatarUrl ? (
          <img src={avatarUrl} alt="" className="size-10 rounded-md" />
        ) : (
          <span className="grid size-10 place-items-center rounded-md bg-muted">
            <UserRound aria-hidden className="size-5 text-muted-foreground" />
          </span>
        )}
        <p className="flex min-w-0 items-center gap-1.5 text-sm">
          <ProviderIcon provider={provider} className="size-4" />
          <span className="truncate">{t('social.bindPhone.greeting', { provider: name, nickname })}</span>
        </p>
      </div>
      <Form method="post" noValidate className="flex flex-col gap-5">
        <DefaultSubmit intent={sent ? 'bind-phone' : 'send-sms-code'} />
        <FormErrors errors={errors.form} />
        <PhoneField errors={errors.field('phone')} defaultValues={actionData?.values} autoFocus />
        <CodeField
          sendIntent="send-sms-code"
          sent={actionData?.sent}
          retryAfter={actionData?.retryAfter}
          errors={errors.field('code')}
        />
        <SubmitButton intent="bind-phone" size="lg" className="w-full">
          {t('social.bindPhone.submit')}
        </SubmitButton>
      </Form>
      <Form method="post">
        <Button type="submit" name="intent" value="cancel" variant="ghost" className="w-full">
          {t('social.bindPhone.cancel')}
        </Button>
      </Form>
    </AuthCard>
  );
}
