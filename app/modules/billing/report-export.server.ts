import fontkit from '@pdf-lib/fontkit';
import ExcelJS from 'exceljs';
import { PDFDocument, rgb } from 'pdf-lib';
import type { CollectionReport, CollectionRow } from './billing.server';
import { cjkFontSubset } from './cjk-font.server';
import { fenToYuanText } from './rules/money';

const KIND_NAMES: Record<string, string> = {
  property: '物业费',
  water: '水费',
  electricity: '电费',
  gas: '燃气费',
  parking: '停车费',
  shared: '公摊',
  garbage: '垃圾费',
  other: '其他',
};

const rate = (r: CollectionRow) => (r.dueFen > 0 ? `${((r.paidFen / r.dueFen) * 100).toFixed(1)}%` : '—');

function sections(report: CollectionReport): { title: string; rows: CollectionRow[] }[] {
  return [
    { title: '按收费类型', rows: report.byKind.map((r) => ({ ...r, label: KIND_NAMES[r.key] ?? r.label })) },
    { title: '按楼栋', rows: report.byBuilding },
    { title: '按月份', rows: report.byMonth },
  ];
}

const HEADER = ['项目', '应收（元）', '实收（元）', '退款（元）', '收缴率', '账单数', '已缴笔数'];
const cells = (r: CollectionRow) => [
  r.label,
  fenToYuanText(r.dueFen),
  fenToYuanText(r.paidFen),
  fenToYuanText(r.refundedFen),
  rate(r),
  String(r.bills),
  String(r.paidBills),
];

/** 收缴报表 as a workbook: one sheet per grouping, amounts as numbers in yuan. */
export async function reportToXlsx(report: CollectionReport, communityName: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '物业云';
  for (const section of sections(report)) {
    const sheet = workbook.addWorksheet(section.title);
    sheet.addRow([`${communityName} ${report.year} 年收缴报表 · ${section.title}`]);
    sheet.addRow(HEADER);
    for (const r of [...section.rows, { ...report.totals, label: '合计' }]) {
      sheet.addRow([
        r.label,
        r.dueFen / 100,
        r.paidFen / 100,
        r.refundedFen / 100,
        r.dueFen > 0 ? r.paidFen / r.dueFen : null,
        r.bills,
        r.paidBills,
      ]);
    }
    sheet.getColumn(2).numFmt = '#,##0.00';
    sheet.getColumn(3).numFmt = '#,##0.00';
    sheet.getColumn(4).numFmt = '#,##0.00';
    sheet.getColumn(5).numFmt = '0.0%';
    sheet.columns.forEach((c) => {
      c.width = 16;
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The same report as a PDF (A4, tables per grouping). */
export async function reportToPdf(report: CollectionReport, communityName: string): Promise<Uint8Array> {
  const title = `${communityName} ${report.year} 年收缴报表`;
  const all = sections(report);
  const text = [
    title,
    ...HEADER,
    '合计',
    ...all.flatMap((s) => [s.title, ...s.rows.flatMap(cells)]),
    ...cells(report.totals),
    '生成于物业云',
  ].join('');
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(cjkFontSubset(text), { subset: true });
  let page = doc.addPage([595, 842]);
  let y = 790;
  page.drawText(title, { x: 40, y, size: 16, font });
  y -= 28;
  const cols = [40, 150, 235, 320, 400, 455, 510];
  for (const section of all) {
    if (y < 120) {
      page = doc.addPage([595, 842]);
      y = 790;
    }
    page.drawText(section.title, { x: 40, y, size: 12, font });
    y -= 18;
    HEADER.forEach((h, i) => {
      page.drawText(h, { x: cols[i], y, size: 9, font, color: rgb(0.4, 0.4, 0.45) });
    });
    y -= 14;
    for (const r of [...section.rows, { ...report.totals, label: '合计' }]) {
      if (y < 50) {
        page = doc.addPage([595, 842]);
        y = 790;
      }
      cells(r).forEach((c, i) => {
        page.drawText(c, { x: cols[i], y, size: 9.5, font });
      });
      y -= 14;
    }
    y -= 14;
  }
  return doc.save();
}
