import {
  type ActionFunctionArgs,
  data,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { ChevronRight, History, PiggyBank, ReceiptText } from 'lucide-react';
import { useMemo, useState } from 'react';
import { z } from 'zod';
import { EmptyState } from '~/components/empty-state';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { FormErrors, SubmitButton } from '~/components/forms';
import { Card, CardContent, CardHeader, CardTitle } from '~/components/ui/card';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import type { FormErrors as FormErrorsType } from '~/lib/form-errors';
import { authCacheHeaders } from '~/lib/supabase.server';
import { requireUser } from '~/modules/auth/session.server';
import { callPayments } from '~/modules/billing/billing-routes.server';
import { TrendChart } from '~/modules/billing/components/charts';
import { BillStatusBadge, periodLabel, unitPrice, Yuan } from '~/modules/billing/components/money';
import { BillingError } from '~/modules/billing/errors';
import { type MyBill, myBills, myTrend } from '~/modules/billing/resident.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'resident.bills.title');
export const headers = authCacheHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const result = await withUser(
    user.claims,
    async (tx) => ({ bills: await myBills(tx), trend: await myTrend(tx) }),
    {
      readOnly: true,
    },
  );
  return data(result, { headers });
}

const paySchema = z.object({
  billIds: z.array(z.string().uuid()).min(1, 'billing.error.selectBills').max(24),
});

