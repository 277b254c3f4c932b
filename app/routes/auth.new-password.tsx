import {
  type ActionFunctionArgs,
  data,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { Field, FormErrors, SubmitButton } from '~/components/forms';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { parseFormData } from '~/lib/form-errors';
import { authCacheHeaders } from '~/lib/supabase.server';
import { type AuthActionData, errorsFor } from '~/modules/auth/action-data';
import { newPasswordSchema } from '~/modules/auth/auth.schema';
import { updatePassword } from '~/modules/auth/auth.server';
import { failed, invalid } from '~/modules/auth/auth-action.server';
import { AuthCard } from '~/modules/auth/components/auth-card';
import { returnPath } from '~/modules/auth/landing';
import { landingFor, requireUser, toViewer } from '~/modules/auth/session.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'auth.newPassword.title');
export const headers = authCacheHeaders;

/** The last step of a password reset, and "change password" for anyone signed in. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const redirectTo = returnPath(new URL(request.url).searchParams.get('redirectTo'));
  return data({ viewer: toViewer(user), redirectTo }, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const auth = await requireUser(request);
  const submission = parseFormData(await request.formData(), newPasswordSchema);
  if (!submission.ok) return invalid(auth, null, submission.errors);
  try {
    await updatePassword(auth.supabase, submission.data.password);
  } catch (error) {
    return failed(auth, null, error);
  }
  return redirect(landingFor(auth.user, submission.data.redirectTo), { headers: auth.headers });
}

export default function NewPasswordPage() {
  const t = useT();
  const { viewer, redirectTo } = useLoaderData<typeof loader>();
  const errors = errorsFor(useActionData<AuthActionData>(), []);
  const account = viewer.maskedPhone ?? viewer.email ?? '';
  return (
    <AuthCard title={t('auth.newPassword.title')} description={t('auth.newPassword.subtitle', { account })}>
      <Form method="post" noValidate className="flex flex-col gap-5">
        {redirectTo ? <input type="hidden" name="redirectTo" value={redirectTo} /> : null}
        <FormErrors errors={errors.form} />
        <Field
          label={t('auth.password.newLabel')}
          description={t('auth.password.rules')}
          errors={errors.field('password')}
          inputProps={{
            name: 'password',
            type: 'password',
            autoComplete: 'new-password',
            autoFocus: true,
            maxLength: 72,
          }}
        />
        <Field
          label={t('auth.password.confirmLabel')}
          errors={errors.field('confirmPassword')}
          inputProps={{
            name: 'confirmPassword',
            type: 'password',
            autoComplete: 'new-password',
            maxLength: 72,
          }}
        />
        <SubmitButton size="lg" className="w-full">
          {t('auth.newPassword.submit')}
        </SubmitButton>
      </Form>
    </AuthCard>
  );
}
