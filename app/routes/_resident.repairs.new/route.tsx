import {
  type ActionFunctionArgs,
  data,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { ArrowLeft, House, Trees } from 'lucide-react';
import { useMemo, useState } from 'react';
import { EmptyState } from '~/components/empty-state';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, FormErrors, SubmitButton } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { Label } from '~/components/ui/label';
import { pageMeta } from '~/i18n/meta';
import { useLocale, useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseFormData } from '~/lib/form-errors';
import { authCacheHeaders } from '~/lib/supabase.server';
import { cn } from '~/lib/utils';
import { requireUser } from '~/modules/auth/session.server';
import { CategoryIcon, categoryName } from '~/modules/repairs/components/category-icon';
import { MediaUploader } from '~/modules/repairs/components/media-uploader';
import { NativeSelect, Textarea } from '~/modules/repairs/components/textarea';
import { RepairError } from '~/modules/repairs/errors';
import { reportSchema, TIME_SLOTS } from '~/modules/repairs/repairs.schema';
import { loadReportContext, submitReport } from '~/modules/repairs/repairs.server';
import { invalidForm, type RepairActionData } from '~/modules/repairs/repairs-routes.server';
import { PublicMatches } from './public-matches';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'repairs.new.title');
export const headers = authCacheHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const context = await withUser(user.claims, (tx) => loadReportContext(tx), { readOnly: true });
  return data({ context, userId: user.id }, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const submission = parseFormData(await request.formData(), reportSchema);
  if (!submission.ok) return invalidForm(headers, submission.errors);
  try {
    const ticket = await withUser(user.claims, (tx) => submitReport(tx, submission.data));
    return redirect(`/repairs/${ticket.id}`, { headers });
  } catch (err) {
    if (err instanceof RepairError) return invalidForm(headers, { form: [{ key: err.messageKey }] });
    throw err;
  }
}

function formatMinutes(minutes: number, t: ReturnType<typeof useT>) {
  return minutes < 60
    ? t('repairs.new.respondMinutes', { n: minutes })
    : t('repairs.new.respondHours', { n: Math.round(minutes / 6) / 10 });
}

