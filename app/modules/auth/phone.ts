import type { MessageKey } from '~/i18n/zh-CN';

/**
 * Phone numbers in the sign-in flows. Supabase Auth takes E.164 (`+8613800000001`) and stores
 * digits only (`8613800000001`); mainland China is the default, a few nearby regions are offered.
 */
export const countryCodes = ['86', '852', '853', '886', '65', '1'] as const;
export type CountryCode = (typeof countryCodes)[number];
export const defaultCountryCode: CountryCode = '86';

export const countryLabelKeys: Record<CountryCode, MessageKey> = {
  '86': 'auth.country.cn',
  '852': 'auth.country.hk',
  '853': 'auth.country.mo',
  '886': 'auth.country.tw',
  '65': 'auth.country.sg',
  '1': 'auth.country.us',
};

/** The national number each region accepts (spaces and dashes removed, a trunk `0` dropped). */
const nationalPatterns: Record<CountryCode, RegExp> = {
  '86': /^1[3-9]\d{9}$/,
  '852': /^[4-9]\d{7}$/,
  '853': /^6\d{7}$/,
  '886': /^9\d{8}$/,
  '65': /^[689]\d{7}$/,
  '1': /^[2-9]\d{9}$/,
};

export function isCountryCode(value: unknown): value is CountryCode {
  return typeof value === 'string' && (countryCodes as readonly string[]).includes(value);
}

/** `+<country><national>` when the national number is valid for the region, else null. */
export function toE164(countryCode: CountryCode, national: string): string | null {
  const digits = national.replace(/[\s-]/g, '').replace(/^0/, '');
  return nationalPatterns[countryCode].test(digits) ? `+${countryCode}${digits}` : null;
}

/** The country code and national number of a stored phone (`8613800000001` or `+86…`). */
export function splitPhone(phone: string): { countryCode: CountryCode | null; national: string } {
  const digits = phone.replace(/\D/g, '');
  // No offered code is a prefix of another (852/853/886 vs 86), so the first match is the one.
  const match = countryCodes.find((code) => digits.startsWith(code));
  return match
    ? { countryCode: match, national: digits.slice(match.length) }
    : { countryCode: null, national: digits };
}

/** A phone for display, masked in the middle: `138****0001`, `+852 91****78`. */
export function maskPhone(phone: string): string {
  const { countryCode, national } = splitPhone(phone);
  const masked =
    national.length >= 7
      ? `${national.slice(0, 3)}****${national.slice(-4)}`
      : national.replace(/\d(?=\d{2})/g, '*');
  if (countryCode === '86') return masked;
  return countryCode ? `+${countryCode} ${masked}` : masked;
}

/**
 * A typed account name, for forms that take "phone or e-mail": an e-mail address, a phone in
 * E.164 (`+852…`), or a bare mainland mobile number (11 digits starting with 1).
 */
export function parseAccount(raw: string): { email: string } | { phone: string } | null {
  const value = raw.trim();
  if (value.includes('@')) {
    return /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(value) ? { email: value.toLowerCase() } : null;
  }
  const compact = value.replace(/[\s-]/g, '');
  if (/^1[3-9]\d{9}$/.test(compact)) return { phone: `+86${compact}` };
  if (/^\+[1-9]\d{6,14}$/.test(compact)) {
    const { countryCode, national } = splitPhone(compact);
    // An offered region must have a valid number; other regions only need plausible E.164.
    if (countryCode === null || toE164(countryCode, national) === compact) return { phone: compact };
  }
  return null;
}
