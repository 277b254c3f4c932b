import { describe, expect, it } from 'vitest';
import { parseArray, textToJson } from './values';

describe('column values as to_jsonb would print them', () => {
  it('converts scalars by type', () => {
    expect(textToJson('int8', '42')).toBe(42);
    expect(textToJson('numeric', '12.50')).toBe(12.5);
    expect(textToJson('numeric', 'NaN')).toBe('NaN');
    expect(textToJson('float8', 'Infinity')).toBe('Infinity');
    expect(textToJson('bool', 'f')).toBe(false);
    expect(textToJson('jsonb', '{"a": [1, "二"]}')).toEqual({ a: [1, '二'] });
    expect(textToJson('text', 'plain')).toBe('plain');
    expect(textToJson('uuid', null)).toBeNull();
  });

  it('prints timestamps the ISO way', () => {
    expect(textToJson('timestamp', '2026-01-02 03:04:05.678')).toBe('2026-01-02T03:04:05.678');
    expect(textToJson('timestamptz', '2026-01-02 03:04:05.678+00')).toBe('2026-01-02T03:04:05.678+00:00');
    expect(textToJson('timestamptz', '2026-01-02 03:04:05+05:30')).toBe('2026-01-02T03:04:05+05:30');
    expect(textToJson('timestamptz', 'infinity')).toBe('infinity');
    expect(textToJson('date', '2026-01-02')).toBe('2026-01-02');
  });

  it('parses arrays, quoted and nested, with NULLs', () => {
    expect(textToJson('_text', '{a,"b c","d\\"e",NULL}')).toEqual(['a', 'b c', 'd"e', null]);
    expect(textToJson('_int4', '{{1,2},{3,4}}')).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(textToJson('_bool', '{}')).toEqual([]);
    expect(parseArray('[0:1]={7,8}', 'int4')).toEqual([7, 8]);
  });
});
