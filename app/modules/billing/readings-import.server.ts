import ExcelJS from 'exceljs';
import type { Tx } from '~/lib/db.server';
import { ensureMeter, recordReading } from './billing.server';
import { BillingError } from './errors';

/**
 * Meter readings from an Excel sheet (抄表导入). Columns, first row a header:
 * 楼栋 | 单元 | 房号 | 收费项目 | 抄表日期 | 读数. Each row is applied in its own savepoint,
 * so a rejected row (unknown unit, a reading lower than the last) is reported and the others
 * are kept. Meters are created on first use.
 */
export const READING_COLUMNS = ['楼栋', '单元', '房号', '收费项目', '抄表日期', '读数'] as const;

export type ImportResult = { ok: number; rejected: { row: number; reason: string }[] };

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object' && 'result' in value) return cellText(value.result as ExcelJS.CellValue);
  if (typeof value === 'object' && 'text' in value) return String(value.text);
  return String(value).trim();
}

export async function parseReadingsWorkbook(buffer: ArrayBuffer) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer);
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new BillingError('billing.not_found');
  const rows: {
    row: number;
    building: string;
    entrance: string;
    number: string;
    item: string;
    readOn: string;
    reading: string;
  }[] = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const v = (i: number) => cellText(row.getCell(i).value);
    if (!v(1) && !v(3)) return;
    rows.push({
      row: n,
      building: v(1),
      entrance: v(2),
      number: v(3),
      item: v(4),
      readOn: v(5),
      reading: v(6),
    });
  });
  return rows;
}

export async function importReadings(
  tx: Tx,
  communityId: string,
  buffer: ArrayBuffer,
): Promise<ImportResult> {
  const rows = await parseReadingsWorkbook(buffer);
  const result: ImportResult = { ok: 0, rejected: [] };
  for (const r of rows) {
    await tx.query('savepoint reading_row');
    try {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(r.readOn)) throw new Error(`抄表日期格式应为 YYYY-MM-DD：${r.readOn}`);
      const reading = Number(r.reading);
      if (!Number.isFinite(reading) || reading < 0) throw new Error(`读数无效：${r.reading}`);
      const unit = await tx.query<{ id: string }>(
        `select u.id from public.units u join public.buildings b on b.id = u.building_id
         where u.community_id = $1 and b.name = $2 and u.number = $3 and u.deleted_at is null
           and ($4 = '' or u.entrance = $4::smallint)`,
        [communityId, r.building, r.number, r.entrance],
      );
      if (unit.rows.length !== 1)
        throw new Error(`找不到房屋 ${r.building}-${r.entrance ? `${r.entrance}单元-` : ''}${r.number}`);
      const item = await tx.query<{ id: string }>(
        `select id from public.fee_items where community_id = $1 and name = $2`,
        [communityId, r.item],
      );
      if (!item.rows[0]) throw new Error(`找不到收费项目 ${r.item}`);
      const meterId = await ensureMeter(tx, unit.rows[0].id, item.rows[0].id);
      await recordReading(tx, { meterId, readOn: r.readOn, reading, source: 'import' });
      await tx.query('release savepoint reading_row');
      result.ok++;
    } catch (err) {
      await tx.query('rollback to savepoint reading_row');
      const reason =
        err instanceof BillingError
          ? err.code === 'billing.reading_decreased'
            ? `读数低于上次读数（${err.message.replace(/^billing\.reading_decreased: /, '')}）`
            : err.code
          : (err as Error).message;
      result.rejected.push({ row: r.row, reason });
    }
  }
  return result;
}

/** The import template with the header row and an example. */
export async function readingsTemplate(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('抄表');
  sheet.addRow([...READING_COLUMNS]);
  sheet.addRow(['1栋', 1, '101', '水费', '2026-11-30', 1234.5]);
  sheet.columns.forEach((c) => {
    c.width = 14;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
