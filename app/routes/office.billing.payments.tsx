import { data, type LoaderFunctionArgs } from '@remix-run/node';
import { Link, useFetcher, useLoaderData } from '@remix-run/react';
import { useEffect, useState } from 'react';
import { Button } from '~/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '~/components/ui/dialog';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { listPayments, type PaymentRow } from '~/modules/billing/billing.server';
import {
  type BillingActionData,
  requireBillingScope,
  requireCommunity,
} from '~/modules/billing/billing-routes.server';
import { withCommunity } from '~/modules/billing/components/links';
import { formatFen, Yuan } from '~/modules/billing/components/money';
import { RefundPanel } from '~/modules/billing/components/refund-panel';
import { beijingTime } from '~/modules/billing/receipt-pdf.server';
import type { loader as paymentLoader } from './office.billing.payments_.$paymentId';

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

/** The refund dialog of one payment: its bills and refunds loaded on open, the form posted by a fetcher. */
function RefundDialog({
  payment,
  communityId,
  open,
  onOpenChange,
}: {
  payment: Pick<PaymentRow, 'id' | 'receiptNo'>;
  communityId: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const t = useT();
  const loaded = useFetcher<typeof paymentLoader>();
  const submit = useFetcher<BillingActionData>();
  const url = withCommunity(`/office/billing/payments/${payment.id}`, communityId);
  const load = loaded.load;
  useEffect(() => {
    if (open) load(url);
  }, [open, url, load]);
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('billing.office.payments.close')}>
        <DialogHeader>
          <DialogTitle>
            {t('billing.office.payments.refundDialog', { receiptNo: payment.receiptNo })}
          </DialogTitle>
          <DialogDescription>{t('billing.office.payments.refundReason')}</DialogDescription>
        </DialogHeader>
        {loaded.data ? (
          <RefundPanel
            payment={loaded.data.payment}
            refundKey={loaded.data.refundKey}
            Form={submit.Form}
            action={url}
            result={submit.data}
            pending={submit.state !== 'idle'}
            canRefund={loaded.data.canRefund}
          />
        ) : (
          <p className="text-muted-foreground text-sm">…</p>
        )}
      </DialogContent>
    </Dialog>
  );
}

function RefundState({ p }: { p: PaymentRow }) {
  const t = useT();
  if (p.status === 'duplicate') {
    return <span className="text-amber-700">{t('billing.office.payments.duplicate')}</span>;
  }
  if (p.status === 'refunded' || p.status === 'partially_refunded') {
    return (
      <span className="text-sky-700">
        {t(`billing.office.payments.status.${p.status}`)}
        {p.status === 'partially_refunded'
          ? ` · ${t('billing.office.payments.refundedPart', { amount: `¥${formatFen(p.refundedFen)}` })}`
          : ''}
      </span>
    );
  }
  if (p.refundStatus === 'pending') {
    return <span className="text-muted-foreground">{t('billing.office.payments.refundStatus.pending')}</span>;
  }
  return null;
}

export default function OfficePaymentsPage() {
  const t = useT();
  const { payments, community } = useLoaderData<typeof loader>();
  const [refunding, setRefunding] = useState<Pick<PaymentRow, 'id' | 'receiptNo'> | null>(null);
  return (
    <div className="flex flex-col gap-3">
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
              <th className="px-3 py-2">{t('billing.common.status')}</th>
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
                  <RefundState p={p} />
                </td>
                <td className="px-3 py-2">
                  <div className="flex gap-2">
                    {community.canRefund &&
                    (p.status === 'succeeded' || p.status === 'partially_refunded') &&
                    p.refundFen < p.amountFen ? (
                      <Button size="sm" variant="outline" onClick={() => setRefunding(p)}>
                        {t('billing.office.payments.refund')}
                      </Button>
                    ) : null}
                    {p.refundFen > 0 || p.status === 'duplicate' ? (
                      <Button asChild size="sm" variant="ghost">
                        <Link to={withCommunity(`/office/billing/payments/${p.id}`, community.id)}>
                          {t('billing.office.payments.refundHistory')}
                        </Link>
                      </Button>
                    ) : null}
                  </div>
                </td>
              </tr>
            ))}
            {payments.length === 0 ? (
              <tr>
                <td colSpan={8} className="px-3 py-6 text-center text-muted-foreground">
                  {t('billing.common.empty')}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {refunding ? (
        <RefundDialog
          key={refunding.id}
          payment={refunding}
          communityId={community.id}
          open
          onOpenChange={(open) => {
            if (!open) setRefunding(null);
          }}
        />
      ) : null}
    </div>
  );
}
