import { describe, expect, test } from 'vitest';
import { maskPhone, parseAccount, splitPhone, toE164 } from './phone';

describe('toE164', () => {
  test('mainland mobile numbers', () => {
    expect(toE164('86', '13800000001')).toBe('+8613800000001');
    expect(toE164('86', '138 0000 0001')).toBe('+8613800000001');
    expect(toE164('86', '138-0000-0001')).toBe('+8613800000001');
    expect(toE164('86', '12800000001')).toBeNull();
    expect(toE164('86', '1380000000')).toBeNull();
  });
  test('other regions, with a trunk 0 dropped', () => {
    expect(toE164('852', '91234567')).toBe('+85291234567');
    expect(toE164('886', '0912345678')).toBe('+886912345678');
    expect(toE164('1', '4155550123')).toBe('+14155550123');
    expect(toE164('852', '13800000001')).toBeNull();
  });
});

describe('splitPhone and maskPhone', () => {
  test('stored digits (no +) and E.164 split into country code and number', () => {
    expect(splitPhone('8613800000001')).toEqual({ countryCode: '86', national: '13800000001' });
    expect(splitPhone('+85291234567')).toEqual({ countryCode: '852', national: '91234567' });
    expect(splitPhone('447700900123')).toEqual({ countryCode: null, national: '447700900123' });
  });
  test('masks the middle digits; mainland numbers without their code', () => {
    expect(maskPhone('8613800000001')).toBe('138****0001');
    expect(maskPhone('85291234567')).toBe('+852 912****4567');
  });
});

describe('parseAccount', () => {
  test('e-mail addresses, lower-cased', () => {
    expect(parseAccount(' Li.Na@Example.CN ')).toEqual({ email: 'li.na@example.cn' });
    expect(parseAccount('li@na')).toBeNull();
  });
  test('a bare mainland number gets +86; other numbers need their +code', () => {
    expect(parseAccount('13800000001')).toEqual({ phone: '+8613800000001' });
    expect(parseAccount('+852 9123 4567')).toEqual({ phone: '+85291234567' });
    expect(parseAccount('+447700900123')).toEqual({ phone: '+447700900123' });
    expect(parseAccount('91234567')).toBeNull();
    expect(parseAccount('+86 128 0000 0001')).toBeNull();
  });
});
