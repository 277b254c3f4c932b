import { type ActionFunctionArgs, data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { Bell, Camera, ChevronRight, House, KeyRound, Link2, LogOut, UserRound } from 'lucide-react';
import { Field, SubmitButton } from '~/components/forms';
import { Card } from '~/components/ui/card';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseIntentFormData } from '~/lib/form-errors';
import { authCacheHeaders } from '~/lib/supabase.server';
import { requireUser, toViewer } from '~/modules/auth/session.server';
import { ActionStatus } from '~/modules/tenancy/components/action-status';
import { profileFormSchemas } from '~/modules/tenancy/profile.schema';
import { getMyProfile, replaceAvatar, saveMyProfile, signAvatar } from '~/modules/tenancy/profile.server';
import { TenancyError } from '~/modules/tenancy/tenancy-errors';
import {
  answerTenancyForm,
  invalidTenancyForm,
  type TenancyActionData,
} from '~/modules/tenancy/tenancy-routes.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'resident.me.title');
export const headers = authCacheHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, supabase, headers } = await requireUser(request);
  const profile = await withUser(user.claims, (tx) => getMyProfile(tx), { readOnly: true });
  const avatarUrl = await signAvatar(supabase, profile.avatarPath);
  return data({ viewer: toViewer(user), profile: { ...profile, avatarUrl } }, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, supabase, headers } = await requireUser(request);
  const form = await request.formData();
  const parsed = parseIntentFormData(form, profileFormSchemas);
  if (!parsed.ok) return invalidTenancyForm(headers, parsed.intent, parsed.errors);
  return answerTenancyForm(headers, parsed.intent, () =>
    withUser(user.claims, async (tx) => {
      if (parsed.intent === 'avatar') {
        const file = form.get('avatar');
        if (!(file instanceof File)) throw new TenancyError('tenancy.file_invalid');
        await replaceAvatar(tx, supabase, user.id, file);
      } else {
        await saveMyProfile(tx, parsed.data);
      }
      return { key: 'tenancy.saved' };
    }),
  );
}

export default function ResidentMePage() {
  const t = useT();
  const { viewer, profile } = useLoaderData<typeof loader>();
  const actionData = useActionData<TenancyActionData>();
  const fieldErrors = actionData?.intent === 'save' ? actionData.errors?.fields : undefined;
  const links = [
    { to: '/me/units', label: t('tenancy.me.units'), icon: House },
    { to: '/me/notifications', label: t('notifications.inbox.title'), icon: Bell },
    { to: '/me/accounts', label: t('social.accounts.menu'), icon: Link2 },
    { to: '/auth/new-password', label: t('auth.menu.changePassword'), icon: KeyRound },
    { to: '/auth/sign-out', label: t('auth.menu.signOut'), icon: LogOut },
  ];
  const name = profile.fullName || viewer.name;
  return (
    <div className="flex flex-col gap-4">
      <h1 className="font-semibold text-xl tracking-tight">{t('resident.me.title')}</h1>
      <Card className="flex-row items-center gap-4 px-5">
        <Form method="post" encType="multipart/form-data" className="relative shrink-0">
          <label className="group relative block cursor-pointer" title={t('tenancy.profile.changeAvatar')}>
            {profile.avatarUrl ? (
              <img
                src={profile.avatarUrl}
                alt={t('tenancy.profile.avatar')}
                className="size-14 rounded-full object-cover"
              />
            ) : (
              <span
                aria-hidden
                className="grid size-14 place-items-center rounded-full bg-primary/10 font-semibold text-lg text-primary"
              >
                {name ? name.slice(0, 1) : <UserRound className="size-6" />}
              </span>
            )}
            <span className="absolute -right-1 -bottom-1 grid size-6 place-items-center rounded-full border bg-background">
              <Camera aria-hidden className="size-3.5" />
            </span>
            <input
              type="file"
              name="avatar"
              accept="image/jpeg,image/png,image/webp"
              aria-label={t('tenancy.profile.changeAvatar')}
              className="sr-only"
              onChange={(e) => e.currentTarget.form?.requestSubmit()}
            />
          </label>
          <noscript>
            <SubmitButton intent="avatar" size="sm">
              {t('tenancy.profile.uploadAvatar')}
            </SubmitButton>
          </noscript>
          <input type="hidden" name="intent" value="avatar" />
        </Form>
        <div className="flex min-w-0 flex-col">
          <p className="truncate font-medium">{name || t('auth.menu.noName')}</p>
          <p className="truncate text-muted-foreground text-sm">{viewer.maskedPhone ?? viewer.email}</p>
        </div>
      </Card>
      <ActionStatus data={actionData} />
      <Card className="gap-3 px-5">
        <h2 className="font-medium">{t('tenancy.me.profile')}</h2>
        <Form method="post" className="flex flex-col gap-3">
          <Field
            label={t('tenancy.profile.name')}
            errors={fieldErrors?.fullName}
            inputProps={{
              name: 'fullName',
              defaultValue: profile.fullName,
              required: true,
              autoComplete: 'name',
            }}
          />
          <Field
            label={t('tenancy.profile.phone')}
            description={t('tenancy.profile.phoneHint')}
            inputProps={{ value: viewer.maskedPhone ?? '', readOnly: true, disabled: true }}
          />
          <Field
            label={t('tenancy.profile.emergencyName')}
            errors={fieldErrors?.emergencyName}
            inputProps={{ name: 'emergencyName', defaultValue: profile.emergencyName ?? '' }}
          />
          <Field
            label={t('tenancy.profile.emergencyPhone')}
            errors={fieldErrors?.emergencyPhone}
            inputProps={{
              name: 'emergencyPhone',
              inputMode: 'tel',
              defaultValue: profile.emergencyPhone?.replace(/^86(?=1\d{10}$)/, '') ?? '',
            }}
          />
          <SubmitButton intent="save" className="self-start">
            {t('tenancy.save')}
          </SubmitButton>
        </Form>
      </Card>
      <Card className="gap-0 py-1">
        <ul className="divide-y">
          {links.map(({ to, label, icon: Icon }) => (
            <li key={to}>
              <Link
                to={to}
                className="flex items-center gap-3 px-5 py-3.5 text-sm transition-colors hover:bg-muted focus-visible:outline-2 focus-visible:outline-ring"
              >
                <Icon aria-hidden className="size-4 text-muted-foreground" />
                <span className="flex-1">{label}</span>
                <ChevronRight aria-hidden className="size-4 text-muted-foreground" />
              </Link>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
