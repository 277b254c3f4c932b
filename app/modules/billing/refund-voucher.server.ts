import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import type { Tx } from '~/lib/db.server';
import type { PaymentMethod } from './billing.schema';
import { cjkFontSubset } from './cjk-font.server';
import { BillingError } from './errors';
import { beijingTime, METHOD_LABELS } from './receipt-pdf.server';
import { fenToChineseCapitals, fenToYuanText } from './rules/money';

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

const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.42, 0.42, 0.46);
const RED = rgb(0.82, 0.1, 0.12);
const LINE = rgb(0.8, 0.8, 0.83);

function text(page: PDFPage, font: PDFFont, value: string, x: number, y: number, size: number, color = INK) {
  page.drawText(value, { x, y, size, font, color });
}

/** The voucher as a one-page A5 (landscape) PDF, laid out like the e-receipt. */
export async function renderRefundVoucherPdf(v: RefundVoucher): Promise<Uint8Array> {
  const t = refundVoucherTexts(v);
  const all = [
    t.title,
    t.subtitle,
    ...t.fields.flat(),
    ...t.items.flat(),
    '收费项目房屋计费周期退款金额（元）合计小写大写……共项',
    t.reason,
    t.totalFigures,
    t.totalCapitals,
    t.payee,
    ...t.seal,
    t.status,
    '本凭证由物业云系统生成，可在线查验。',
  ].join('');
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle(`${t.title} ${v.voucherNo ?? v.refundId}`);
  doc.setAuthor(v.payeeName);
  doc.setCreator('物业云');
  const font = await doc.embedFont(cjkFontSubset(all), { subset: true });
  const width = 595;
  const height = 420;
  const page = doc.addPage([width, height]);
  const m = 36;

  text(page, font, t.title, width / 2 - font.widthOfTextAtSize(t.title, 20) / 2, height - 50, 20);
  text(page, font, t.subtitle, width / 2 - font.widthOfTextAtSize(t.subtitle, 9) / 2, height - 64, 9, MUTED);
  let y = height - 92;
  t.fields.forEach(([label, value], i) => {
    const x = i % 2 === 0 ? m : width / 2 + 10;
    text(page, font, `${label}：`, x, y, 10, MUTED);
    text(page, font, value, x + 70, y, 10);
    if (i % 2 === 1) y -= 18;
  });
  y -= 6;
  const cols = [m, m + 130, m + 240, width - m - 90];
  page.drawLine({ start: { x: m, y }, end: { x: width - m, y }, thickness: 0.8, color: LINE });
  y -= 15;
  ['收费项目', '房屋', '计费周期', '退款金额（元）'].forEach((h, i) => {
    text(page, font, h, cols[i], y, 9.5, MUTED);
  });
  y -= 6;
  page.drawLine({ start: { x: m, y }, end: { x: width - m, y }, thickness: 0.5, color: LINE });
  for (const row of t.items.slice(0, 6)) {
    y -= 16;
    row.forEach((cell, i) => {
      const x = i === 3 ? width - m - font.widthOfTextAtSize(cell, 10) : cols[i];
      text(page, font, cell, x, y, 10);
    });
  }
  if (t.items.length > 6) {
    y -= 16;
    text(page, font, `……共 ${t.items.length} 项`, cols[0], y, 9, MUTED);
  }
  y -= 10;
  page.drawLine({ start: { x: m, y }, end: { x: width - m, y }, thickness: 0.8, color: LINE });
  y -= 18;
  text(page, font, t.reason.slice(0, 44), m, y, 10);
  y -= 20;
  text(page, font, '合计（小写）：', m, y, 10, MUTED);
  text(page, font, t.totalFigures, m + 76, y, 12);
  y -= 20;
  text(page, font, '合计（大写）：', m, y, 10, MUTED);
  text(page, font, t.totalCapitals, m + 76, y, 12);

  text(page, font, t.payee, m, 46, 10);
  text(page, font, '本凭证由物业云系统生成，可在线查验。', m, 30, 8, MUTED);
  const cx = width - m - 62;
  const cy = 78;
  page.drawCircle({
    x: cx,
    y: cy,
    size: 44,
    borderColor: RED,
    borderWidth: 2,
    opacity: 0,
    borderOpacity: 0.85,
  });
  const [sealTop, sealBottom] = t.seal;
  const topSize = Math.min(9, 70 / Math.max(1, sealTop.length) + 2);
  text(page, font, sealTop, cx - font.widthOfTextAtSize(sealTop, topSize) / 2, cy + 10, topSize, RED);
  page.drawLine({
    start: { x: cx - 26, y: cy + 2 },
    end: { x: cx + 26, y: cy + 2 },
    thickness: 0.8,
    color: RED,
  });
  text(page, font, sealBottom, cx - font.widthOfTextAtSize(sealBottom, 10) / 2, cy - 14, 10, RED);
  if (t.status) {
    text(page, font, t.status, width - m - font.widthOfTextAtSize(t.status, 18), height - 50, 18, RED);
  }
  return doc.save();
}
