import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { ChevronRight, ReceiptText } from 'lucide-react';
import { z } from 'zod';
import { EmptyState } from '~/components/empty-state';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Button } from '~/components/ui/button';
import { Input } from '~/components/ui/input';
import { Label } from '~/components/ui/label';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { authCacheHeaders } from '~/lib/supabase.server';
import { requireUser } from '~/modules/auth/session.server';
import { paymentMethods } from '~/modules/billing/billing.schema';
import { formatFen, Yuan } from '~/modules/billing/components/money';
import { beijingTime } from '~/modules/billing/receipt-pdf.server';
import { myPayments } from '~/modules/billing/resident.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'billing.resident.historyTitle');
export const headers = authCacheHeaders;

const filterSchema = z.object({
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .catch(undefined),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .catch(undefined),
  method: z.enum(paymentMethods).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const filter = filterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const payments = await withUser(user.claims, (tx) => myPayments(tx, filter), { readOnly: true });
  return data(
    { filter, payments: payments.map((p) => ({ ...p, paidAt: beijingTime(p.paidAt) })) },
    { headers },
  );
}

export default function PaymentHistoryPage() {
  const t = useT();
  const { payments, filter } = useLoaderData<typeof loader>();
  return (
    <div className="flex flex-col gap-4">
      <h1 className="font-semibold text-xl tracking-tight">{t('billing.resident.historyTitle')}</h1>
      <Form method="get" className="grid grid-cols-2 gap-2 rounded-lg border bg-card p-3">
        <div className="flex flex-col gap-1">
          <Label htmlFor="from">{t('billing.common.from')}</Label>
          <Input id="from" name="from" type="date" defaultValue={filter.from} />
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor="to">{t('billing.common.to')}</Label>
          <Input id="to" name="to" type="date" defaultValue={filter.to} />
        </div>
        <div className="col-span-2 flex items-end gap-2">
          <div className="flex flex-1 flex-col gap-1">
            <Label htmlFor="method">{t('billing.common.method')}</Label>
            <select
              id="method"
              name="method"
              defaultValue={filter.method ?? ''}
              className="h-9 rounded-md border bg-background px-2 text-sm"
            >
              <option value="">{t('billing.status.all')}</option>
              {paymentMethods.map((m) => (
                <option key={m} value={m}>
                  {t(`billing.pay.${m}`)}
                </option>
              ))}
            </select>
          </div>
          <Button type="submit" variant="outline">
            {t('billing.common.filter')}
          </Button>
        </div>
      </Form>
      {payments.length === 0 ? (
        <EmptyState icon={ReceiptText} title={t('billing.resident.noPayments')} body="" className="py-6" />
      ) : (
        <ul
          className="flex flex-col divide-y rounded-lg border bg-card"
          aria-label={t('billing.resident.historyTitle')}
        >
          {payments.map((p) => (
            <li key={p.id}>
              <Link
                to={`/bills/payments/${p.id}`}
                className="flex items-center justify-between gap-3 px-4 py-3"
              >
                <div className="min-w-0">
                  <div className="truncate font-medium text-sm">{p.items ?? p.receiptNo}</div>
                  <div className="text-muted-foreground text-xs">
                    {p.paidAt} · {t(`billing.pay.${p.method}`)} · {p.receiptNo}
                  </div>
                </div>
                <div className="flex items-center gap-1">
                  <div className="flex flex-col items-end">
                    <Yuan
                      fen={p.amountFen}
                      className={
                        p.status === 'refunded' || p.status === 'duplicate'
                          ? 'text-muted-foreground line-through'
                          : 'font-semibold'
                      }
                    />
                    {p.status === 'partially_refunded' ? (
                      <span className="text-sky-700 text-xs">
                        {t('billing.office.payments.refundedPart', {
                          amount: `¥${formatFen(p.refundedFen)}`,
                        })}
                      </span>
                    ) : null}
                  </div>
                  <ChevronRight aria-hidden className="size-4 text-muted-foreground" />
                </div>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
