import type { ReceiptData } from './receipt.server';
import { fenToChineseCapitals, fenToYuanText } from './rules/money';
import { RED, renderVoucherPdf } from './voucher-pdf.server';

export const METHOD_LABELS: Record<ReceiptData['method'], string> = {
  wechat_pay: '微信支付',
  alipay: '支付宝',
  card: '银行卡',
  cash: '现金',
  transfer: '银行转账',
  sandbox: '模拟支付（测试）',
};

/** 'YYYY-MM-DD HH:MM:SS' in Beijing time from a timestamptz as PostgreSQL prints it. */
export function beijingTime(timestamp: string): string {
  const iso = timestamp.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00');
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not a timestamp: ${timestamp}`);
  return new Date(ms + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
}

/** The receipt's text lines, also used by tests to know what the PDF must contain. */
export function receiptTexts(r: ReceiptData) {
  return {
    title: '电子缴费凭证',
    subtitle: 'Electronic Payment Receipt',
    fields: [
      ['凭证号', r.receiptNo],
      ['缴费时间', beijingTime(r.paidAt)],
      ['缴费人', r.payerName],
      ['支付方式', METHOD_LABELS[r.method]],
      ['小区', r.communityName],
      ['房屋', r.units.join('、') || '—'],
    ] as Array<[string, string]>,
    items: r.items.map((i) => [
      i.feeItemName,
      i.unitLabel,
      `${i.periodStart} 至 ${i.periodEnd}`,
      [
        i.discountFen > 0 ? `优惠 -${fenToYuanText(i.discountFen)}` : '',
        i.lateFeeFen > 0 ? `含滞纳金 ${fenToYuanText(i.lateFeeFen)}` : '',
      ]
        .filter(Boolean)
        .join('；'),
      fenToYuanText(i.amountFen + i.lateFeeFen),
    ]),
    /** The prepay discount in one line: 预缴优惠（12个月送1个月）：-¥223.75 */
    discount:
      r.prepay && r.prepay.discountFen > 0
        ? `${r.prepay.label ?? '预缴优惠'}：-¥${fenToYuanText(r.prepay.discountFen)}`
        : '',
    refunds: r.refunds.map(
      (x) =>
        `退款 ¥${fenToYuanText(x.amountFen)}${x.voucherNo ? `（退款凭证 ${x.voucherNo}）` : ''}：${x.reason}`,
    ),
    totalFigures: `¥${fenToYuanText(r.amountFen)}`,
    totalCapitals: fenToChineseCapitals(r.amountFen),
    payee: `收款单位：${r.payeeName}`,
    seal: [r.companyName.slice(0, 14), r.sealText],
    status:
      r.status === 'refunded'
        ? '已退款'
        : r.status === 'partially_refunded'
          ? '部分退款'
          : r.status === 'duplicate'
            ? '重复支付·已退回'
            : '',
  };
}

/** The receipt as a one-page A5 (landscape) PDF with an embedded Noto Sans SC subset. */
export async function renderReceiptPdf(r: ReceiptData): Promise<Uint8Array> {
  const t = receiptTexts(r);
  return renderVoucherPdf({
    docTitle: `${t.title} ${r.receiptNo}`,
    author: r.payeeName,
    createdAt: new Date(Date.parse(r.paidAt.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'))),
    title: t.title,
    subtitle: t.subtitle,
    fields: t.fields,
    fieldLabelWidth: 62,
    columns: [
      { header: '收费项目', x: 0 },
      { header: '房屋', x: 110 },
      { header: '计费周期', x: 200 },
      { header: '备注', x: 370, size: 8 },
      { header: '金额（元）', x: 0 },
    ],
    rows: t.items,
    maxRows: 8,
    notesBeforeTotals: t.discount ? [{ text: t.discount, size: 9.5, color: RED }] : [],
    totalFigures: t.totalFigures,
    totalCapitals: t.totalCapitals,
    // Refunds above the payee line, as many as fit beside the seal.
    notesAfterTotals: t.refunds.map((line) => ({ text: line.slice(0, 40), size: 8.5, color: RED })),
    payee: t.payee,
    seal: t.seal as [string, string],
    status: t.status,
  });
}
