import {
  type ActionFunctionArgs,
  data,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { ChevronLeft, Mail, Smartphone } from 'lucide-react';
import type { ReactNode } from 'react';
import { z } from 'zod';
import { FormErrors, SubmitButton } from '~/components/forms';
import { Card } from '~/components/ui/card';
import { getLocale } from '~/i18n/locale.server';
import { pageMeta } from '~/i18n/meta';
import { translate } from '~/i18n/translate';
import { useLocale, useT } from '~/i18n/use-t';
import { type LocalizedMessage, parseIntentFormData } from '~/lib/form-errors';
import { authCacheHeaders } from '~/lib/supabase.server';
import { asAuthFlowError } from '~/modules/auth/auth-errors';
import { Notice } from '~/modules/auth/components/notice';
import { requireUser } from '~/modules/auth/session.server';
import { type LinkedAccount, signInMethods } from '~/modules/social/accounts.server';
import { ProviderIcon } from '~/modules/social/components/provider-icon';
import {
  accountsIntents,
  providerLabelKeys,
  providerSchema,
  type SocialProvider,
  socialProviders,
} from '~/modules/social/social.schema';
import { beginSocialFlow, unbindProvider } from '~/modules/social/social.server';
import { SocialFlowError, socialErrorKeys } from '~/modules/social/social-errors';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'social.accounts.title');
export const headers = authCacheHeaders;

const pageQuery = z.object({
  linked: providerSchema.optional().catch(undefined),
  unlinked: providerSchema.optional().catch(undefined),
  provider: providerSchema.optional().catch(undefined),
  error: z.string().max(64).optional().catch(undefined),
});

/** Ways into the account: phone, e-mail, and WeChat/QQ to bind or unbind. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const locale = getLocale(request);
  const query = pageQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const name = (p: SocialProvider) => translate(locale, providerLabelKeys[p]);
  const notice: LocalizedMessage | null = query.linked
    ? { key: 'social.accounts.linked', vars: { provider: name(query.linked) } }
    : query.unlinked
      ? { key: 'social.accounts.unlinked', vars: { provider: name(query.unlinked) } }
      : null;
  // A bind that failed on the way back from WeChat/QQ (only codes we know are shown).
  const error: LocalizedMessage | null =
    query.error && query.provider && Object.hasOwn(socialErrorKeys, query.error)
      ? new SocialFlowError(query.error, query.provider).toMessage(locale)
      : null;
  return data({ methods: await signInMethods(user.claims), notice, error }, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const auth = await requireUser(request);
  const submission = parseIntentFormData(await request.formData(), accountsIntents);
  if (!submission.ok)
    return data({ errors: submission.errors.form ?? [] }, { status: 400, headers: auth.headers });
  const { provider } = submission.data;
  try {
    if (submission.intent === 'bind') {
      const url = await beginSocialFlow(auth, request, {
        provider,
        intent: 'bind',
        returnTo: '/me/accounts',
      });
      return redirect(url, { headers: auth.headers });
    }
    await unbindProvider(auth, provider);
    return redirect(`/me/accounts?${new URLSearchParams({ unlinked: provider })}`, { headers: auth.headers });
  } catch (error) {
    if (error instanceof SocialFlowError) {
      return data(
        { errors: [error.toMessage(getLocale(request))] },
        { status: error.status, headers: auth.headers },
      );
    }
    const failure = asAuthFlowError(error);
    if (!failure) throw error;
    return data({ errors: [failure.userMessage] }, { status: failure.status, headers: auth.headers });
  }
}

function Row({ icon, label, children }: { icon: ReactNode; label: string; children: ReactNode }) {
  return (
    <li className="flex min-h-14 items-center gap-3 px-5 py-3">
      {icon}
      <span className="w-14 shrink-0 font-medium text-sm">{label}</span>
      <div className="flex min-w-0 flex-1 items-center justify-end gap-3 text-sm">{children}</div>
    </li>
  );
}

function ProviderRow({
  provider,
  linked,
  canUnbind,
}: {
  provider: SocialProvider;
  linked: LinkedAccount | undefined;
  canUnbind: boolean;
}) {
  const t = useT();
  const locale = useLocale();
  const name = t(providerLabelKeys[provider]);
  return (
    <Row icon={<ProviderIcon provider={provider} />} label={name}>
      {linked ? (
        <>
          <span className="flex min-w-0 items-center gap-2">
            {linked.avatarUrl ? (
              <img src={linked.avatarUrl} alt="" className="size-7 shrink-0 rounded" />
            ) : null}
            <span className="flex min-w-0 flex-col text-right">
              <span className="truncate">{linked.nickname || name}</span>
              <span className="text-muted-foreground text-xs">
                {t('social.accounts.linkedAt', {
                  date: new Date(linked.linkedAt).toLocaleDateString(locale, { timeZone: 'Asia/Shanghai' }),
                })}
              </span>
            </span>
          </span>
          {/* A full page load: the action answers with the provider's page or this one. */}
          <Form method="post" reloadDocument>
            <input type="hidden" name="provider" value={provider} />
            <SubmitButton
              intent="unbind"
              variant="outline"
              size="sm"
              disabled={!canUnbind}
              title={canUnbind ? undefined : t('social.accounts.lastMethod')}
              aria-label={`${t('social.accounts.unbind')} ${name}`}
            >
              {t('social.accounts.unbind')}
            </SubmitButton>
          </Form>
        </>
      ) : (
        <>
          <span className="text-muted-foreground">{t('social.accounts.notBound')}</span>
          <Form method="post" reloadDocument>
            <input type="hidden" name="provider" value={provider} />
            <SubmitButton intent="bind" size="sm" aria-label={`${t('social.accounts.bind')} ${name}`}>
              {t('social.accounts.bind')}
            </SubmitButton>
          </Form>
        </>
      )}
    </Row>
  );
}

