import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import { cjkFontSubset } from './cjk-font.server';
import type { ReceiptData } from './receipt.server';
import { fenToChineseCapitals, fenToYuanText } from './rules/money';

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

const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.42, 0.42, 0.46);
const RED = rgb(0.82, 0.1, 0.12);
const LINE = rgb(0.8, 0.8, 0.83);

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

function text(page: PDFPage, font: PDFFont, value: string, x: number, y: number, size: number, color = INK) {
  page.drawText(value, { x, y, size, font, color });
}

/** The receipt as a one-page A5 (landscape) PDF with an embedded Noto Sans SC subset. */
export async function renderReceiptPdf(r: ReceiptData): Promise<Uint8Array> {
  const t = receiptTexts(r);
  const all = [
    t.title,
    t.subtitle,
    ...t.fields.flat(),
    ...t.items.flat(),
    '收费项目房屋计费周期金额（元）备注合计小写大写',
    t.totalFigures,
    t.totalCapitals,
    t.payee,
    ...t.seal,
    t.status,
    t.discount,
    ...t.refunds,
    '本凭证由物业云系统生成，可在线查验。',
  ].join('');
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle(`${t.title} ${r.receiptNo}`);
  doc.setAuthor(r.payeeName);
  doc.setCreator('物业云');
  doc.setCreationDate(new Date(Date.parse(r.paidAt.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'))));
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
    text(page, font, value, x + 62, y, 10);
    if (i % 2 === 1) y -= 18;
  });

  y -= 6;
  const cols = [m, m + 110, m + 200, m + 370, width - m - 70];
  page.drawLine({ start: { x: m, y }, end: { x: width - m, y }, thickness: 0.8, color: LINE });
  y -= 15;
  ['收费项目', '房屋', '计费周期', '备注', '金额（元）'].forEach((h, i) => {
    text(page, font, h, cols[i], y, 9.5, MUTED);
  });
  y -= 6;
  page.drawLine({ start: { x: m, y }, end: { x: width - m, y }, thickness: 0.5, color: LINE });
  for (const row of t.items.slice(0, 8)) {
    y -= 16;
    row.forEach((cell, i) => {
      const size = i === 3 ? 8 : 10;
      const x = i === 4 ? width - m - font.widthOfTextAtSize(cell, size) : cols[i];
      text(page, font, cell, x, y, size);
    });
  }
  if (t.items.length > 8) {
    y -= 16;
    text(page, font, `……共 ${t.items.length} 项`, cols[0], y, 9, MUTED);
  }
  y -= 10;
  page.drawLine({ start: { x: m, y }, end: { x: width - m, y }, thickness: 0.8, color: LINE });

  if (t.discount) {
    y -= 16;
    text(page, font, t.discount, m, y, 9.5, RED);
  }
  y -= 20;
  text(page, font, '合计（小写）：', m, y, 10, MUTED);
  text(page, font, t.totalFigures, m + 76, y, 12);
  y -= 20;
  text(page, font, '合计（大写）：', m, y, 10, MUTED);
  text(page, font, t.totalCapitals, m + 76, y, 12);
  // Refunds above the payee line, as many as fit beside the seal.
  for (const line of t.refunds) {
    if (y - 15 < 62) break;
    y -= 15;
    text(page, font, line.slice(0, 40), m, y, 8.5, RED);
  }

  text(page, font, t.payee, m, 46, 10);
  text(page, font, '本凭证由物业云系统生成，可在线查验。', m, 30, 8, MUTED);

  // The seal (财务专用章): a red ring with the company name and the seal text.
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
