import ExcelJS from 'exceljs';
import type { Tx } from '~/lib/db.server';
import { guarded, TenancyError } from './tenancy-errors';
import {
  type ImportProblem,
  type RawUnitRow,
  UNIT_COLUMNS,
  UNIT_HEADERS,
  UNIT_USE_TEXT,
  type UnitRow,
  unitKey,
  validateUnitRows,
} from './unit-import.schema';

/**
 * Units from and to Excel (房屋导入/导出). The import validates the whole sheet first (cells,
 * duplicates in the file, conflicts with live units), and writes only when nothing is wrong:
 * missing buildings and every unit in two statements inside the caller's one `withUser`
 * transaction, under the buildings/units policies (unit.manage). It is idempotent by address:
 * a row whose unit exists (same building, entrance, number and floor) updates its area, use
 * and note, and re-importing a sheet changes nothing.
 */

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object' && 'result' in value) return cellText(value.result as ExcelJS.CellValue);
  if (typeof value === 'object' && 'richText' in value)
    return value.richText
      .map((t) => t.text)
      .join('')
      .trim();
  if (typeof value === 'object' && 'text' in value) return String(value.text).trim();
  return String(value).trim();
}

/** The first sheet's rows (after the header) as text cells, keeping spreadsheet row numbers. */
export async function parseUnitsWorkbook(buffer: ArrayBuffer): Promise<RawUnitRow[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buffer);
  } catch (err) {
    throw new TenancyError('tenancy.file_invalid', { cause: err });
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new TenancyError('tenancy.file_invalid');
  const header = UNIT_COLUMNS.map((_, i) => cellText(sheet.getRow(1).getCell(i + 1).value));
  if (header[0] !== UNIT_HEADERS.building || header[3] !== UNIT_HEADERS.number) {
    throw new TenancyError('tenancy.file_invalid');
  }
  const rows: RawUnitRow[] = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const cells = UNIT_COLUMNS.map((_, i) => cellText(row.getCell(i + 1).value));
    if (cells.every((c) => c === '')) return;
    rows.push({
      row: n,
      ...(Object.fromEntries(UNIT_COLUMNS.map((c, i) => [c, cells[i]])) as Record<
        (typeof UNIT_COLUMNS)[number],
        string
      >),
    });
  });
  return rows;
}

export type ImportReport =
  | { status: 'invalid'; total: number; problems: ImportProblem[] }
  | {
      status: 'imported';
      total: number;
      created: number;
      updated: number;
      unchanged: number;
      buildingsCreated: number;
    };

type Scope = { companyId: string; communityId: string };

/** The community, if the caller may manage its units; otherwise a forbidden error. */
async function managedCommunity(tx: Tx, communityId: string): Promise<Scope> {
  const { rows } = await tx.query<{ company_id: string; may: boolean }>(
    `select c.company_id, private.has_permission(c.company_id, 'unit.manage', c.id) as may
     from public.communities c where c.id = $1`,
    [communityId],
  );
  if (!rows[0]?.may) throw new TenancyError('tenancy.forbidden');
  return { companyId: rows[0].company_id, communityId };
}

type ExistingUnit = { building: string; entrance: number | null; number: string; floor: number };

/** Validates `raw` and, when every row is good, writes it. Run inside one `withUser` transaction. */
export async function importUnits(tx: Tx, communityId: string, raw: RawUnitRow[]): Promise<ImportReport> {
  const scope = await managedCommunity(tx, communityId);
  const { rows, problems } = validateUnitRows(raw);

  const existing = await tx.query<ExistingUnit>(
    `select b.name as building, u.entrance, u.number, u.floor
     from public.units u join public.buildings b on b.id = u.building_id
     where u.company_id = $1 and u.community_id = $2 and u.deleted_at is null`,
    [scope.companyId, scope.communityId],
  );
  const floorOf = new Map(existing.rows.map((u) => [unitKey(u), u.floor]));
  for (const r of rows) {
    const floor = floorOf.get(unitKey(r));
    if (floor !== undefined && floor !== r.floor) {
      problems.push({
        row: r.row,
        column: 'floor',
        key: 'tenancy.import.error.floorConflict',
        vars: { floor },
      });
    }
  }
  if (problems.length > 0) {
    problems.sort((a, b) => a.row - b.row);
    return { status: 'invalid', total: raw.length, problems };
  }
  return guarded(() => writeUnits(tx, scope, rows));
}

