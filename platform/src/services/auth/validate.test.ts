import { describe, expect, it } from 'vitest';
import { AuthError } from './errors';
import {
  checkPasswordStrength,
  globMatch,
  normalizePhone,
  parseGoDuration,
  parsePkceParams,
  resolveRedirect,
  tokenHash,
  validateEmail,
  validatePhone,
  verifyPkce,
} from './validate';

function errorOf(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AuthError) return err;
    throw err;
  }
  throw new Error('expected an AuthError');
}

describe('phone numbers (GoTrue form)', () => {
  it('strips the + and spaces, keeps digits only', () => {
    expect(normalizePhone('+86 138 0000 0000')).toBe('8613800000000');
    expect(validatePhone('+8613800000000')).toBe('8613800000000');
    expect(validatePhone('8613800000000')).toBe('8613800000000');
  });

  it('refuses what E.164 does not allow', () => {
    for (const bad of ['', '+0861380000', '138-0000-0000', '+1', '1234567890123456', 'abc']) {
      const err = errorOf(() => validatePhone(bad));
      expect(err.code).toBe('validation_failed');
      expect(err.message).toBe('Invalid phone number format (E.164 required)');
    }
  });
});

describe('e-mail addresses', () => {
  it('lower-cases and trims valid addresses', () => {
    expect(validateEmail('  Li.Si@Example.CN ')).toBe('li.si@example.cn');
  });

  it('refuses missing and malformed addresses', () => {
    expect(errorOf(() => validateEmail('')).message).toBe('An email address is required');
    expect(errorOf(() => validateEmail('no-at-sign')).code).toBe('validation_failed');
    expect(errorOf(() => validateEmail('a@localhost')).code).toBe('validation_failed');
    expect(errorOf(() => validateEmail(`${'a'.repeat(250)}@x.com`)).message).toBe(
      'An email address is too long',
    );
  });
});

describe('passwords', () => {
  it('reports a short password as weak_password with the length reason', () => {
    const err = errorOf(() => checkPasswordStrength('12345', 6));
    expect(err.status).toBe(422);
    expect(err.code).toBe('weak_password');
    expect(err.extra.reasons).toEqual(['length']);
    expect(() => checkPasswordStrength('123456', 6)).not.toThrow();
  });

  it('refuses passwords longer than bcrypt reads (72 bytes)', () => {
    expect(errorOf(() => checkPasswordStrength('密'.repeat(25), 6)).code).toBe('validation_failed');
  });
});

describe('token hashes and PKCE', () => {
  it('hashes like GoTrue: hex(sha224(identifier + otp))', () => {
    expect(tokenHash('a@b.cn', '123456')).toBe('ce6be7b0ec06d87827d7e7732b4c2c1191aef4f02e673b5334441ecb');
  });

  it('verifies S256 with the RFC 7636 example and plain by equality', () => {
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    expect(verifyPkce('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 's256', verifier)).toBe(true);
    expect(verifyPkce('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cX', 's256', verifier)).toBe(false);
    expect(verifyPkce(verifier, 'plain', verifier)).toBe(true);
  });

  it('parses the pair as auth-js sends it and refuses half or malformed pairs', () => {
    const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
    expect(parsePkceParams(null, null)).toBeNull();
    expect(parsePkceParams('s256', challenge)).toEqual({ method: 's256', challenge });
    expect(parsePkceParams('S256', challenge)?.method).toBe('s256');
    expect(errorOf(() => parsePkceParams('s256', '')).message).toMatch(
      /requires code_challenge_method and code_challenge/,
    );
    expect(errorOf(() => parsePkceParams('s256', 'short')).message).toMatch(/between 43 and 128/);
    expect(errorOf(() => parsePkceParams('s512', challenge)).code).toBe('validation_failed');
  });
});

describe('redirect URLs', () => {
  const allow = ['http://127.0.0.1:*/**', 'http://localhost:*/**', 'https://*.wuye.cn/**'];

  it('matches globs with * inside one part and ** across parts', () => {
    expect(globMatch('https://*.wuye.cn/**', 'https://app.wuye.cn/auth/callback')).toBe(true);
    expect(globMatch('https://*.wuye.cn/**', 'https://evil.com/x.wuye.cn/a')).toBe(false);
    expect(globMatch('https://*.wuye.cn/**', 'https://a.b.wuye.cn/x')).toBe(false);
    expect(globMatch('http://localhost:*/**', 'http://localhost:3000/')).toBe(true);
  });

  it('keeps allowed targets and falls back to the site URL otherwise', () => {
    const site = 'http://127.0.0.1:3000';
    expect(resolveRedirect(null, site, allow)).toBe(site);
    expect(resolveRedirect('http://127.0.0.1:3000/welcome?x=1', site, allow)).toBe(
      'http://127.0.0.1:3000/welcome?x=1',
    );
    expect(resolveRedirect('http://localhost:5173/cb', site, allow)).toBe('http://localhost:5173/cb');
    expect(resolveRedirect('https://app.wuye.cn/cb?next=/x', site, allow)).toBe(
      'https://app.wuye.cn/cb?next=/x',
    );
    expect(resolveRedirect('https://evil.example/cb', site, allow)).toBe(site);
    expect(resolveRedirect('not a url', site, allow)).toBe(site);
  });
});

describe('ban durations (Go syntax)', () => {
  it('parses hours, minutes, seconds and combinations', () => {
    expect(parseGoDuration('876000h')).toBe(876000 * 3_600_000);
    expect(parseGoDuration('1h30m')).toBe(90 * 60_000);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('0')).toBe(0);
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'forever', '10', '1d', 'h1']) {
      expect(errorOf(() => parseGoDuration(bad)).code).toBe('validation_failed');
    }
  });
});
