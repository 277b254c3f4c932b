import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { z } from 'zod';
import { FormErrors, SubmitButton } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { Input } from '~/components/ui/input';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseIntentFormData } from '~/lib/form-errors';
import { BILL_PAGE_SIZE, billFilterSchema, offlineMethods } from '~/modules/billing/billing.schema';
import { listBills, listFeeItems, recordOfflinePayment, sendDunning } from '~/modules/billing/billing.server';
import {
  answerBillingForm,
  type BillingActionData,
  invalidBillingForm,
  requireBillingScope,
  requireCommunity,
} from '~/modules/billing/billing-routes.server';
import { withCommunity } from '~/modules/billing/components/links';
import { BillStatusBadge, periodLabel, Yuan } from '~/modules/billing/components/money';

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, community: picked, headers } = await requireBillingScope(request);
  const community = requireCommunity(picked, headers);
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const filter = billFilterSchema.safeParse({ ...params, communityId: community.id });
  const f = filter.success ? filter.data : billFilterSchema.parse({ communityId: community.id });
  const result = await withUser(
    user.claims,
    async (tx) => ({
      bills: await listBills(tx, { ...f, period: f.period?.slice(0, 7) }),
      items: await listFeeItems(tx, community.id),
      buildings: (
        await tx.query<{ id: string; name: string }>(
          'select id, name from public.buildings where community_id = $1 order by sort_order, name',
          [community.id],
        )
      ).rows,
    }),
    { readOnly: true },
  );
  return data({ ...result, community, filter: f }, { headers });
}

const billIds = z.array(z.string().uuid()).min(1, 'billing.error.selectBills').max(200);

export async function action({ request }: ActionFunctionArgs) {
  const { user, headers } = await requireBillingScope(request);
  const form = await request.formData();
  const ids = form.getAll('billId');
  form.delete('billId');
  const parsed = parseIntentFormData(form, {
    collect: z.object({
      method: z.enum(offlineMethods),
      payerName: z.string().min(1, 'billing.error.payerRequired').max(64),
      note: z.string().max(500).optional(),
    }),
    remind: z.object({}),
  });
  const selected = billIds.safeParse(ids);
  if (!parsed.ok) return invalidBillingForm(headers, parsed.errors);
  if (!selected.success) return invalidBillingForm(headers, { form: [{ key: 'billing.error.selectBills' }] });
  if (parsed.intent === 'collect') {
    const { method, payerName, note } = parsed.data;
    return answerBillingForm(headers, async () => {
      const paymentId = await withUser(user.claims, (tx) =>
        recordOfflinePayment(tx, { billIds: selected.data, method, payerName, note }),
      );
      const receipt = await withUser(user.claims, (tx) =>
        tx.query<{ receipt_no: string }>('select receipt_no from public.payments where id = $1', [paymentId]),
      );
      return {
        key: 'billing.office.bills.collected',
        vars: { receiptNo: receipt.rows[0].receipt_no, paymentId },
      };
    });
  }
  return answerBillingForm(headers, async () => {
    const count = await withUser(user.claims, (tx) => sendDunning(tx, selected.data));
    return { key: 'billing.office.bills.reminded', vars: { count } };
  });
}

