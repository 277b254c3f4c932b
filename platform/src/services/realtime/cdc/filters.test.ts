import { describe, expect, it } from 'vitest';
import { FilterError, matchesFilter, parseFilters } from './filters';

const match = (filter: string, type: string, value: string | null) =>
  parseFilters(filter).every((f) => matchesFilter(f, type, value));

describe('postgres_changes filters', () => {
  it('parses comma-separated conditions, quotes, in-lists and not.', () => {
    expect(parseFilters('id=eq.5,name=in.(a,"b,c"),status=not.eq.done')).toEqual([
      { column: 'id', op: 'eq', negate: false, value: '5' },
      { column: 'name', op: 'in', negate: false, value: '(a,"b,c")', list: ['a', 'b,c'] },
      { column: 'status', op: 'eq', negate: true, value: 'done' },
    ]);
    expect(parseFilters(undefined)).toEqual([]);
    expect(() => parseFilters('id=between.1')).toThrow(FilterError);
    expect(() => parseFilters('nonsense')).toThrow(FilterError);
  });

  it('compares numbers as numbers, not text', () => {
    expect(match('n=gt.9', 'int4', '10')).toBe(true);
    expect(match('n=lt.9', 'numeric', '10.5')).toBe(false);
    expect(match('n=eq.1.0', 'numeric', '1')).toBe(true);
    expect(match('n=in.(1,2,3)', 'int8', '2')).toBe(true);
  });

  it('compares timestamps, dates, booleans and uuids by value', () => {
    expect(match('t=gte.2026-01-01T00:00:00Z', 'timestamptz', '2026-01-01 08:00:00+08')).toBe(true);
    expect(match('t=gt.2026-01-01T00:00:00Z', 'timestamptz', '2026-01-01 08:00:00+08')).toBe(false);
    expect(match('d=lt.2026-02-01', 'date', '2026-01-31')).toBe(true);
    expect(match('b=eq.true', 'bool', 't')).toBe(true);
    expect(
      match('u=eq.ABCDEF00-0000-4000-8000-000000000000', 'uuid', 'abcdef00-0000-4000-8000-000000000000'),
    ).toBe(true);
  });

  it('follows SQL NULL rules, with is and isdistinct for nulls', () => {
    expect(match('x=eq.a', 'text', null)).toBe(false);
    expect(match('x=neq.a', 'text', null)).toBe(false);
    expect(match('x=is.null', 'text', null)).toBe(true);
    expect(match('x=not.is.null', 'text', 'a')).toBe(true);
    expect(match('x=isdistinct.a', 'text', null)).toBe(true);
  });

  it('supports like, ilike, match and imatch', () => {
    expect(match('name=like.张%', 'text', '张三')).toBe(true);
    expect(match('name=ilike.%ROOM_1', 'text', 'big room 1')).toBe(true);
    expect(match('name=match.^B[0-9]+$', 'text', 'B12')).toBe(true);
    expect(match('name=imatch.^b[0-9]+$', 'text', 'B12')).toBe(true);
  });
});