export default function LinkedAccountsPage() {
  const t = useT();
  const { methods, notice, error } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = [...(error ? [error] : []), ...(actionData?.errors ?? [])];
  return (
    <div className="flex flex-col gap-4">
      <div className="flex items-center gap-2">
        <Link
          to="/me"
          aria-label={t('resident.me.title')}
          className="-ml-2 rounded-md p-1 text-muted-foreground hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring"
        >
          <ChevronLeft aria-hidden className="size-5" />
        </Link>
        <h1 className="font-semibold text-xl tracking-tight">{t('social.accounts.title')}</h1>
      </div>
      <p className="text-muted-foreground text-sm">{t('social.accounts.subtitle')}</p>
      {notice ? <Notice>{t(notice.key, notice.vars)}</Notice> : null}
      <FormErrors errors={errors} />
      <Card className="gap-0 py-1">
        <ul className="divide-y">
          <Row
            icon={<Smartphone aria-hidden className="size-5 text-muted-foreground" />}
            label={t('social.accounts.phone')}
          >
            <span className={methods.phone ? 'tabular-nums' : 'text-muted-foreground'}>
              {methods.phone ?? t('social.accounts.notBound')}
            </span>
          </Row>
          {methods.email ? (
            <Row
              icon={<Mail aria-hidden className="size-5 text-muted-foreground" />}
              label={t('social.accounts.email')}
            >
              <span className="truncate">{methods.email}</span>
            </Row>
          ) : null}
          {socialProviders.map((provider) => (
            <ProviderRow
              key={provider}
              provider={provider}
              linked={methods.linked.find((l) => l.provider === provider)}
              canUnbind={methods.canUnbind}
            />
          ))}
        </ul>
      </Card>
      {!methods.canUnbind && methods.linked.length > 0 ? (
        <p className="text-muted-foreground text-xs">{t('social.accounts.lastMethod')}</p>
      ) : null}
    </div>
  );
}
