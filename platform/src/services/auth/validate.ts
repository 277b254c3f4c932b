import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError, badRequest } from './errors';

/** GoTrue's phone form: the `+` prefix and spaces removed, then 2–15 digits not starting with 0. */
export function normalizePhone(raw: string): string {
  return raw.trim().replace(/^\+/, '').replaceAll(' ', '');
}

export function validatePhone(raw: unknown): string {
  const phone = normalizePhone(typeof raw === 'string' ? raw : '');
  if (!/^[1-9][0-9]{1,14}$/.test(phone)) {
    throw badRequest('validation_failed', 'Invalid phone number format (E.164 required)');
  }
  return phone;
}

// Deliberately simple: one @, a dot in the domain, no spaces (GoTrue uses checkmail's format check).
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export function validateEmail(raw: unknown): string {
  const email = typeof raw === 'string' ? raw.trim() : '';
  if (email === '') throw badRequest('validation_failed', 'An email address is required');
  if (email.length > 255) throw badRequest('validation_failed', 'An email address is too long');
  if (!EMAIL.test(email))
    throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
  return email.toLowerCase();
}

/** Throws `weak_password` (422) with GoTrue's reasons when the password is too short. */
export function checkPasswordStrength(password: string, minLength: number): void {
  if (Buffer.byteLength(password, 'utf8') > 72) {
    throw badRequest('validation_failed', 'Password cannot be longer than 72 characters');
  }
  if ([...password].length < minLength) {
    throw new AuthError(422, 'weak_password', `Password should be at least ${minLength} characters.`, {
      reasons: ['length'],
    });
  }
}

/** `hex(sha224(emailOrPhone + otp))`, GoTrue's `GenerateTokenHash`: what e-mail links carry. */
export function tokenHash(identifier: string, otp: string): string {
  return createHash('sha224')
    .update(identifier + otp)
    .digest('hex');
}

export type CodeChallengeMethod = 's256' | 'plain';

/** Validates the PKCE pair of a request; returns null when the request is not a PKCE flow. */
export function parsePkceParams(
  method: unknown,
  challenge: unknown,
): { method: CodeChallengeMethod; challenge: string } | null {
  const m = typeof method === 'string' ? method : '';
  const c = typeof challenge === 'string' ? challenge : '';
  if ((m === '') !== (c === '')) {
    throw badRequest('validation_failed', 'PKCE flow requires code_challenge_method and code_challenge');
  }
  if (c === '') return null;
  if (c.length < 43 || c.length > 128) {
    throw badRequest('validation_failed', 'code challenge has to be between 43 and 128 characters');
  }
  if (!/^[a-zA-Z._~0-9-]+$/.test(c)) {
    throw badRequest(
      'validation_failed',
      'code challenge can only contain alphanumeric characters, hyphens, periods, underscores and tildes',
    );
  }
  const lower = m.toLowerCase();
  if (lower !== 's256' && lower !== 'plain') {
    throw badRequest('validation_failed', `unsupported code_challenge method "${m}"`);
  }
  return { method: lower, challenge: c };
}

export function verifyPkce(challenge: string, method: CodeChallengeMethod, verifier: string): boolean {
  const expected = method === 's256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  const a = Buffer.from(expected);
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Glob match as GoTrue applies it to redirect URLs (gobwas/glob with `.` and `/` as
 * separators): `*` stays within one separator-delimited part, `**` crosses them, `?` is
 * one character.
 */
export function globMatch(pattern: string, value: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (ch === '*') {
      re += '[^./]*';
    } else if (ch === '?') {
      re += '[^./]';
    } else {
      re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`${re}$`).test(value);
}

/**
 * The redirect target of a request: `redirect_to` when it is the site URL (or below it) or
 * matches the allow-list, otherwise the site URL, like GoTrue's `GetReferrer`.
 */
export function resolveRedirect(
  requested: string | null | undefined,
  siteUrl: string,
  allowList: string[],
): string {
  if (!requested) return siteUrl;
  let url: URL;
  try {
    url = new URL(requested);
  } catch {
    return siteUrl;
  }
  const site = new URL(siteUrl);
  if (url.origin === site.origin) return requested;
  const bare = `${url.origin}${url.pathname}`;
  for (const pattern of allowList) {
    if (globMatch(pattern, requested) || globMatch(pattern, bare)) return requested;
  }
  return siteUrl;
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration (`876000h`, `1h30m`, `90s`) as GoTrue reads `ban_duration`. Returns milliseconds. */
export function parseGoDuration(raw: string): number {
  const text = raw.trim();
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  let sign = 1;
  let rest = text;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  re.lastIndex = 0;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    consumed = re.lastIndex;
  }
  if (rest === '' || consumed !== rest.length) {
    throw badRequest('validation_failed', `invalid format for ban duration: time: invalid duration "${raw}"`);
  }
  return sign * total;
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
