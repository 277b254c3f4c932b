import {
  type ActionFunctionArgs,
  data,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useSubmit } from '@remix-run/react';
import { ChevronLeft, PiggyBank } from 'lucide-react';
import { EmptyState } from '~/components/empty-state';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { FormErrors, SubmitButton } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '~/components/ui/card';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { type FormErrors as FormErrorsType, parseFormData } from '~/lib/form-errors';
import { authCacheHeaders } from '~/lib/supabase.server';
import { requireUser } from '~/modules/auth/session.server';
import { prepayInputSchema } from '~/modules/billing/billing.schema';
import { callPayments } from '~/modules/billing/billing-routes.server';
import { periodLabel, Yuan } from '~/modules/billing/components/money';
import { PrepayQuoteView } from '~/modules/billing/components/prepay-quote';
import { BillingError } from '~/modules/billing/errors';
import { startPrepayment } from '~/modules/billing/prepay.server';
import { loadPrepayPage } from '~/modules/billing/prepay-page.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'billing.prepay.title');
export const headers = authCacheHeaders;

/** 预缴: choose a unit, a fee item that allows prepayment and the months; the server prices it. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const page = await loadPrepayPage(user.claims, new URL(request.url).searchParams, { surface: 'resident' });
  return data(page, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, supabase, headers } = await requireUser(request);
  const parsed = parseFormData(await request.formData(), prepayInputSchema);
  if (!parsed.ok)
    return data<{ errors: FormErrorsType }>({ errors: parsed.errors }, { status: 400, headers });
  const returnUrl = new URL('/bills/return', request.url).toString();
  try {
    const { url } = await startPrepayment(
      {
        run: (work) => withUser(user.claims, work),
        checkout: (billIds) => callPayments<{ url: string }>(supabase, 'checkout', { billIds, returnUrl }),
      },
      parsed.data,
    );
    return redirect(url, { headers });
  } catch (err) {
    if (err instanceof BillingError) {
      return data<{ errors: FormErrorsType }>(
        { errors: { form: [{ key: err.messageKey }] } },
        { status: 400, headers },
      );
    }
    throw err;
  }
}

export default function ResidentPrepayPage() {
  const t = useT();
  const { units, unit, options, item, months, open, quote, quoteError } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const submit = useSubmit();
  const refresh = (form: HTMLFormElement | null) =>
    form && submit(form, { replace: true, preventScrollReset: true });

  return (
    <div className="flex flex-col gap-4">
      <div className="flex items-center gap-2">
        <Link to="/bills" className="text-muted-foreground" aria-label={t('billing.resident.backToBills')}>
          <ChevronLeft aria-hidden className="size-5" />
        </Link>
        <h1 className="font-semibold text-xl tracking-tight">{t('billing.prepay.title')}</h1>
      </div>
      <p className="text-muted-foreground text-sm">{t('billing.prepay.intro')}</p>

      {open
        .filter((o) => o.mine && o.checkoutUrl)
        .map((o) => (
          <div
            key={o.prepaymentId}
            role="status"
            className="flex flex-wrap items-center justify-between gap-2 rounded-md border border-violet-300 bg-violet-50 px-3 py-2 text-sm text-violet-800"
          >
            <span>
              {t('billing.prepay.inProgress', {
                item: o.feeItemName,
                months: o.months,
                amount: `¥${(o.netFen / 100).toFixed(2)}`,
              })}
            </span>
            <Button asChild size="sm" variant="outline">
              <a href={o.checkoutUrl ?? '#'}>{t('billing.prepay.continue')}</a>
            </Button>
          </div>
        ))}

      {!unit ? (
        <EmptyState
          icon={PiggyBank}
          title={t('billing.prepay.noUnits')}
          body={t('billing.prepay.noUnitsBody')}
          className="py-6"
        />
      ) : options.length === 0 ? (
        <EmptyState
          icon={PiggyBank}
          title={t('billing.prepay.noItems')}
          body={t('billing.prepay.noItemsBody')}
          className="py-6"
        />
      ) : (
        <Form method="get" className="flex flex-col gap-3" onChange={(e) => refresh(e.currentTarget)}>
          {units.length > 1 ? (
            <label className="flex flex-col gap-1 text-sm">
              {t('billing.prepay.unit')}
              <select
                name="unit"
                defaultValue={unit.id}
                className="h-10 rounded-md border bg-background px-2"
              >
                {units.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.communityName} {u.label}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <input type="hidden" name="unit" value={unit.id} />
          )}
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-sm">{t('billing.prepay.item')}</legend>
            {options.map((o) => (
              <label
                key={o.feeItemId}
                className="flex items-start gap-3 rounded-lg border bg-card p-3 has-[:checked]:border-primary"
              >
                <input
                  type="radio"
                  name="item"
                  value={o.feeItemId}
                  defaultChecked={o.feeItemId === item?.feeItemId}
                  disabled={o.limitReached}
                  className="mt-1 size-4 accent-primary"
                />
                <span className="flex min-w-0 flex-1 flex-col gap-0.5">
                  <span className="font-medium">{o.feeItemName}</span>
                  <span className="text-muted-foreground text-xs">
                    {o.limitReached
                      ? t('billing.prepay.limitReached')
                      : t('billing.prepay.perPeriod', {
                          amount: `¥${(o.chargeFen / 100).toFixed(2)}`,
                          from: o.firstPeriod.slice(0, 7),
                        })}
                  </span>
                  <span className="text-emerald-700 text-xs">
                    {o.offers.length ? o.offers.map((x) => x.label).join('　') : t('billing.prepay.noOffer')}
                  </span>
                </span>
              </label>
            ))}
          </fieldset>
          {item ? (
            <label className="flex flex-col gap-1 text-sm">
              {t('billing.prepay.months')}
              <select
                name="months"
                defaultValue={months ?? undefined}
                key={item.feeItemId}
                className="h-10 rounded-md border bg-background px-2"
              >
                {item.monthChoices.map((m) => (
                  <option key={m} value={m}>
                    {t('billing.prepay.monthsOption', { months: m })}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <noscript>
            <Button type="submit" variant="outline">
              {t('billing.prepay.quote')}
            </Button>
          </noscript>
        </Form>
      )}

      <FormErrors
        errors={
          actionData && 'errors' in actionData
            ? [
                ...(actionData.errors.form ?? []),
                ...Object.values(actionData.errors.fields ?? {}).flatMap((list) => list ?? []),
              ]
            : quoteError
              ? [{ key: quoteError }]
              : undefined
        }
      />

      {quote && item ? (
        <Card className="gap-2 py-4">
          <CardHeader>
            <CardTitle className="text-base">
              {item.feeItemName} · {periodLabel(quote.periodStart, quote.periodEnd)}
            </CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-3">
            <PrepayQuoteView quote={quote} />
            <Form method="post" className="flex items-center justify-between gap-3">
              <input type="hidden" name="unitId" value={quote.unitId} />
              <input type="hidden" name="feeItemId" value={quote.feeItemId} />
              <input type="hidden" name="months" value={quote.months} />
              <span className="text-sm">
                {t('billing.prepay.net')} <Yuan fen={quote.netFen} className="font-semibold text-lg" />
              </span>
              <SubmitButton>{t('billing.prepay.payNow')}</SubmitButton>
            </Form>
          </CardContent>
        </Card>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
