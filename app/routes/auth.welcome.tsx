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
import { saveFullName } from '~/modules/auth/account.server';
import { type AuthActionData, errorsFor } from '~/modules/auth/action-data';
import { profileNameSchema } from '~/modules/auth/auth.schema';
import { invalid } from '~/modules/auth/auth-action.server';
import { AuthCard } from '~/modules/auth/components/auth-card';
import { landingPathFor, returnPath } from '~/modules/auth/landing';
import { requireUser, type SessionUser, toViewer } from '~/modules/auth/session.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'auth.welcome.title');
export const headers = authCacheHeaders;

function nextPath(user: SessionUser, redirectTo: unknown): string {
  return (
    returnPath(redirectTo) ??
    landingPathFor({ platformRole: user.platformRole, isStaff: user.account.isStaff })
  );
}

/** A new account's first stop: its name (姓名), which staff see next to the phone number. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const redirectTo = returnPath(new URL(request.url).searchParams.get('redirectTo'));
  if (user.account.fullName) throw redirect(nextPath(user, redirectTo), { headers });
  return data({ viewer: toViewer(user), redirectTo }, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const auth = await requireUser(request);
  const submission = parseFormData(await request.formData(), profileNameSchema);
  if (!submission.ok) return invalid(auth, null, submission.errors);
  await saveFullName(auth.user.claims, submission.data.fullName);
  return redirect(nextPath(auth.user, submission.data.redirectTo), { headers: auth.headers });
}

export default function WelcomePage() {
  const t = useT();
  const { redirectTo } = useLoaderData<typeof loader>();
  const errors = errorsFor(useActionData<AuthActionData>(), []);
  return (
    <AuthCard title={t('auth.welcome.title')} description={t('auth.welcome.subtitle')}>
      <Form method="post" noValidate className="flex flex-col gap-5">
        {redirectTo ? <input type="hidden" name="redirectTo" value={redirectTo} /> : null}
        <FormErrors errors={errors.form} />
        <Field
          label={t('auth.name.label')}
          errors={errors.field('fullName')}
          inputProps={{
            name: 'fullName',
            autoComplete: 'name',
            placeholder: t('auth.name.placeholder'),
            autoFocus: true,
            maxLength: 32,
          }}
        />
        <SubmitButton size="lg" className="w-full">
          {t('auth.welcome.submit')}
        </SubmitButton>
      </Form>
    </AuthCard>
  );
}
