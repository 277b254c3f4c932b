import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { FormErrors, SubmitButton } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { Input } from '~/components/ui/input';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseFormData } from '~/lib/form-errors';
import { monthSchema } from '~/modules/billing/billing.schema';
import { previewBillRun, publishBillRun } from '~/modules/billing/billing.server';
import {
  answerBillingForm,
  type BillingActionData,
  invalidBillingForm,
  requireBillingScope,
  requireCommunity,
} from '~/modules/billing/billing-routes.server';
import { formatFen, periodLabel, unitPrice, Yuan } from '~/modules/billing/components/money';

function thisMonth(): string {
  const now = new Date(Date.now() + 8 * 3600_000);
  return now.toISOString().slice(0, 7);
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, community: picked, headers } = await requireBillingScope(request);
  const community = requireCommunity(picked, headers);
  const month = monthSchema.safeParse(new URL(request.url).searchParams.get('month') ?? thisMonth());
  const m = month.success ? month.data : `${thisMonth()}-01`;
  // The preview computes in a rolled-back temporary table: reading it writes nothing.
  const preview = await withUser(user.claims, (tx) => previewBillRun(tx, community.id, m));
  return data({ preview, community, month: m.slice(0, 7) }, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, community: picked, headers } = await requireBillingScope(request);
  const community = requireCommunity(picked, headers);
  const parsed = parseFormData(await request.formData(), z.object({ month: monthSchema }));
  if (!parsed.ok) return invalidBillingForm(headers, parsed.errors);
  return answerBillingForm(headers, async () => {
    const r = await withUser(user.claims, (tx) => publishBillRun(tx, community.id, parsed.data.month), {
      statementTimeoutMs: 120_000,
    });
    if (r.createdBills === 0) return { key: 'billing.office.runs.nothingNew' };
    return {
      key: 'billing.office.runs.published',
      vars: { count: r.createdBills, amount: `¥${formatFen(r.createdFen)}`, notified: r.notified },
    };
  });
}

export default function OfficeRunsPage() {
  const t = useT();
  const { preview, community, month } = useLoaderData<typeof loader>();
  const actionData = useActionData<BillingActionData>();
  const navigation = useNavigation();
  return (
    <div className="flex flex-col gap-4">
      <Form method="get" className="flex items-end gap-2">
        <input type="hidden" name="c" value={community.id} />
        <div className="flex flex-col gap-1 text-xs">
          <label htmlFor="run-month">{t('billing.common.month')}</label>
          <Input id="run-month" type="month" name="month" defaultValue={month} className="w-44" />
        </div>
        <Button type="submit" variant="outline" disabled={navigation.state !== 'idle'}>
          {t('billing.office.runs.preview')}
        </Button>
      </Form>
      <div className="rounded-lg border bg-card p-4 text-sm">
        <p>
          {t('billing.office.runs.previewSummary', {
            bills: preview.bills,
            amount: `¥${formatFen(preview.totalFen)}`,
            newBills: preview.newBills,
          })}
        </p>
        {preview.published ? (
          <p className="text-muted-foreground">
            {t('billing.office.runs.lastPublished', {
              at: preview.published.at.slice(0, 16),
              count: preview.published.billCount,
            })}
          </p>
        ) : null}
        <table className="mt-3 w-full">
          <thead className="text-left text-muted-foreground text-xs">
            <tr>
              <th className="py-1">{t('billing.common.feeItem')}</th>
              <th className="py-1 text-right">{t('billing.office.arrears.bills')}</th>
              <th className="py-1 text-right">{t('billing.common.amount')}</th>
              <th className="py-1 text-right">{t('billing.office.runs.alreadyBilled')}</th>
            </tr>
          </thead>
          <tbody>
            {preview.items.map((i) => (
              <tr key={i.feeItemId} className="border-t">
                <td className="py-1">{i.name}</td>
                <td className="py-1 text-right">{i.bills}</td>
                <td className="py-1 text-right">
                  <Yuan fen={i.totalFen} />
                </td>
                <td className="py-1 text-right">{i.alreadyBilled}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {community.canManage ? (
          <Form method="post" className="mt-4 flex items-center gap-3">
            <input type="hidden" name="month" value={month} />
            <SubmitButton disabled={preview.newBills === 0}>{t('billing.office.runs.publish')}</SubmitButton>
            <FormErrors errors={actionData?.errors?.form} />
            {actionData?.message ? (
              <p role="status" className="text-emerald-700">
                {t(actionData.message.key as never, actionData.message.vars)}
              </p>
            ) : null}
          </Form>
        ) : null}
      </div>
      {preview.sample.length ? (
        <section>
          <h3 className="mb-2 font-medium text-sm">{t('billing.office.runs.sample')}</h3>
          <div className="overflow-x-auto rounded-lg border bg-card">
            <table className="w-full text-sm">
              <thead className="bg-muted/50 text-left text-muted-foreground text-xs">
                <tr>
                  <th className="px-3 py-2">{t('billing.common.unit')}</th>
                  <th className="px-3 py-2">{t('billing.common.feeItem')}</th>
                  <th className="px-3 py-2">{t('billing.common.period')}</th>
                  <th className="px-3 py-2 text-right">{t('billing.common.quantity')}</th>
                  <th className="px-3 py-2 text-right">{t('billing.common.unitPrice')}</th>
                  <th className="px-3 py-2 text-right">{t('billing.common.amount')}</th>
                </tr>
              </thead>
              <tbody>
                {preview.sample.map((s) => (
                  <tr key={`${s.unitLabel}-${s.feeItemName}`} className="border-t">
                    <td className="px-3 py-2">{s.unitLabel}</td>
                    <td className="px-3 py-2">{s.feeItemName}</td>
                    <td className="px-3 py-2">{periodLabel(s.periodStart, s.periodEnd)}</td>
                    <td className="px-3 py-2 text-right">{s.quantity}</td>
                    <td className="px-3 py-2 text-right">
                      {s.unitPriceE4 !== null ? unitPrice(s.unitPriceE4) : t('billing.common.tiered')}
                    </td>
                    <td className="px-3 py-2 text-right">
                      <Yuan fen={s.amountFen} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </div>
  );
}