export default function NewRepairPage() {
  const t = useT();
  const locale = useLocale();
  const { context, userId } = useLoaderData<typeof loader>();
  const actionData = useActionData<RepairActionData>();
  const errors = actionData?.errors?.fields;
  const [area, setArea] = useState<'home' | 'public'>(context.units.length > 0 ? 'home' : 'public');
  const [unitId, setUnitId] = useState(context.units[0]?.id ?? '');
  const [publicCommunityId, setPublicCommunityId] = useState(context.communities[0]?.id ?? '');
  const [categoryId, setCategoryId] = useState('');
  const [uploading, setUploading] = useState(false);
  const communityId =
    area === 'home' ? (context.units.find((u) => u.id === unitId)?.communityId ?? '') : publicCommunityId;
  const categories = useMemo(
    () =>
      context.categories.filter(
        (c) => c.communityId === communityId && (area === 'home' ? c.forHome : c.forPublic),
      ),
    [context.categories, communityId, area],
  );
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

  if (context.communities.length === 0) {
    return (
      <EmptyState icon={House} title={t('repairs.new.noUnitTitle')} body={t('repairs.new.noUnitBody')}>
        <Button asChild size="sm" variant="outline" className="mt-2">
          <Link to="/me">{t('resident.me.title')}</Link>
        </Button>
      </EmptyState>
    );
  }

  return (
    <div className="flex flex-col gap-4">
      <div className="flex items-center gap-2">
        <Button asChild variant="ghost" size="icon" aria-label={t('repairs.common.back')}>
          <Link to="/repairs">
            <ArrowLeft />
          </Link>
        </Button>
        <h1 className="font-semibold text-xl tracking-tight">{t('repairs.new.title')}</h1>
      </div>
      <Form method="post" className="flex flex-col gap-5" aria-label={t('repairs.new.title')}>
        <FormErrors errors={actionData?.errors?.form} />
        <fieldset className="flex flex-col gap-2">
          <legend className="mb-2 font-medium text-sm">{t('repairs.new.where')}</legend>
          <div className="grid grid-cols-2 gap-2">
            {(['home', 'public'] as const).map((a) => {
              const Icon = a === 'home' ? House : Trees;
              const disabled = a === 'home' && context.units.length === 0;
              return (
                <label
                  key={a}
                  className={cn(
                    'flex cursor-pointer items-center gap-2 rounded-lg border p-3 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring',
                    area === a && 'border-primary bg-primary/5 font-medium',
                    disabled && 'cursor-not-allowed opacity-50',
                  )}
                >
                  <input
                    type="radio"
                    name="area"
                    value={a}
                    checked={area === a}
                    disabled={disabled}
                    onChange={() => {
                      setArea(a);
                      setCategoryId('');
                    }}
                    className="sr-only"
                  />
                  <Icon aria-hidden className="size-4" />
                  {t(`repairs.area.${a}`)}
                </label>
              );
            })}
          </div>
        </fieldset>

        {area === 'home' ? (
          <Field
            label={t('repairs.new.unit')}
            errors={errors?.unitId}
            render={(control) => (
              <NativeSelect
                {...control}
                name="unitId"
                value={unitId}
                onChange={(e) => setUnitId(e.target.value)}
              >
                {context.units.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.communityName} {u.label}
                  </option>
                ))}
              </NativeSelect>
            )}
          />
        ) : (
          <>
            {context.communities.length > 1 ? (
              <Field
                label={t('repairs.field.community')}
                errors={errors?.communityId}
                render={(control) => (
                  <NativeSelect
                    {...control}
                    name="communityId"
                    value={publicCommunityId}
                    onChange={(e) => setPublicCommunityId(e.target.value)}
                  >
                    {context.communities.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.name}
                      </option>
                    ))}
                  </NativeSelect>
                )}
              />
            ) : (
              <input type="hidden" name="communityId" value={publicCommunityId} />
            )}
            <Field
              label={t('repairs.new.location')}
              errors={errors?.locationNote}
              inputProps={{
                name: 'locationNote',
                required: true,
                maxLength: 100,
                placeholder: t('repairs.new.locationPlaceholder'),
              }}
            />
          </>
        )}

        <fieldset className="flex flex-col gap-2">
          <legend className="mb-2 font-medium text-sm">{t('repairs.field.category')}</legend>
          <div className="grid grid-cols-3 gap-2">
            {categories.map((c) => (
              <label
                key={c.id}
                className={cn(
                  'flex cursor-pointer flex-col items-center gap-1 rounded-lg border p-2.5 text-center text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring',
                  categoryId === c.id && 'border-primary bg-primary/5',
                )}
              >
                <input
                  type="radio"
                  name="categoryId"
                  value={c.id}
                  required
                  checked={categoryId === c.id}
                  onChange={() => setCategoryId(c.id)}
                  className="sr-only"
                />
                <CategoryIcon icon={c.icon} className="text-primary" />
                <span className="font-medium">{categoryName(c, locale)}</span>
                <span className="text-[11px] text-muted-foreground leading-tight">
                  {formatMinutes(c.responseMinutes, t)}
                </span>
              </label>
            ))}
          </div>
          {errors?.categoryId ? (
            <p className="text-destructive text-sm">{t('repairs.new.categoryRequired')}</p>
          ) : null}
        </fieldset>

        {area === 'public' && publicCommunityId ? (
          <PublicMatches communityId={publicCommunityId} categoryId={categoryId || null} />
        ) : null}

        <Field
          label={t('repairs.field.description')}
          errors={errors?.description}
          render={(control) => (
            <Textarea
              {...control}
              name="description"
              required
              maxLength={1000}
              rows={4}
              placeholder={t('repairs.new.descriptionPlaceholder')}
            />
          )}
        />

        <div className="flex flex-col gap-2">
          <Label>{t('repairs.new.media')}</Label>
          <p className="text-muted-foreground text-xs">{t('repairs.new.mediaHint')}</p>
          <MediaUploader name="media" userId={userId} onBusyChange={setUploading} />
        </div>

        <div className="grid grid-cols-2 gap-3">
          <Field
            label={t('repairs.new.preferredDate')}
            errors={errors?.preferredDate}
            inputProps={{ name: 'preferredDate', type: 'date', min: today }}
          />
          <Field
            label={t('repairs.new.preferredSlot')}
            render={(control) => (
              <NativeSelect {...control} name="preferredSlot" defaultValue="any">
                {TIME_SLOTS.map((s) => (
                  <option key={s} value={s}>
                    {t(`repairs.slot.${s}`)}
                  </option>
                ))}
              </NativeSelect>
            )}
          />
        </div>
        <div className="grid grid-cols-2 gap-3">
          <Field
            label={t('repairs.field.contact')}
            errors={errors?.contactName}
            inputProps={{
              name: 'contactName',
              defaultValue: context.contactName,
              maxLength: 64,
              autoComplete: 'name',
            }}
          />
          <Field
            label={t('repairs.field.phone')}
            errors={errors?.contactPhone}
            inputProps={{
              name: 'contactPhone',
              type: 'tel',
              inputMode: 'tel',
              autoComplete: 'tel',
              defaultValue: context.contactPhone?.replace(/^86(?=1\d{10}$)/, '') ?? '',
            }}
          />
        </div>
        <SubmitButton className="w-full" size="lg" disabled={uploading}>
          {uploading ? t('repairs.media.waitUploads') : t('repairs.new.submit')}
        </SubmitButton>
      </Form>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
