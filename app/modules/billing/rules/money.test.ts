import { describe, expect, it } from 'vitest';
import {
  e4ToYuanText,
  fenToChineseCapitals,
  fenToYuanText,
  parseScaled,
  roundHalfUp,
  toMilli,
  yuanToE4,
  yuanToFen,
} from './money';

describe('roundHalfUp', () => {
  it.each([
    [5n, 10n, 1n],
    [4n, 10n, 0n],
    [15n, 10n, 2n],
    [25n, 10n, 3n],
    [-5n, 10n, -1n],
    [-4n, 10n, 0n],
    [12345n, 100n, 123n],
    [12350n, 100n, 124n],
    [0n, 7n, 0n],
  ])('%d / %d → %d', (n, d, q) => {
    expect(roundHalfUp(n, d)).toBe(q);
  });

  it('refuses a zero or negative divisor', () => {
    expect(() => roundHalfUp(1n, 0n)).toThrow(RangeError);
  });
});

describe('parsing and printing money', () => {
  it('parses yuan into fen and e4 exactly', () => {
    expect(yuanToFen('1234.56')).toBe(123456);
    expect(yuanToFen('0.1')).toBe(10);
    expect(yuanToFen('7')).toBe(700);
    expect(yuanToE4('0.4883')).toBe(4883);
    expect(yuanToE4('2.5')).toBe(25000);
    expect(parseScaled('-1.5', 2)).toBe(-150n);
  });

  it('rejects more decimals than the unit carries, and garbage', () => {
    expect(() => yuanToFen('1.234')).toThrow(RangeError);
    expect(() => yuanToE4('0.48831')).toThrow(RangeError);
    expect(() => yuanToFen('1e3')).toThrow(RangeError);
    expect(() => yuanToFen('')).toThrow(RangeError);
  });

  it('prints fen and e4 as yuan', () => {
    expect(fenToYuanText(123456)).toBe('1234.56');
    expect(fenToYuanText(5)).toBe('0.05');
    expect(fenToYuanText(-150)).toBe('-1.50');
    expect(e4ToYuanText(4883)).toBe('0.4883');
    expect(e4ToYuanText(25000)).toBe('2.50');
    expect(e4ToYuanText(50000)).toBe('5.00');
  });

  it('carries quantities as milli-units and refuses a fourth decimal', () => {
    expect(toMilli(89.5)).toBe(89500n);
    expect(toMilli(0.001)).toBe(1n);
    expect(toMilli(2880)).toBe(2880000n);
    expect(() => toMilli(1.0005)).toThrow(RangeError);
    expect(() => toMilli(Number.NaN)).toThrow(RangeError);
  });
});

describe('amounts in Chinese capitals (大写)', () => {
  it.each([
    [123456, '壹仟贰佰叁拾肆元伍角陆分'],
    [100000, '壹仟元整'],
    [5, '伍分'],
    [50, '伍角整'],
    [56, '伍角陆分'],
    [100005, '壹仟元零伍分'],
    [100050, '壹仟元伍角整'],
    [101000, '壹仟零壹拾元整'],
    [100100, '壹仟零壹元整'],
    [1500, '壹拾伍元整'],
    [10000000, '壹拾万元整'],
    [10010000, '壹拾万零壹佰元整'],
    [2000500, '贰万零伍元整'],
    [100000000100, '壹拾亿零壹元整'],
    [12345678900, '壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元整'],
    [0, '零元整'],
    [-1000, '负壹拾元整'],
  ])('%d fen → %s', (fen, text) => {
    expect(fenToChineseCapitals(fen)).toBe(text);
  });
});
