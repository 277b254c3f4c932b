import { z } from 'zod';
import type { MessageKey } from '~/i18n/zh-CN';
import type { Enums } from '~/lib/database.types';

/**
 * The units spreadsheet (房屋导入): columns, the row schema and the validator. Pure code, shared
 * by the importer (unit-import.server.ts) and its unit tests. Rows are identified by their
 * spreadsheet row number; every problem names the row, the column and an i18n key.
 */
export const UNIT_COLUMNS = ['building', 'entrance', 'floor', 'number', 'floorArea', 'use', 'note'] as const;
export type UnitColumn = (typeof UNIT_COLUMNS)[number];

/** Header texts of the template, in column order (zh-CN is what property offices type). */
export const UNIT_HEADERS: Record<UnitColumn, string> = {
  building: '楼栋',
  entrance: '单元',
  floor: '楼层',
  number: '房号',
  floorArea: '建筑面积',
  use: '用途',
  note: '备注',
};

export const MAX_IMPORT_ROWS = 5000;

type UnitUse = Enums<'unit_use'>;
const useByText: Record<string, UnitUse> = {
  住宅: 'residential',
  商铺: 'commercial',
  办公: 'office',
  车位: 'parking',
  储藏室: 'storage',
  其他: 'other',
  residential: 'residential',
  commercial: 'commercial',
  office: 'office',
  parking: 'parking',
  storage: 'storage',
  other: 'other',
};
export const UNIT_USE_TEXT: Record<UnitUse, string> = {
  residential: '住宅',
  commercial: '商铺',
  office: '办公',
  parking: '车位',
  storage: '储藏室',
  other: '其他',
};

/** An optional cell: empty is null, anything else must pass `check` (one issue with `key` otherwise). */
const optionalCell = (check: (v: string) => number | null, key: MessageKey) =>
  z.string().transform((v, ctx) => {
    if (v === '') return null;
    const n = check(v);
    if (n === null) ctx.addIssue({ code: 'custom', message: key });
    return n;
  });
const integerIn = (min: number, max: number) => (v: string) =>
  /^-?\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? Number(v) : null;
const area = (v: string) => (/^\d{1,8}(\.\d{1,2})?$/.test(v) && Number(v) > 0 ? Number(v) : null);

export const unitRowSchema = z.object({
  building: z.string().min(1, 'tenancy.import.error.required').max(32, 'tenancy.import.error.tooLong'),
  entrance: optionalCell(integerIn(1, 50), 'tenancy.import.error.entrance'),
  floor: z
    .string()
    .min(1, 'tenancy.import.error.required')
    .transform((v, ctx) => {
      const n = integerIn(-10, 200)(v);
      if (n === null) ctx.addIssue({ code: 'custom', message: 'tenancy.import.error.floor' });
      return n ?? 0;
    }),
  number: z
    .string()
    .min(1, 'tenancy.import.error.required')
    .regex(/^[0-9A-Za-z-]{1,16}$/, 'tenancy.import.error.number'),
  floorArea: optionalCell(area, 'tenancy.import.error.area'),
  use: z
    .string()
    .transform((v) => (v === '' ? 'residential' : useByText[v.toLowerCase()]))
    .refine((v): v is UnitUse => v !== undefined, 'tenancy.import.error.use'),
  note: z.string().max(500, 'tenancy.import.error.tooLong'),
});
export type UnitRow = z.output<typeof unitRowSchema> & { row: number };
export type RawUnitRow = Record<UnitColumn, string> & { row: number };

export type ImportProblem = {
  row: number;
  column: UnitColumn | null;
  key: MessageKey;
  vars?: Record<string, string | number>;
};

/** The identity of a live unit (the database's unique address): building, entrance, number. */
export const unitKey = (r: { building: string; entrance: number | null; number: string }) =>
  `${r.building}\u0000${r.entrance ?? ''}\u0000${r.number.toUpperCase()}`;

/**
 * Validates every row (all problems at once, not the first only): each cell against the
 * column's rules, then duplicates inside the file. Nothing is imported when problems exist.
 */
export function validateUnitRows(raw: RawUnitRow[]): { rows: UnitRow[]; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  if (raw.length === 0) problems.push({ row: 0, column: null, key: 'tenancy.import.error.empty' });
  if (raw.length > MAX_IMPORT_ROWS)
    problems.push({
      row: 0,
      column: null,
      key: 'tenancy.import.error.tooMany',
      vars: { max: MAX_IMPORT_ROWS },
    });
  const rows: UnitRow[] = [];
  const firstRowOf = new Map<string, number>();
  for (const r of raw) {
    const parsed = unitRowSchema.safeParse(r);
    if (!parsed.success) {
      const seen = new Set<string>();
      for (const issue of parsed.error.issues) {
        const column = issue.path[0] as UnitColumn;
        if (seen.has(column)) continue;
        seen.add(column);
        problems.push({
          row: r.row,
          column,
          key: (issue.message.startsWith('tenancy.')
            ? issue.message
            : 'tenancy.import.error.invalid') as MessageKey,
        });
      }
      continue;
    }
    const row = { ...parsed.data, row: r.row };
    const key = unitKey(row);
    const first = firstRowOf.get(key);
    if (first !== undefined) {
      problems.push({
        row: r.row,
        column: 'number',
        key: 'tenancy.import.error.duplicate',
        vars: { row: first },
      });
      continue;
    }
    firstRowOf.set(key, r.row);
    rows.push(row);
  }
  return { rows, problems };
}

/** Upload form of the import page. */
export const importFormSchema = z.object({
  communityId: z.string().uuid('tenancy.error.notFound'),
});
