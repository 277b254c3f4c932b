import type { Tx } from '~/lib/db.server';
import type { PaymentMethod } from './billing.schema';
import { BillingError } from './errors';
import { beijingTime, METHOD_LABELS } from './receipt-pdf.server';
import { fenToChineseCapitals, fenToYuanText } from './rules/money';
import { INK, renderVoucherPdf } from './voucher-pdf.server';

/** 退款凭证: what a refund returned, to whom, why — handed over with cash refunds at the desk. */
export type RefundVoucher = {
  refundId: string;
  voucherNo: string | null;
  status: 'pending' | 'succeeded' | 'failed';
  companyName: string;
  payeeName: string;
  sealText: string;
  communityName: string;
  payerName: string;
  receiptNo: string;
  method: PaymentMethod;
  provider: 'stripe' | 'sandbox' | 'offline';
  amountFen: number;
  reason: string;
  refundedAt: string;
  requestedBy: string | null;
  items: {
    feeItemName: string;
    unitLabel: string;
    periodStart: string;
    periodEnd: string;
    amountFen: number;
  }[];
};

/** A refund the caller may read (RLS on refunds: staff of the community, the payer). */
export async function getRefundVoucher(tx: Tx, refundId: string): Promise<RefundVoucher> {
  const { rows } = await tx.query<Omit<RefundVoucher, 'items'>>(
    `select r.id as "refundId", r.voucher_no as "voucherNo", r.status, co.name as "companyName",
       coalesce(nullif(s.payee_name, ''), co.name) as "payeeName",
       coalesce(nullif(s.seal_text, ''), '财务专用章') as "sealText",
       c.name as "communityName", p.payer_name as "payerName", p.receipt_no as "receiptNo", p.method, p.provider,
       r.amount_fen as "amountFen", r.reason, r.updated_at as "refundedAt",
       (select nullif(btrim(pr.full_name), '') from public.profiles pr where pr.id = r.requested_by) as "requestedBy"
     from public.refunds r
     join public.payments p on p.id = r.payment_id
     join public.companies co on co.id = r.company_id
     join public.communities c on c.id = r.community_id
     left join public.billing_settings s on s.community_id = r.community_id
     where r.id = $1`,
    [refundId],
  );
  if (!rows[0]) throw new BillingError('billing.not_found');
  const items = await tx.query<RefundVoucher['items'][number]>(
    `select fi.name as "feeItemName", bd.name || coalesce(u.entrance || '单元', '') || u.number as "unitLabel",
       b.period_start as "periodStart", b.period_end as "periodEnd", rb.amount_fen as "amountFen"
     from public.refund_bills rb
     join public.bills b on b.id = rb.bill_id
     join public.units u on u.id = b.unit_id
     join public.buildings bd on bd.id = b.building_id
     join public.fee_items fi on fi.id = b.fee_item_id
     where rb.refund_id = $1
     order by b.period_start, fi.sort_order, fi.name`,
    [refundId],
  );
  return { ...rows[0], items: items.rows };
}

/** The voucher's text lines (the PDF prints these; tests read them back). */
export function refundVoucherTexts(v: RefundVoucher) {
  return {
    title: '退款凭证',
    subtitle: 'Refund Voucher',
    fields: [
      ['退款凭证号', v.voucherNo ?? '（处理中）'],
      ['退款时间', beijingTime(v.refundedAt)],
      ['原缴费凭证', v.receiptNo],
      ['缴费人', v.payerName],
      [
        '退款方式',
        v.provider === 'offline' ? METHOD_LABELS[v.method] : `原路退回（${METHOD_LABELS[v.method]}）`,
      ],
      ['小区', v.communityName],
    ] as Array<[string, string]>,
    items: v.items.map((i) => [
      i.feeItemName,
      i.unitLabel,
      `${i.periodStart} 至 ${i.periodEnd}`,
      fenToYuanText(i.amountFen),
    ]),
    reason: `退款原因：${v.reason}`,
    totalFigures: `¥${fenToYuanText(v.amountFen)}`,
    totalCapitals: fenToChineseCapitals(v.amountFen),
    payee: `退款单位：${v.payeeName}${v.requestedBy ? `　经办人：${v.requestedBy}` : ''}`,
    seal: [v.companyName.slice(0, 14), v.sealText],
    status: v.status === 'succeeded' ? '' : v.status === 'pending' ? '处理中' : '退款失败',
  };
}

/** The voucher as a one-page A5 (landscape) PDF, laid out like the e-receipt. */
export async function renderRefundVoucherPdf(v: RefundVoucher): Promise<Uint8Array> {
  const t = refundVoucherTexts(v);
  return renderVoucherPdf({
    docTitle: `${t.title} ${v.voucherNo ?? v.refundId}`,
    author: v.payeeName,
    title: t.title,
    subtitle: t.subtitle,
    fields: t.fields,
    fieldLabelWidth: 70,
    columns: [
      { header: '收费项目', x: 0 },
      { header: '房屋', x: 130 },
      { header: '计费周期', x: 240 },
      { header: '退款金额（元）', x: 0 },
    ],
    rows: t.items,
    maxRows: 6,
    notesBeforeTotals: [{ text: t.reason.slice(0, 44), size: 10, color: INK }],
    totalFigures: t.totalFigures,
    totalCapitals: t.totalCapitals,
    notesAfterTotals: [],
    payee: t.payee,
    seal: t.seal as [string, string],
    status: t.status,
  });
}
