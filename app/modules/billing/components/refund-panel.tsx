import type { Form as RemixForm } from '@remix-run/react';
import { useState } from 'react';
import { Field, FormErrors, SubmitButton } from '~/components/forms';
import { Input } from '~/components/ui/input';
import { useT } from '~/i18n/use-t';
import type { RefundablePayment } from '../billing.server';
import type { BillingActionData } from '../billing-routes.server';
import { formatFen, periodLabel, Yuan } from './money';

/**
 * The partial refund form of one payment: the rest of it, or amounts per bill it paid, with a
 * reason. `refundKey` (made when the form was shown) makes a resubmission return the same
 * refund. Used in the payments page's dialog (fetcher form) and on the payment's own page.
 */
export function RefundPanel({
  payment,
  refundKey,
  Form,
  action,
  result,
  pending,
  canRefund,
}: {
  payment: RefundablePayment;
  refundKey: string;
  Form: typeof RemixForm;
  action: string;
  result: BillingActionData | undefined;
  pending: boolean;
  canRefund: boolean;
}) {
  const t = useT();
  const [mode, setMode] = useState<'part' | 'rest'>('part');
  const left = payment.amountFen - payment.refundFen;
  const refundable =
    canRefund && left > 0 && (payment.status === 'succeeded' || payment.status === 'partially_refunded');
  return (
    <div className="flex flex-col gap-4 text-sm">
      <p className="text-muted-foreground">
        {payment.payerName} · {t(`billing.pay.${payment.method}`)} ·{' '}
        {t('billing.office.payments.refundableOf', {
          paid: `¥${formatFen(payment.amountFen)}`,
          left: `¥${formatFen(left)}`,
        })}
      </p>
      {result?.message ? (
        <p
          role="status"
          className="rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-emerald-800"
        >
          {t(result.message.key as never, result.message.vars)}
        </p>
      ) : null}
      <FormErrors errors={result?.errors?.form} />

      {refundable ? (
        <Form method="post" action={action} className="flex flex-col gap-3">
          <input type="hidden" name="intent" value="refund" />
          <input type="hidden" name="refundKey" value={refundKey} />
          <fieldset className="flex flex-wrap gap-4">
            <label className="flex items-center gap-2">
              <input
                type="radio"
                name="mode"
                value="part"
                checked={mode === 'part'}
                onChange={() => setMode('part')}
              />
              {t('billing.office.payments.refundByBill')}
            </label>
            <label className="flex items-center gap-2">
              <input
                type="radio"
                name="mode"
                value="rest"
                checked={mode === 'rest'}
                onChange={() => setMode('rest')}
              />
              {t('billing.office.payments.refundRest', { amount: `¥${formatFen(left)}` })}
            </label>
          </fieldset>
          {mode === 'part' ? (
            <table className="w-full text-xs">
              <thead className="text-left text-muted-foreground">
                <tr>
                  <th className="py-1">{t('billing.common.feeItem')}</th>
                  <th className="py-1 text-right">{t('billing.common.amount')}</th>
                  <th className="py-1 text-right">{t('billing.office.payments.refundAmount')}</th>
                </tr>
              </thead>
              <tbody>
                {payment.bills.map((b) => (
                  <tr key={b.billId} className="border-t align-middle">
                    <td className="py-1.5">
                      {b.feeItemName} · {periodLabel(b.periodStart, b.periodEnd)}
                      <div className="text-muted-foreground">{b.unitLabel}</div>
                    </td>
                    <td className="text-right">
                      <Yuan fen={b.paidFen} />
                      {b.refundFen ? (
                        <div className="text-sky-700">
                          {t('billing.office.payments.refundedPart', {
                            amount: `¥${formatFen(b.refundFen)}`,
                          })}
                        </div>
                      ) : null}
                    </td>
                    <td className="text-right">
                      <Input
                        name={`amount.${b.billId}`}
                        inputMode="decimal"
                        disabled={b.refundableFen <= 0}
                        placeholder={formatFen(b.refundableFen).replaceAll(',', '')}
                        aria-label={`${t('billing.office.payments.refundAmount')} ${b.feeItemName} ${periodLabel(b.periodStart, b.periodEnd)}`}
                        className="ml-auto h-8 w-24 text-right"
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <Field
            label={t('billing.office.payments.refundReason')}
            errors={result?.errors?.fields?.reason}
            inputProps={{ name: 'reason', required: true, maxLength: 500 }}
          />
          <SubmitButton pending={pending} variant="destructive">
            {t('billing.office.payments.submitRefund')}
          </SubmitButton>
        </Form>
      ) : null}

      {payment.refunds.length ? (
        <section className="flex flex-col gap-1">
          <h3 className="font-medium">{t('billing.office.payments.refundHistory')}</h3>
          <ul className="flex flex-col divide-y rounded-md border">
            {payment.refunds.map((r) => (
              <li key={r.id} className="flex flex-wrap items-center justify-between gap-2 px-3 py-2">
                <span>
                  <Yuan fen={r.amountFen} /> · {r.reason}
                </span>
                <span className="flex items-center gap-2 text-xs">
                  <span className="text-muted-foreground">
                    {t(`billing.office.payments.refundStatus.${r.status}`)}
                  </span>
                  {r.voucherNo ? (
                    <a className="text-primary underline" href={`/office/billing/refunds/${r.id}.pdf`}>
                      {t('billing.office.payments.voucher')} {r.voucherNo}
                    </a>
                  ) : null}
                  {r.status === 'pending' && canRefund ? (
                    <Form method="post" action={action}>
                      <input type="hidden" name="intent" value="retry" />
                      <input type="hidden" name="refundId" value={r.id} />
                      <SubmitButton size="sm" variant="outline" pending={pending}>
                        {t('billing.office.payments.retry')}
                      </SubmitButton>
                    </Form>
                  ) : null}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
