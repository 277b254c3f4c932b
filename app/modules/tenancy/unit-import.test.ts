import { describe, expect, it } from 'vitest';
import { householdFormSchemas } from './household.schema';
import { inviteStaffSchema, roleFormSchemas } from './staff-admin.schema';
import { type RawUnitRow, validateUnitRows } from './unit-import.schema';

const row = (n: number, over: Partial<RawUnitRow> = {}): RawUnitRow => ({
  row: n,
  building: '1栋',
  entrance: '1',
  floor: '12',
  number: '1201',
  floorArea: '89.5',
  use: '住宅',
  note: '',
  ...over,
});

describe('validateUnitRows', () => {
  it('accepts good rows and converts them', () => {
    const { rows, problems } = validateUnitRows([
      row(2),
      row(3, { entrance: '', floor: '-1', number: 'B1-01', floorArea: '', use: '车位', note: '地下' }),
      row(4, { number: '1202', use: '' }),
    ]);
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      {
        row: 2,
        building: '1栋',
        entrance: 1,
        floor: 12,
        number: '1201',
        floorArea: 89.5,
        use: 'residential',
        note: '',
      },
      {
        row: 3,
        building: '1栋',
        entrance: null,
        floor: -1,
        number: 'B1-01',
        floorArea: null,
        use: 'parking',
        note: '地下',
      },
      {
        row: 4,
        building: '1栋',
        entrance: 1,
        floor: 12,
        number: '1202',
        floorArea: 89.5,
        use: 'residential',
        note: '',
      },
    ]);
  });

  it.each([
    ['building', { building: '' }, 'tenancy.import.error.required'],
    ['building', { building: 'x'.repeat(33) }, 'tenancy.import.error.tooLong'],
    ['entrance', { entrance: '0' }, 'tenancy.import.error.entrance'],
    ['entrance', { entrance: '二' }, 'tenancy.import.error.entrance'],
    ['floor', { floor: '' }, 'tenancy.import.error.required'],
    ['floor', { floor: '201' }, 'tenancy.import.error.floor'],
    ['floor', { floor: '3.5' }, 'tenancy.import.error.floor'],
    ['number', { number: '' }, 'tenancy.import.error.required'],
    ['number', { number: '12 01' }, 'tenancy.import.error.number'],
    ['floorArea', { floorArea: '0' }, 'tenancy.import.error.area'],
    ['floorArea', { floorArea: '89.555' }, 'tenancy.import.error.area'],
    ['floorArea', { floorArea: '大' }, 'tenancy.import.error.area'],
    ['use', { use: '别墅' }, 'tenancy.import.error.use'],
    ['note', { note: 'x'.repeat(501) }, 'tenancy.import.error.tooLong'],
  ] as const)('reports a bad %s (%o)', (column, over, key) => {
    const { rows, problems } = validateUnitRows([row(2), row(7, over)]);
    expect(problems).toEqual([{ row: 7, column, key }]);
    expect(rows.map((r) => r.row)).toEqual([2]);
  });

  it('reports every problem of a row, one per column', () => {
    const { problems } = validateUnitRows([row(5, { floor: 'x', number: '', use: '?' })]);
    expect(problems.map((p) => p.column)).toEqual(['floor', 'number', 'use']);
  });

  it('reports duplicates inside the file against the first occurrence (case-insensitive number)', () => {
    const { rows, problems } = validateUnitRows([
      row(2, { number: '12a' }),
      row(3, { number: '1202' }),
      row(4, { number: '12A', floor: '13' }),
      row(5, { entrance: '2', number: '12A' }),
    ]);
    expect(problems).toEqual([
      { row: 4, column: 'number', key: 'tenancy.import.error.duplicate', vars: { row: 2 } },
    ]);
    expect(rows.map((r) => r.row)).toEqual([2, 3, 5]);
  });

  it('rejects an empty sheet', () => {
    expect(validateUnitRows([]).problems).toEqual([
      { row: 0, column: null, key: 'tenancy.import.error.empty' },
    ]);
  });
});

describe('form schemas', () => {
  it('normalizes and checks an invited staff phone', () => {
    const base = { companyId: crypto.randomUUID(), roleId: crypto.randomUUID() };
    expect(inviteStaffSchema.parse({ ...base, phone: '138 0000 0099' })).toMatchObject({
      phone: '13800000099',
      communityId: null,
    });
    const bad = inviteStaffSchema.safeParse({ ...base, phone: '12345' });
    expect(bad.success ? null : bad.error.issues[0].message).toBe('tenancy.phone.invalid');
  });

  it('keeps only known permissions in a role', () => {
    const roleId = crypto.randomUUID();
    expect(
      roleFormSchemas.savePermissions.parse({ roleId, permissions: 'unit.read,resident.verify' }),
    ).toEqual({
      roleId,
      permissions: ['unit.read', 'resident.verify'],
    });
    expect(
      roleFormSchemas.savePermissions.safeParse({ roleId, permissions: 'platform.settings.manage' }).success,
    ).toBe(false);
  });

  it('invites household members as family or tenant only', () => {
    const unitId = crypto.randomUUID();
    expect(householdFormSchemas.invite.parse({ unitId, phone: '13900000001' }).relation).toBe('family');
    expect(
      householdFormSchemas.invite.safeParse({ unitId, phone: '13900000001', relation: 'owner' }).success,
    ).toBe(false);
  });
});
