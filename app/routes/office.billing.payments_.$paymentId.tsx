import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseIntentFormData } from '~/lib/form-errors';
import { reasonSchema, refundItemsSchema } from '~/modules/billing/billing.schema';
import { paymentForRefund, requestRefund } from '~/modules/billing/billing.server';
import {
  answerBillingForm,
  type BillingActionData,
  callPayments,
  invalidBillingForm,
  requireBillingScope,
} from '~/modules/billing/billing-routes.server';
import { withCommunity } from '~/modules/billing/components/links';
import { formatFen } from '~/modules/billing/components/money';
import { RefundPanel } from '~/modules/billing/components/refund-panel';
import { BillingError } from '~/modules/billing/errors';
import { yuanToFen } from '~/modules/billing/rules/money';

/** One payment and its refunds; the partial refund form (also loaded into the payments page's dialog). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, community, headers } = await requireBillingScope(request);
  try {
    const payment = await withUser(user.claims, (tx) => paymentForRefund(tx, String(params.paymentId)), {
      readOnly: true,
    });
    // A fresh key per form shown: submitting the same form twice makes one refund.
    return data(
      {
        payment,
        refundKey: crypto.randomUUID(),
        canRefund: community?.canRefund ?? false,
        communityId: community?.id,
      },
      { headers },
    );
  } catch (err) {
    if (err instanceof BillingError) throw data(null, { status: 404, headers });
    throw err;
  }
}

const amountText = z.string().regex(/^\d{1,9}(\.\d{1,2})?$/, 'billing.error.amountInvalid');

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, supabase, headers } = await requireBillingScope(request);
  const paymentId = String(params.paymentId);
  const form = await request.formData();
  const amounts = [...form.entries()].filter(
    (e): e is [string, string] =>
      e[0].startsWith('amount.') && typeof e[1] === 'string' && e[1].trim() !== '',
  );
  for (const [name] of amounts) form.delete(name);
  const parsed = parseIntentFormData(form, {
    refund: z.object({ refundKey: z.string().uuid(), reason: reasonSchema, mode: z.enum(['part', 'rest']) }),
    retry: z.object({ refundId: z.string().uuid() }),
  });
  if (!parsed.ok) return invalidBillingForm(headers, parsed.errors);
  if (parsed.intent === 'retry') {
    const { refundId } = parsed.data;
    return answerBillingForm(headers, async () => {
      await callPayments(supabase, 'refund', { refundId });
      return { key: 'billing.office.payments.refunded' };
    });
  }
  const { refundKey, reason, mode } = parsed.data;
  let items: { billId: string; amountFen: number }[] | undefined;
  if (mode === 'part') {
    const list = amounts.map(([name, value]) => ({
      billId: name.slice('amount.'.length),
      text: value.trim(),
    }));
    if (list.some((i) => !amountText.safeParse(i.text).success)) {
      return invalidBillingForm(headers, { form: [{ key: 'billing.error.amountInvalid' }] });
    }
    const checked = refundItemsSchema.safeParse(
      list.map((i) => ({ billId: i.billId, amountFen: yuanToFen(i.text) })).filter((i) => i.amountFen > 0),
    );
    if (!checked.success)
      return invalidBillingForm(headers, { form: [{ key: 'billing.error.refundAmountInvalid' }] });
    items = checked.data;
  }
  return answerBillingForm(headers, async (): Promise<BillingActionData['message']> => {
    const refund = await withUser(user.claims, (tx) =>
      requestRefund(tx, paymentId, reason, { items, refundId: refundKey }),
    );
    const amount = `¥${formatFen(refund.amountFen)}`;
    if (refund.provider === 'offline') {
      return {
        key: 'billing.office.payments.refundDoneCash',
        vars: { amount, voucherNo: refund.voucherNo ?? '' },
      };
    }
    // Online: the provider refunds (idempotency key = refund id); its answer or webhook completes it.
    if (refund.status !== 'pending') return { key: 'billing.office.payments.refundDone', vars: { amount } };
    const done = await callPayments<{ status: string }>(supabase, 'refund', { refundId: refund.refundId });
    return done.status === 'succeeded'
      ? { key: 'billing.office.payments.refundDone', vars: { amount } }
      : { key: 'billing.office.payments.refunded' };
  });
}

export default function OfficePaymentPage() {
  const t = useT();
  const { payment, refundKey, canRefund, communityId } = useLoaderData<typeof loader>();
  const result = useActionData<BillingActionData>();
  const navigation = useNavigation();
  return (
    <div className="flex max-w-2xl flex-col gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <Link to={withCommunity('/office/billing/payments', communityId)} className="text-primary text-sm">
          ← {t('billing.office.tabs.payments')}
        </Link>
        <h2 className="font-semibold text-lg">
          {t('billing.office.payments.refundDialog', { receiptNo: payment.receiptNo })}
        </h2>
      </div>
      <RefundPanel
        payment={payment}
        refundKey={refundKey}
        Form={Form}
        action={withCommunity(`/office/billing/payments/${payment.id}`, communityId)}
        result={result}
        pending={navigation.state !== 'idle' && navigation.formMethod?.toUpperCase() === 'POST'}
        canRefund={canRefund}
      />
    </div>
  );
}
