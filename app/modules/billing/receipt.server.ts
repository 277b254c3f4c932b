import type { Tx } from '~/lib/db.server';
import type { PaymentMethod, PaymentStatus } from './billing.schema';
import { BillingError } from './errors';

/** The data of an e-receipt (电子缴费凭证): everything printed, as a plain DTO. */
export type ReceiptData = {
  paymentId: string;
  receiptNo: string;
  status: PaymentStatus;
  companyName: string;
  payeeName: string;
  sealText: string;
  communityName: string;
  payerName: string;
  units: string[];
  method: PaymentMethod;
  paidAt: string;
  amountFen: number;
  items: {
    feeItemName: string;
    unitLabel: string;
    periodStart: string;
    periodEnd: string;
    /** Paid for the bill, before its late fee (after its discount). */
    amountFen: number;
    lateFeeFen: number;
    /** The prepay discount on this bill (0 without). */
    discountFen: number;
  }[];
  /** The prepayment it paid, with the discount line's text: 预缴优惠（12个月减5%）. */
  prepay: { months: number; label: string | null; discountFen: number } | null;
  /** Refunds that succeeded, with their voucher numbers. */
  refunds: { voucherNo: string | null; amountFen: number; at: string; reason: string }[];
};

/** A receipt the caller may read (RLS on payments: the payer, household members, staff). */
export async function getReceipt(tx: Tx, paymentId: string): Promise<ReceiptData> {
  const { rows } = await tx.query<Omit<ReceiptData, 'items' | 'units'>>(
    `select p.id as "paymentId", p.receipt_no as "receiptNo", p.status, co.name as "companyName",
       coalesce(nullif(s.payee_name, ''), co.name) as "payeeName",
       coalesce(nullif(s.seal_text, ''), '财务专用章') as "sealText",
       c.name as "communityName", p.payer_name as "payerName", p.method, p.paid_at as "paidAt", p.amount_fen as "amountFen"
     from public.payments p
     join public.companies co on co.id = p.company_id
     join public.communities c on c.id = p.community_id
     left join public.billing_settings s on s.community_id = p.community_id
     where p.id = $1`,
    [paymentId],
  );
  if (!rows[0]) throw new BillingError('billing.not_found');
  const items = await tx.query<ReceiptData['items'][number]>(
    `select fi.name as "feeItemName", bd.name || coalesce(u.entrance || '单元', '') || u.number as "unitLabel", b.period_start as "periodStart",
       b.period_end as "periodEnd", pb.amount_fen as "amountFen", pb.late_fee_fen as "lateFeeFen",
       coalesce((select -sum(l.amount_fen) from public.bill_lines l
                 where l.company_id = b.company_id and l.bill_id = b.id and l.kind = 'discount'), 0)::bigint as "discountFen"
     from public.payment_bills pb
     join public.bills b on b.id = pb.bill_id
     join public.units u on u.id = b.unit_id
     join public.buildings bd on bd.id = b.building_id
     join public.fee_items fi on fi.id = b.fee_item_id
     where pb.payment_id = $1
     order by b.period_start, fi.sort_order, fi.name, u.number`,
    [paymentId],
  );
  const prepay = await tx.query<{ months: number; label: string | null; discountFen: number }>(
    `select p.months, p.discount_fen as "discountFen",
       (select l.description from public.bill_lines l join public.bills b on b.id = l.bill_id
        where b.company_id = p.company_id and b.prepayment_id = p.id and l.kind = 'discount' limit 1) as label
     from public.prepayments p where p.payment_id = $1`,
    [paymentId],
  );
  const refunds = await tx.query<ReceiptData['refunds'][number]>(
    `select r.voucher_no as "voucherNo", r.amount_fen as "amountFen", r.updated_at as at, r.reason
     from public.refunds r where r.payment_id = $1 and r.status = 'succeeded' order by r.updated_at`,
    [paymentId],
  );
  return {
    ...rows[0],
    items: items.rows,
    units: [...new Set(items.rows.map((i) => i.unitLabel))],
    prepay: prepay.rows[0] ?? null,
    refunds: refunds.rows,
  };
}

/** The receipt number of a payment the caller may read. */
export async function receiptNoOf(tx: Tx, paymentId: string): Promise<string> {
  const { rows } = await tx.query<{ receipt_no: string }>(
    'select receipt_no from public.payments where id = $1',
    [paymentId],
  );
  if (!rows[0]) throw new BillingError('billing.not_found');
  return rows[0].receipt_no;
}
