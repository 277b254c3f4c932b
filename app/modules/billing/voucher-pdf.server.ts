import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFPage, type RGB, rgb } from 'pdf-lib';
import { cjkFontSubset } from './cjk-font.server';

export const INK = rgb(0.1, 0.1, 0.12);
export const MUTED = rgb(0.42, 0.42, 0.46);
export const RED = rgb(0.82, 0.1, 0.12);
const LINE = rgb(0.8, 0.8, 0.83);

/** A line of text printed between the table and the totals, or after the totals. */
export type VoucherNote = { text: string; size: number; color: RGB };

/**
 * What the e-receipt and the refund voucher print, in the layout they share: a one-page A5
 * (landscape) with a title, two columns of fields, a table of items, notes, the total in
 * figures and in Chinese capitals (大写), the payee, the seal (财务专用章) and a status stamp.
 */
export type VoucherPage = {
  docTitle: string;
  author: string;
  createdAt?: Date;
  title: string;
  subtitle: string;
  fields: Array<[string, string]>;
  /** Width reserved for a field's label. */
  fieldLabelWidth: number;
  /** Table columns: header and x offset from the left margin; the last column is right-aligned. */
  columns: Array<{ header: string; x: number; size?: number }>;
  rows: string[][];
  maxRows: number;
  notesBeforeTotals: VoucherNote[];
  totalFigures: string;
  totalCapitals: string;
  /** Printed under the totals as long as they fit above the payee line. */
  notesAfterTotals: VoucherNote[];
  payee: string;
  seal: [string, string];
  status: string;
};

// The embedded subset of Noto Sans SC has no glyph for U+0020 (the merged web-font slices drop
// it), so a space would print as a missing-glyph box: words are drawn one by one instead, a
// space's width apart.
const SPACE_EM = 0.28;

function measure(font: PDFFont, value: string, size: number): number {
  const words = value.split(' ');
  return (
    words.reduce((w, word) => w + font.widthOfTextAtSize(word, size), 0) +
    (words.length - 1) * SPACE_EM * size
  );
}

function text(page: PDFPage, font: PDFFont, value: string, x: number, y: number, size: number, color = INK) {
  let at = x;
  for (const word of value.split(' ')) {
    if (word) page.drawText(word, { x: at, y, size, font, color });
    at += font.widthOfTextAtSize(word, size) + SPACE_EM * size;
  }
}

const FOOTER = '本凭证由物业云系统生成，可在线查验。';

export async function renderVoucherPdf(v: VoucherPage): Promise<Uint8Array> {
  const glyphs = [
    v.title,
    v.subtitle,
    ...v.fields.flat(),
    ...v.columns.map((c) => c.header),
    ...v.rows.flat(),
    `……共${v.rows.length}项合计（小写）：（大写）：`,
    ...v.notesBeforeTotals.map((n) => n.text),
    v.totalFigures,
    v.totalCapitals,
    ...v.notesAfterTotals.map((n) => n.text),
    v.payee,
    ...v.seal,
    v.status,
    FOOTER,
  ].join('');
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle(v.docTitle);
  doc.setAuthor(v.author);
  doc.setCreator('物业云');
  if (v.createdAt) doc.setCreationDate(v.createdAt);
  const font = await doc.embedFont(cjkFontSubset(glyphs), { subset: true });
  const width = 595;
  const height = 420;
  const page = doc.addPage([width, height]);
  const m = 36;

  text(page, font, v.title, width / 2 - measure(font, v.title, 20) / 2, height - 50, 20);
  text(page, font, v.subtitle, width / 2 - measure(font, v.subtitle, 9) / 2, height - 64, 9, MUTED);

  let y = height - 92;
  v.fields.forEach(([label, value], i) => {
    const x = i % 2 === 0 ? m : width / 2 + 10;
    text(page, font, `${label}：`, x, y, 10, MUTED);
    text(page, font, value, x + v.fieldLabelWidth, y, 10);
    if (i % 2 === 1) y -= 18;
  });

  y -= 6;
  const last = v.columns.length - 1;
  page.drawLine({ start: { x: m, y }, end: { x: width - m, y }, thickness: 0.8, color: LINE });
  y -= 15;
  v.columns.forEach((c, i) => {
    text(
      page,
      font,
      c.header,
      i === last ? width - m - measure(font, c.header, 9.5) : m + c.x,
      y,
      9.5,
      MUTED,
    );
  });
  y -= 6;
  page.drawLine({ start: { x: m, y }, end: { x: width - m, y }, thickness: 0.5, color: LINE });
  for (const row of v.rows.slice(0, v.maxRows)) {
    y -= 16;
    row.forEach((cell, i) => {
      const size = v.columns[i]?.size ?? 10;
      const x = i === last ? width - m - measure(font, cell, size) : m + v.columns[i].x;
      text(page, font, cell, x, y, size);
    });
  }
  if (v.rows.length > v.maxRows) {
    y -= 16;
    text(page, font, `……共 ${v.rows.length} 项`, m, y, 9, MUTED);
  }
  y -= 10;
  page.drawLine({ start: { x: m, y }, end: { x: width - m, y }, thickness: 0.8, color: LINE });

  for (const note of v.notesBeforeTotals) {
    y -= 16;
    text(page, font, note.text, m, y, note.size, note.color);
  }
  y -= 20;
  text(page, font, '合计（小写）：', m, y, 10, MUTED);
  text(page, font, v.totalFigures, m + 76, y, 12);
  y -= 20;
  text(page, font, '合计（大写）：', m, y, 10, MUTED);
  text(page, font, v.totalCapitals, m + 76, y, 12);
  for (const note of v.notesAfterTotals) {
    if (y - 15 < 62) break;
    y -= 15;
    text(page, font, note.text, m, y, note.size, note.color);
  }

  text(page, font, v.payee, m, 46, 10);
  text(page, font, FOOTER, m, 30, 8, MUTED);

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
  const [sealTop, sealBottom] = v.seal;
  const topSize = Math.min(9, 70 / Math.max(1, sealTop.length) + 2);
  text(page, font, sealTop, cx - measure(font, sealTop, topSize) / 2, cy + 10, topSize, RED);
  page.drawLine({
    start: { x: cx - 26, y: cy + 2 },
    end: { x: cx + 26, y: cy + 2 },
    thickness: 0.8,
    color: RED,
  });
  text(page, font, sealBottom, cx - measure(font, sealBottom, 10) / 2, cy - 14, 10, RED);

  if (v.status) {
    text(page, font, v.status, width - m - measure(font, v.status, 18), height - 50, 18, RED);
  }
  return doc.save();
}
