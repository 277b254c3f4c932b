import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { Field, FormErrors, SubmitButton } from '~/components/forms';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseIntentFormData } from '~/lib/form-errors';
import { reasonSchema } from '~/modules/billing/billing.schema';
import { adjustBill, getBill, waiveBill } from '~/modules/billing/billing.server';
import {
  answerBillingForm,
  type BillingActionData,
  invalidBillingForm,
  requireBillingScope,
} from '~/modules/billing/billing-routes.server';
import { withCommunity } from '~/modules/billing/components/links';
import { BillStatusBadge, periodLabel, unitPrice, Yuan } from '~/modules/billing/components/money';
import { BillingError } from '~/modules/billing/errors';
import { yuanToFen } from '~/modules/billing/rules/money';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, community, headers } = await requireBillingScope(request);
  try {
    const bill = await withUser(user.claims, (tx) => getBill(tx, String(params.billId)), { readOnly: true });
    return data({ bill, canManage: community?.canManage ?? false, communityId: community?.id }, { headers });
  } catch (err) {
    if (err instanceof BillingError) throw data(null, { status: 404, headers });
    throw err;
  }
}

const amountText = z
  .string()
  .regex(/^-?\d{1,9}(\.\d{1,2})?$/, 'billing.error.amountInvalid')
  .transform((v) => yuanToFen(v));

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, headers } = await requireBillingScope(request);
  const parsed = parseIntentFormData(await request.formData(), {
    adjust: z.object({ delta: amountText, reason: reasonSchema }),
    waive: z.object({ reason: reasonSchema }),
  });
  if (!parsed.ok) return invalidBillingForm(headers, parsed.errors);
  const billId = String(params.billId);
  if (parsed.intent === 'adjust') {
    const { delta, reason } = parsed.data;
    return answerBillingForm(headers, async () => {
      await withUser(user.claims, (tx) => adjustBill(tx, billId, delta, reason));
      return { key: 'billing.office.bill.adjusted' };
    });
  }
  const { reason } = parsed.data;
  return answerBillingForm(headers, async () => {
    await withUser(user.claims, (tx) => waiveBill(tx, billId, reason));
    return { key: 'billing.office.bill.waived' };
  });
}

export default function OfficeBillPage() {
  const t = useT();
  const { bill, canManage, communityId } = useLoaderData<typeof loader>();
  const actionData = useActionData<BillingActionData>();
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <Link to={withCommunity('/office/billing/bills', communityId)} className="text-primary text-sm">
          ← {t('billing.office.tabs.bills')}
        </Link>
        <h2 className="font-semibold text-lg">
          {t('billing.office.bill.title')} · {bill.unitLabel} · {bill.feeItemName} ·{' '}
          {periodLabel(bill.periodStart, bill.periodEnd)}
        </h2>
        <BillStatusBadge status={bill.status} overdue={bill.overdue} locked={bill.locked} />
      </div>
      <div className="overflow-x-auto rounded-lg border bg-card">
        <table className="w-full text-sm">
          <thead className="bg-muted/50 text-left text-muted-foreground text-xs">
            <tr>
              <th className="px-3 py-2">{t('billing.common.feeItem')}</th>
              <th className="px-3 py-2">{t('billing.common.period')}</th>
              <th className="px-3 py-2 text-right">{t('billing.common.quantity')}</th>
              <th className="px-3 py-2 text-right">{t('billing.common.unitPrice')}</th>
              <th className="px-3 py-2 text-right">{t('billing.common.amount')}</th>
              <th className="px-3 py-2">{t('billing.common.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {bill.lines.map((l) => (
              <tr key={l.id} className="border-t align-top">
                <td className="px-3 py-2">
                  {l.kind === 'charge' ? l.description : t(`billing.line.${l.kind}`)}
                  {Array.isArray((l.detail as { tiers?: unknown[] }).tiers) ? (
                    <div className="text-muted-foreground text-xs">
                      {(
                        l.detail as unknown as { tiers: { quantity: number; unitPriceE4: number }[] }
                      ).tiers.map((tier) => (
                        <div key={tier.unitPriceE4}>
                          {tier.quantity} × {unitPrice(tier.unitPriceE4)}
                        </div>
                      ))}
                    </div>
                  ) : null}
                </td>
                <td className="px-3 py-2">
                  {l.periodStart ? periodLabel(l.periodStart, l.periodEnd ?? l.periodStart) : '—'}
                </td>
                <td className="px-3 py-2 text-right">{l.quantity ?? '—'}</td>
                <td className="px-3 py-2 text-right">
                  {l.unitPriceE4 !== null
                    ? unitPrice(l.unitPriceE4)
                    : l.kind === 'charge'
                      ? t('billing.common.tiered')
                      : '—'}
                </td>
                <td className="px-3 py-2 text-right">
                  <Yuan fen={l.amountFen} />
                </td>
                <td className="px-3 py-2 text-muted-foreground">{l.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr className="border-t font-medium">
              <td className="px-3 py-2" colSpan={4}>
                {t('billing.common.total')} · {t('billing.common.dueOn', { date: bill.dueDate })}
              </td>
              <td className="px-3 py-2 text-right">
                <Yuan fen={bill.amountFen + bill.lateFeeFen} />
              </td>
              <td />
            </tr>
          </tfoot>
        </table>
      </div>
      <FormErrors errors={actionData?.errors?.form} />
      {actionData?.message ? (
        <p role="status" className="text-emerald-700 text-sm">
          {t(actionData.message.key as never)}
        </p>
      ) : null}
      {canManage && bill.status === 'unpaid' ? (
        <div className="grid gap-4 md:grid-cols-2">
          <Form method="post" className="flex flex-col gap-3 rounded-lg border bg-card p-4">
            <h3 className="font-medium">{t('billing.office.bill.adjust')}</h3>
            <Field
              label={t('billing.office.bill.adjustDelta')}
              errors={actionData?.errors?.fields?.delta}
              inputProps={{ name: 'delta', inputMode: 'decimal' }}
            />
            <Field
              label={t('billing.common.reason')}
              errors={actionData?.errors?.fields?.reason}
              inputProps={{ name: 'reason' }}
            />
            <SubmitButton intent="adjust">{t('billing.office.bill.adjust')}</SubmitButton>
          </Form>
          <Form method="post" className="flex flex-col gap-3 rounded-lg border bg-card p-4">
            <h3 className="font-medium">{t('billing.office.bill.waive')}</h3>
            <Field label={t('billing.common.reason')} inputProps={{ name: 'reason' }} />
            <SubmitButton intent="waive" variant="outline">
              {t('billing.office.bill.waive')}
            </SubmitButton>
          </Form>
        </div>
      ) : null}
    </div>
  );
}