export async function action({ request }: ActionFunctionArgs) {
  const { supabase, headers } = await requireUser(request);
  const form = await request.formData();
  const parsed = paySchema.safeParse({ billIds: form.getAll('billId') });
  if (!parsed.success) {
    return data<{ errors: FormErrorsType }>(
      { errors: { form: [{ key: 'billing.error.selectBills' }] } },
      { status: 400, headers },
    );
  }
  const returnUrl = new URL('/bills/return', request.url).toString();
  try {
    const checkout = await callPayments<{ url: string }>(supabase, 'checkout', {
      billIds: parsed.data.billIds,
      returnUrl,
    });
    return redirect(checkout.url, { headers });
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

function LineDetails({ bill }: { bill: MyBill }) {
  const t = useT();
  return (
    <details className="mt-2 text-muted-foreground text-xs">
      <summary className="cursor-pointer select-none">{t('billing.resident.details')}</summary>
      <ul className="mt-1.5 flex flex-col gap-1">
        {bill.lines.map((line) => {
          const detail = line.detail as {
            tiers?: { quantity: number; unitPriceE4: number }[];
            startReading?: number;
            endReading?: number;
          };
          return (
            <li key={line.id} className="flex flex-col gap-0.5">
              <div className="flex justify-between gap-2">
                <span>
                  {line.kind === 'charge' ? line.description : t(`billing.line.${line.kind}`)}
                  {line.quantity !== null && line.kind === 'charge'
                    ? ` · ${line.quantity} × ${line.unitPriceE4 !== null ? unitPrice(line.unitPriceE4) : t('billing.common.tiered')}`
                    : ''}
                  {line.reason ? ` · ${line.reason}` : ''}
                </span>
                <Yuan fen={line.amountFen} />
              </div>
              {detail.startReading !== undefined ? (
                <span>
                  {t('billing.resident.readings', {
                    start: String(detail.startReading),
                    end: String(detail.endReading),
                  })}
                </span>
              ) : null}
              {detail.tiers && detail.tiers.length > 1
                ? detail.tiers.map((tier) => (
                    <span key={tier.unitPriceE4} className="pl-2">
                      {t('billing.resident.tierDetail', {
                        quantity: tier.quantity,
                        price: unitPrice(tier.unitPriceE4),
                      })}
                    </span>
                  ))
                : null}
            </li>
          );
        })}
      </ul>
    </details>
  );
}

export default function ResidentBillsPage() {
  const t = useT();
  const { bills, trend } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const unpaid = bills.filter((b) => b.status === 'unpaid');
  const settled = bills.filter((b) => b.status !== 'unpaid').slice(0, 10);
  const payable = unpaid.filter((b) => b.canPay && !b.locked);
  const [selected, setSelected] = useState<Set<string>>(() => new Set(payable.map((b) => b.id)));
  const total = useMemo(
    () => unpaid.filter((b) => selected.has(b.id)).reduce((n, b) => n + b.totalFen, 0),
    [unpaid, selected],
  );
  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  return (
    <div className="flex flex-col gap-4">
      <div className="flex items-center justify-between gap-2">
        <h1 className="font-semibold text-xl tracking-tight">{t('resident.bills.title')}</h1>
        <div className="flex items-center gap-3">
          <Link to="/bills/prepay" className="flex items-center gap-1 text-primary text-sm">
            <PiggyBank aria-hidden className="size-4" />
            {t('billing.resident.prepayLink')}
          </Link>
          <Link to="/bills/payments" className="flex items-center gap-1 text-primary text-sm">
            <History aria-hidden className="size-4" />
            {t('billing.resident.historyLink')}
          </Link>
        </div>
      </div>

      <Form method="post" className="flex flex-col gap-3">
        <h2 className="font-medium text-base">{t('billing.resident.unpaidTitle')}</h2>
        <FormErrors errors={actionData && 'errors' in actionData ? actionData.errors.form : undefined} />
        {unpaid.length === 0 ? (
          <EmptyState
            icon={ReceiptText}
            title={t('billing.resident.noUnpaid')}
            body={t('billing.resident.noUnpaidBody')}
            className="py-6"
          />
        ) : (
          <ul className="flex flex-col gap-2" aria-label={t('billing.resident.unpaidTitle')}>
            {unpaid.map((bill) => (
              <li key={bill.id}>
                <Card className="gap-0 py-3">
                  <CardContent className="flex gap-3 px-4">
                    <input
                      type="checkbox"
                      name="billId"
                      value={bill.id}
                      aria-label={`${bill.feeItemName} ${periodLabel(bill.periodStart, bill.periodEnd)}`}
                      className="mt-1 size-4 accent-primary"
                      disabled={!bill.canPay || bill.locked}
                      checked={selected.has(bill.id)}
                      onChange={(e) => toggle(bill.id, e.currentTarget.checked)}
                    />
                    <div className="min-w-0 flex-1">
                      <div className="flex items-center justify-between gap-2">
                        <span className="font-medium">{bill.feeItemName}</span>
                        <Yuan fen={bill.totalFen} className="font-semibold" />
                      </div>
                      <div className="mt-0.5 flex flex-wrap items-center gap-x-2 gap-y-1 text-muted-foreground text-xs">
                        <span>{bill.unitLabel}</span>
                        <span>{periodLabel(bill.periodStart, bill.periodEnd)}</span>
                        <span>{t('billing.common.dueOn', { date: bill.dueDate })}</span>
                        <BillStatusBadge status={bill.status} overdue={bill.overdue} locked={bill.locked} />
                      </div>
                      {bill.lateFeeFen > 0 ? (
                        <p className="mt-1 text-red-700 text-xs">
                          {t('billing.resident.lateFeeIncluded', {
                            amount: `¥${(bill.lateFeeFen / 100).toFixed(2)}`,
                          })}
                        </p>
                      ) : null}
                      <LineDetails bill={bill} />
                    </div>
                  </CardContent>
                </Card>
              </li>
            ))}
          </ul>
        )}
        {payable.length > 0 ? (
          <div className="sticky bottom-20 z-10 flex items-center justify-between gap-3 rounded-lg border bg-background/95 p-3 shadow-sm backdrop-blur">
            <div className="text-sm">
              {t('billing.resident.selected', { count: selected.size })}{' '}
              <Yuan fen={total} className="font-semibold text-base" />
            </div>
            <SubmitButton disabled={selected.size === 0}>{t('billing.resident.payNow')}</SubmitButton>
          </div>
        ) : null}
      </Form>

      <Card className="gap-2 py-4">
        <CardHeader>
          <CardTitle className="text-base">{t('billing.resident.trendTitle')}</CardTitle>
        </CardHeader>
        <CardContent>
          {trend.series.length ? (
            <TrendChart
              months={trend.months}
              series={trend.series}
              label={t('billing.resident.trendTitle')}
            />
          ) : (
            <p className="text-muted-foreground text-sm">{t('billing.resident.trendEmpty')}</p>
          )}
        </CardContent>
      </Card>

      {settled.length ? (
        <section className="flex flex-col gap-2">
          <h2 className="font-medium text-base">{t('billing.resident.recentPaid')}</h2>
          <ul className="flex flex-col divide-y rounded-lg border bg-card">
            {settled.map((bill) => (
              <li key={bill.id}>
                <Link
                  to={bill.paymentId ? `/bills/payments/${bill.paymentId}` : '/bills/payments'}
                  className="flex items-center justify-between gap-2 px-4 py-3 text-sm"
                >
                  <span>
                    {bill.feeItemName} · {periodLabel(bill.periodStart, bill.periodEnd)}
                  </span>
                  <span className="flex items-center gap-2">
                    <BillStatusBadge status={bill.status} />
                    <Yuan fen={bill.amountFen + bill.lateFeeFen} />
                    <ChevronRight aria-hidden className="size-4 text-muted-foreground" />
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
