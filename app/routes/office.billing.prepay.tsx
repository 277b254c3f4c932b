import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useSubmit } from '@remix-run/react';
import { Field, FormErrors, SubmitButton } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { Input } from '~/components/ui/input';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseFormData } from '~/lib/form-errors';
import { offlineMethods, offlinePrepaySchema } from '~/modules/billing/billing.schema';
import {
  answerBillingForm,
  type BillingActionData,
  invalidBillingForm,
  requireBillingScope,
  requireCommunity,
} from '~/modules/billing/billing-routes.server';
import { withCommunity } from '~/modules/billing/components/links';
import { periodLabel } from '~/modules/billing/components/money';
import { PrepayQuoteView } from '~/modules/billing/components/prepay-quote';
import { recordOfflinePrepayment } from '~/modules/billing/prepay.server';
import { loadPrepayPage } from '~/modules/billing/prepay-page.server';
import { receiptNoOf } from '~/modules/billing/receipt.server';

/** 前台预缴: find the unit, choose the item and months, take cash or a transfer, print the receipt. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { user, community: picked, headers } = await requireBillingScope(request);
  const community = requireCommunity(picked, headers);
  const page = await loadPrepayPage(user.claims, new URL(request.url).searchParams, {
    surface: 'office',
    communityId: community.id,
  });
  return data({ ...page, community }, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, headers } = await requireBillingScope(request);
  const parsed = parseFormData(await request.formData(), offlinePrepaySchema);
  if (!parsed.ok) return invalidBillingForm(headers, parsed.errors);
  return answerBillingForm(headers, async () => {
    const paymentId = await withUser(user.claims, (tx) => recordOfflinePrepayment(tx, parsed.data));
    const receiptNo = await withUser(user.claims, (tx) => receiptNoOf(tx, paymentId), { readOnly: true });
    return { key: 'billing.office.prepay.collected', vars: { receiptNo, paymentId } };
  });
}

export default function OfficePrepayPage() {
  const t = useT();
  const { q, units, unit, options, item, months, quote, quoteError, open, community } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<BillingActionData>();
  const submit = useSubmit();
  return (
    <div className="flex flex-col gap-4">
      <Form method="get" className="flex flex-wrap items-end gap-2 rounded-lg border bg-card p-3">
        <input type="hidden" name="c" value={community.id} />
        <div className="flex flex-col gap-1 text-xs">
          <label htmlFor="prepay-q">{t('billing.office.prepay.search')}</label>
          <Input id="prepay-q" name="q" defaultValue={q} className="w-56" />
        </div>
        <Button type="submit" variant="outline">
          {t('billing.office.prepay.find')}
        </Button>
        {q ? (
          <ul className="flex w-full flex-wrap gap-2 pt-1 text-sm" aria-label={t('billing.prepay.unit')}>
            {units.map((u) => (
              <li key={u.id}>
                <Link
                  to={`${withCommunity('/office/billing/prepay', community.id)}&q=${encodeURIComponent(q)}&unit=${u.id}`}
                  className="rounded-md border px-2 py-1 hover:bg-muted aria-[current=true]:border-primary"
                  aria-current={u.id === unit?.id}
                >
                  {u.label}
                </Link>
              </li>
            ))}
            {units.length === 0 ? (
              <li className="text-muted-foreground">{t('billing.office.prepay.noMatch')}</li>
            ) : null}
          </ul>
        ) : null}
      </Form>

      {actionData?.message ? (
        <p
          role="status"
          className="rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-emerald-800 text-sm"
        >
          {t(actionData.message.key as never, actionData.message.vars)}
          {actionData.message.vars?.paymentId ? (
            <a
              className="ml-2 underline"
              href={`/office/billing/receipts/${actionData.message.vars.paymentId}.pdf`}
            >
              {t('billing.common.downloadPdf')}
            </a>
          ) : null}
        </p>
      ) : null}
      <FormErrors errors={actionData?.errors?.form ?? (quoteError ? [{ key: quoteError }] : undefined)} />

      {unit ? (
        <section className="flex flex-col gap-3 rounded-lg border bg-card p-4" aria-label={unit.label}>
          <h2 className="font-medium">{unit.label}</h2>
          {open.map((o) => (
            <p key={o.prepaymentId} className="text-sm text-violet-700">
              {t('billing.prepay.inProgress', {
                item: o.feeItemName,
                months: o.months,
                amount: `¥${(o.netFen / 100).toFixed(2)}`,
              })}
            </p>
          ))}
          {options.length === 0 ? (
            <p className="text-muted-foreground text-sm">{t('billing.prepay.noItems')}</p>
          ) : (
            <Form
              method="get"
              className="flex flex-wrap items-end gap-3"
              onChange={(e) => submit(e.currentTarget, { replace: true, preventScrollReset: true })}
            >
              <input type="hidden" name="c" value={community.id} />
              <input type="hidden" name="q" value={q} />
              <input type="hidden" name="unit" value={unit.id} />
              <label className="flex flex-col gap-1 text-xs">
                {t('billing.prepay.item')}
                <select
                  name="item"
                  defaultValue={item?.feeItemId}
                  className="h-9 rounded-md border bg-background px-2 text-sm"
                >
                  {options.map((o) => (
                    <option key={o.feeItemId} value={o.feeItemId} disabled={o.limitReached}>
                      {o.feeItemName}
                      {o.offers.length ? `（${o.offers.map((x) => x.label).join('；')}）` : ''}
                    </option>
                  ))}
                </select>
              </label>
              {item ? (
                <label className="flex flex-col gap-1 text-xs">
                  {t('billing.prepay.months')}
                  <select
                    name="months"
                    key={item.feeItemId}
                    defaultValue={months ?? undefined}
                    className="h-9 rounded-md border bg-background px-2 text-sm"
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
          {quote && item ? (
            <div className="grid gap-4 md:grid-cols-2">
              <div className="flex flex-col gap-1">
                <h3 className="text-sm">
                  {item.feeItemName} · {periodLabel(quote.periodStart, quote.periodEnd)}
                </h3>
                <PrepayQuoteView quote={quote} />
              </div>
              {community.canRecord ? (
                <Form method="post" className="flex flex-col gap-3">
                  <input type="hidden" name="unitId" value={quote.unitId} />
                  <input type="hidden" name="feeItemId" value={quote.feeItemId} />
                  <input type="hidden" name="months" value={quote.months} />
                  <Field
                    label={t('billing.common.payer')}
                    errors={actionData?.errors?.fields?.payerName}
                    inputProps={{ name: 'payerName', required: true }}
                  />
                  <label className="flex flex-col gap-1 text-sm">
                    {t('billing.common.method')}
                    <select name="method" className="h-9 rounded-md border bg-background px-2">
                      {offlineMethods.map((m) => (
                        <option key={m} value={m}>
                          {t(`billing.pay.${m}`)}
                        </option>
                      ))}
                    </select>
                  </label>
                  <SubmitButton>{t('billing.office.prepay.collect')}</SubmitButton>
                </Form>
              ) : null}
            </div>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