async function writeUnits(tx: Tx, scope: Scope, rows: UnitRow[]): Promise<ImportReport> {
  const buildingNames = [...new Set(rows.map((r) => r.building))];
  const created = await tx.query<{ id: string }>(
    `insert into public.buildings (company_id, community_id, name, sort_order)
     select $1, $2, n.name, n.ord::int
     from unnest($3::text[]) with ordinality as n (name, ord)
     where not exists (
       select 1 from public.buildings b where b.company_id = $1 and b.community_id = $2 and b.name = n.name)
     returning id`,
    [scope.companyId, scope.communityId, buildingNames],
  );
  const written = await tx.query<{ inserted: boolean }>(
    `insert into public.units as u (company_id, community_id, building_id, entrance, floor, number, floor_area, use, note)
     select $1, $2, b.id, r.entrance, r.floor, r.number, r.floor_area, r.use, nullif(r.note, '')
     from unnest($3::text[], $4::smallint[], $5::smallint[], $6::text[], $7::numeric[], $8::public.unit_use[], $9::text[])
       as r (building, entrance, floor, number, floor_area, use, note)
     join public.buildings b on b.company_id = $1 and b.community_id = $2 and b.name = r.building
     on conflict (company_id, community_id, building_id, entrance, number) where deleted_at is null
     do update set floor_area = excluded.floor_area, use = excluded.use, note = excluded.note
       where (u.floor_area, u.use, u.note) is distinct from (excluded.floor_area, excluded.use, excluded.note)
     returning (xmax = 0) as inserted`,
    [
      scope.companyId,
      scope.communityId,
      rows.map((r) => r.building),
      rows.map((r) => r.entrance),
      rows.map((r) => r.floor),
      rows.map((r) => r.number),
      rows.map((r) => r.floorArea),
      rows.map((r) => r.use),
      rows.map((r) => r.note),
    ],
  );
  const inserted = written.rows.filter((r) => r.inserted).length;
  const updated = written.rows.length - inserted;
  return {
    status: 'imported',
    total: rows.length,
    created: inserted,
    updated,
    unchanged: rows.length - inserted - updated,
    buildingsCreated: created.rowCount ?? 0,
  };
}

function headerRow(sheet: ExcelJS.Worksheet) {
  sheet.addRow(UNIT_COLUMNS.map((c) => UNIT_HEADERS[c]));
  sheet.getRow(1).font = { bold: true };
  sheet.columns.forEach((c, i) => {
    c.width = i === 6 ? 24 : 12;
  });
}

/** The import template: the header and two example rows. */
export async function unitsTemplate(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('房屋');
  headerRow(sheet);
  sheet.addRow(['1栋', 1, 1, '101', 89.5, '住宅', '']);
  sheet.addRow(['1栋', 1, 1, '102', 120, '住宅', '南北通透']);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Every live unit of a community in the template's layout (so an export can be edited and re-imported). */
export async function exportUnits(tx: Tx, communityId: string): Promise<{ name: string; file: Buffer }> {
  const community = await tx.query<{ name: string }>('select name from public.communities where id = $1', [
    communityId,
  ]);
  if (!community.rows[0]) throw new TenancyError('tenancy.not_found');
  const { rows } = await tx.query<{
    building: string;
    entrance: number | null;
    floor: number;
    number: string;
    floor_area: number | null;
    use: keyof typeof UNIT_USE_TEXT;
    note: string | null;
  }>(
    `select b.name as building, u.entrance, u.floor, u.number, u.floor_area, u.use, u.note
     from public.units u join public.buildings b on b.id = u.building_id
     where u.community_id = $1 and u.deleted_at is null
     order by b.sort_order, b.name, u.entrance nulls first, u.floor, u.number`,
    [communityId],
  );
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('房屋');
  headerRow(sheet);
  for (const r of rows) {
    sheet.addRow([
      r.building,
      r.entrance ?? '',
      r.floor,
      r.number,
      r.floor_area ?? '',
      UNIT_USE_TEXT[r.use],
      r.note ?? '',
    ]);
  }
  return { name: community.rows[0].name, file: Buffer.from(await workbook.xlsx.writeBuffer()) };
}