export default function OfficeBillsPage() {
  const t = useT();
  const { bills, items, buildings, community, filter } = useLoaderData<typeof loader>();
  const actionData = useActionData<BillingActionData>();
  const [params] = useSearchParams();
  const page = filter.page ?? 1;
  const pageLink = (p: number) => {
    const next = new URLSearchParams(params);
    next.set('page', String(p));
    return `?${next.toString()}`;
  };
  return (
    <div className="flex flex-col gap-4">
      <Form method="get" className="flex flex-wrap items-end gap-2 rounded-lg border bg-card p-3">
        <input type="hidden" name="c" value={community.id} />
        <label className="flex flex-col gap-1 text-xs">
          {t('billing.common.status')}
          <select
            name="status"
            defaultValue={filter.status}
            className="h-9 rounded-md border bg-background px-2 text-sm"
          >
            {(
              [
                'all',
                'unpaid',
                'overdue',
                'paid',
                'pending',
                'partially_refunded',
                'refunded',
                'waived',
              ] as const
            ).map((s) => (
              <option key={s} value={s}>
                {t(`billing.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-xs">
          {t('billing.common.feeItem')}
          <select
            name="feeItemId"
            defaultValue={filter.feeItemId ?? ''}
            className="h-9 rounded-md border bg-background px-2 text-sm"
          >
            <option value="">{t('billing.status.all')}</option>
            {items.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-xs">
          {t('billing.common.building')}
          <select
            name="buildingId"
            defaultValue={filter.buildingId ?? ''}
            className="h-9 rounded-md border bg-background px-2 text-sm"
          >
            <option value="">{t('billing.status.all')}</option>
            {buildings.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <div className="flex flex-col gap-1 text-xs">
          <label htmlFor="bills-period">{t('billing.common.month')}</label>
          <Input
            id="bills-period"
            type="month"
            name="period"
            defaultValue={filter.period?.slice(0, 7)}
            className="w-40"
          />
        </div>
        <div className="flex flex-col gap-1 text-xs">
          <label htmlFor="bills-q">{t('billing.common.search')}</label>
          <Input id="bills-q" name="q" defaultValue={filter.q} className="w-28" />
        </div>
        <Button type="submit" variant="outline">
          {t('billing.common.filter')}
        </Button>
      </Form>

      <Form method="post" className="flex flex-col gap-3">
        <FormErrors errors={actionData?.errors?.form} />
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
        <div className="flex flex-wrap items-end gap-2 text-sm">
          <span className="mr-auto text-muted-foreground">
            {t('billing.office.bills.summary', {
              count: bills.total,
              amount: `¥${(bills.totalFen / 100).toFixed(2)}`,
            })}{' '}
            · {t('billing.office.bills.selectHint')}
          </span>
          {community.canRecord ? (
            <>
              <Input
                name="payerName"
                placeholder={t('billing.common.payer')}
                aria-label={t('billing.common.payer')}
                className="w-28"
              />
              <select
                name="method"
                aria-label={t('billing.common.method')}
                className="h-9 rounded-md border bg-background px-2"
              >
                {offlineMethods.map((m) => (
                  <option key={m} value={m}>
                    {t(`billing.pay.${m}`)}
                  </option>
                ))}
              </select>
              <SubmitButton intent="collect" size="sm">
                {t('billing.office.bills.collect')}
              </SubmitButton>
            </>
          ) : null}
          {community.canManage ? (
            <SubmitButton intent="remind" size="sm" variant="outline">
              {t('billing.office.bills.remind')}
            </SubmitButton>
          ) : null}
        </div>
        <div className="overflow-x-auto rounded-lg border bg-card">
          <table className="w-full text-sm">
            <thead className="bg-muted/50 text-left text-muted-foreground text-xs">
              <tr>
                <th className="w-8 px-3 py-2" />
                <th className="px-3 py-2">{t('billing.common.unit')}</th>
                <th className="px-3 py-2">{t('billing.common.feeItem')}</th>
                <th className="px-3 py-2">{t('billing.common.period')}</th>
                <th className="px-3 py-2">{t('billing.common.due')}</th>
                <th className="px-3 py-2 text-right">{t('billing.common.amount')}</th>
                <th className="px-3 py-2 text-right">{t('billing.common.lateFee')}</th>
                <th className="px-3 py-2">{t('billing.common.status')}</th>
              </tr>
            </thead>
            <tbody>
              {bills.rows.map((b) => (
                <tr key={b.id} className="border-t">
                  <td className="px-3 py-2">
                    {b.status === 'unpaid' ? (
                      <input
                        type="checkbox"
                        name="billId"
                        value={b.id}
                        aria-label={`${b.unitLabel} ${b.feeItemName}`}
                        className="size-4"
                      />
                    ) : null}
                  </td>
                  <td className="px-3 py-2">
                    <Link
                      to={withCommunity(`/office/billing/bills/${b.id}`, community.id)}
                      className="text-primary hover:underline"
                    >
                      {b.unitLabel}
                    </Link>
                  </td>
                  <td className="px-3 py-2">{b.feeItemName}</td>
                  <td className="px-3 py-2">{periodLabel(b.periodStart, b.periodEnd)}</td>
                  <td className="px-3 py-2">{b.dueDate}</td>
                  <td className="px-3 py-2 text-right">
                    <Yuan fen={b.amountFen} />
                  </td>
                  <td className="px-3 py-2 text-right">{b.lateFeeFen ? <Yuan fen={b.lateFeeFen} /> : '—'}</td>
                  <td className="px-3 py-2">
                    <BillStatusBadge status={b.status} overdue={b.overdue} locked={b.locked} />
                  </td>
                </tr>
              ))}
              {bills.rows.length === 0 ? (
                <tr>
                  <td colSpan={8} className="px-3 py-6 text-center text-muted-foreground">
                    {t('billing.common.empty')}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </Form>
      <div className="flex items-center justify-between text-sm">
        <span className="text-muted-foreground">
          {t('billing.common.pageOf', { page, total: bills.total })}
        </span>
        <div className="flex gap-2">
          {page > 1 ? (
            <Button asChild variant="outline" size="sm">
              <Link to={pageLink(page - 1)}>{t('billing.common.prev')}</Link>
            </Button>
          ) : null}
          {page * BILL_PAGE_SIZE < bills.total ? (
            <Button asChild variant="outline" size="sm">
              <Link to={pageLink(page + 1)}>{t('billing.common.next')}</Link>
            </Button>
          ) : null}
        </div>
      </div>
    </div>
  );
}
