import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { FormErrors, SubmitButton } from '~/components/forms';
import { Input } from '~/components/ui/input';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseFormData } from '~/lib/form-errors';
import { reasonSchema } from '~/modules/billing/billing.schema';
import { listPayments, requestRefund } from '~/modules/billing/billing.server';
import {
  answerBillingForm,
  type BillingActionData,
  callPayments,
  invalidBillingForm,
  requireBillingScope,
  requireCommunity,
} from '~/modules/billing/billing-routes.server';
import { Yuan } from '~/modules/billing/components/money';
import { beijingTime } from '~/modules/billing/receipt-pdf.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, community: picked, headers } = await requireBillingScope(request);
  const community = requireCommunity(picked, headers);
  const payments = await withUser(user.claims, (tx) => listPayments(tx, { communityId: community.id }), {
    readOnly: true,
  });
  return data(
    { payments: payments.map((p) => ({ ...p, paidAt: beijingTime(p.paidAt) })), community },
    { headers },
  );
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, supabase, headers } = await requireBillingScope(request);
  const parsed = parseFormData(
    await request.formData(),
    z.object({ paymentId: z.string().uuid(), reason: reasonSchema }),
  );
  if (!parsed.ok) return invalidBillingForm(headers, parsed.errors);
  return answerBillingForm(headers, async () => {
    const refund = await withUser(user.claims, (tx) =>
      requestRefund(tx, parsed.data.paymentId, parsed.data.reason),
    );
    // Online payments are refunded at the provider by the payments function (idempotency key = refund id).
    if (refund.status === 'pending') await callPayments(supabase, 'refund', { refundId: refund.refundId });
    return { key: 'billing.office.payments.refunded' };
  });
}

export default function OfficePaymentsPage() {
  const t = useT();
  const { payments, community } = useLoaderData<typeof loader>();
  const actionData = useActionData<BillingActionData>();
  return (
    <div className="flex flex-col gap-3">
      <FormErrors errors={actionData?.errors?.form} />
      {actionData?.message ? (
        <p role="status" className="text-emerald-700 text-sm">
          {t(actionData.message.key as never)}
        </p>
      ) : null}
      <div className="overflow-x-auto rounded-lg border bg-card">
        <table className="w-full text-sm">
          <thead className="bg-muted/50 text-left text-muted-foreground text-xs">
            <tr>
              <th className="px-3 py-2">{t('billing.common.receiptNo')}</th>
              <th className="px-3 py-2">{t('billing.common.paidAt')}</th>
              <th className="px-3 py-2">{t('billing.common.payer')}</th>
              <th className="px-3 py-2">{t('billing.common.unit')}</th>
              <th className="px-3 py-2">{t('billing.common.method')}</th>
              <th className="px-3 py-2 text-right">{t('billing.common.amount')}</th>
              <th className="px-3 py-2">{t('billing.common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {payments.map((p) => (
              <tr key={p.id} className="border-t align-top">
                <td className="px-3 py-2">
                  <a className="text-primary hover:underline" href={`/office/billing/receipts/${p.id}.pdf`}>
                    {p.receiptNo}
                  </a>
                </td>
                <td className="px-3 py-2 tabular-nums">{p.paidAt}</td>
                <td className="px-3 py-2">{p.payerName}</td>
                <td className="px-3 py-2">{p.units ?? '—'}</td>
                <td className="px-3 py-2">{t(`billing.pay.${p.method}`)}</td>
                <td className="px-3 py-2 text-right">
                  <Yuan fen={p.amountFen} />
                </td>
                <td className="px-3 py-2">
                  {p.status === 'duplicate' ? (
                    <span className="text-amber-700">{t('billing.office.payments.duplicate')}</span>
                  ) : p.refundStatus ? (
                    <span className="text-muted-foreground">
                      {t(`billing.office.payments.refundStatus.${p.refundStatus}`)}
                    </span>
                  ) : community.canRefund && p.status === 'succeeded' ? (
                    <Form method="post" className="flex gap-1">
                      <input type="hidden" name="paymentId" value={p.id} />
                      <Input
                        name="reason"
                        required
                        placeholder={t('billing.office.payments.refundReason')}
                        aria-label={t('billing.office.payments.refundReason')}
                        className="h-8 w-32"
                      />
                      <SubmitButton size="sm" variant="outline">
                        {t('billing.office.payments.refund')}
                      </SubmitButton>
                    </Form>
                  ) : null}
                </td>
              </tr>
            ))}
            {payments.length === 0 ? (
              <tr>
                <td colSpan={7} className="px-3 py-6 text-center text-muted-foreground">
                  {t('billing.common.empty')}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </div>
  );
}
