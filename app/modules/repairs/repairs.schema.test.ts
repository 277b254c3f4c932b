import { describe, expect, it } from 'vitest';
import { parseFormData } from '~/lib/form-errors';
import { parseMaterials, queueFilterSchema, reportSchema } from './repairs.schema';
import { placeLabel } from './repairs.server';

const uuid = '5f0b7b8e-4c61-4a8e-9a57-3b0c1e2d3f4a';
const form = (values: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(values)) f.set(k, v);
  return f;
};

describe('report form', () => {
  it('accepts a home report with media paths and a normalised phone', () => {
    const parsed = parseFormData(
      form({
        area: 'home',
        unitId: uuid,
        categoryId: uuid,
        description: '水管漏水',
        contactPhone: '138 0000-0101',
        media: JSON.stringify([`${uuid}/${uuid}.jpg`, `${uuid}/${uuid}.mp4`]),
      }),
      reportSchema,
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.data.contactPhone).toBe('13800000101');
    expect(parsed.data.media).toHaveLength(2);
    expect(parsed.data.preferredSlot).toBe('any');
    expect(parsed.data.preferredDate).toBeNull();
  });

  it('needs a unit at home, and a community and a place in public areas', () => {
    const home = parseFormData(form({ area: 'home', categoryId: uuid, description: 'x' }), reportSchema);
    expect(home.ok ? null : home.errors.fields).toEqual({ unitId: [{ key: 'repairs.form.unitRequired' }] });
    const pub = parseFormData(form({ area: 'public', categoryId: uuid, description: 'x' }), reportSchema);
    expect(pub.ok ? null : Object.keys(pub.errors.fields ?? {}).sort()).toEqual([
      'communityId',
      'locationNote',
    ]);
  });

  it('refuses media paths that are not objects in a user folder with an allowed extension', () => {
    for (const bad of [['../etc/passwd'], [`${uuid}/${uuid}.exe`], ['x'.repeat(20)], 'not json']) {
      const parsed = parseFormData(
        form({
          area: 'home',
          unitId: uuid,
          categoryId: uuid,
          description: 'x',
          media: typeof bad === 'string' ? bad : JSON.stringify(bad),
        }),
        reportSchema,
      );
      expect(parsed.ok).toBe(false);
    }
  });
});

describe('materials', () => {
  it('reads one material per line: name, quantity, unit', () => {
    expect(parseMaterials('陶瓷阀芯 1 个\n生料带 2卷\n密封胶')).toEqual([
      { name: '陶瓷阀芯', quantity: 1, unit: '个' },
      { name: '生料带', quantity: 2, unit: '卷' },
      { name: '密封胶', quantity: 1, unit: '' },
    ]);
    expect(parseMaterials('')).toEqual([]);
    expect(parseMaterials(Array.from({ length: 30 }, (_, i) => `件${i} 1`).join('\n'))).toHaveLength(20);
  });
});

describe('queue filters', () => {
  it('ignores malformed parameters instead of failing the page', () => {
    expect(queueFilterSchema.parse({ status: 'bogus', community: 'x', overdue: '1', page: '0' })).toEqual({
      status: undefined,
      community: undefined,
      overdue: true,
      page: undefined,
      category: undefined,
      building: undefined,
      assignee: undefined,
      q: undefined,
    });
  });
});

describe('place labels', () => {
  it('names a unit by building, entrance and number, a public area by its place', () => {
    expect(
      placeLabel({
        area: 'home',
        building_name: '1栋',
        unit_entrance: 2,
        unit_number: '1201',
        location_note: null,
      }),
    ).toBe('1栋 2单元 1201');
    expect(
      placeLabel({
        area: 'public',
        building_name: '3栋',
        unit_entrance: null,
        unit_number: null,
        location_note: '电梯厅',
      }),
    ).toBe('3栋 · 电梯厅');
    expect(
      placeLabel({
        area: 'public',
        building_name: null,
        unit_entrance: null,
        unit_number: null,
        location_note: '南门',
      }),
    ).toBe('南门');
  });
});
