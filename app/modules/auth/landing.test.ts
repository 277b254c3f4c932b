import { describe, expect, test } from 'vitest';
import { afterSignInPath, landingPathFor, returnPath, signInPath } from './landing';

describe('landingPathFor', () => {
  test('platform operators land on the console, even when they are also staff', () => {
    expect(landingPathFor({ platformRole: 'owner', isStaff: false })).toBe('/console');
    expect(landingPathFor({ platformRole: 'support', isStaff: true })).toBe('/console');
  });
  test('staff land on the back office', () => {
    expect(landingPathFor({ platformRole: null, isStaff: true })).toBe('/office');
  });
  test('everyone else lands on the resident home', () => {
    expect(landingPathFor({ platformRole: null, isStaff: false })).toBe('/');
    expect(landingPathFor({ platformRole: undefined, isStaff: false })).toBe('/');
    expect(landingPathFor({ platformRole: '', isStaff: false })).toBe('/');
  });
});

describe('returnPath', () => {
  test('keeps same-origin paths with their query', () => {
    expect(returnPath('/bills?month=2026-11')).toBe('/bills?month=2026-11');
    expect(returnPath('/office/repairs')).toBe('/office/repairs');
  });
  test('drops other origins, protocol-relative tricks and non-strings', () => {
    for (const value of [
      'https://evil.example/',
      '//evil.example',
      '/\\evil.example',
      'bills',
      '',
      null,
      42,
    ]) {
      expect(returnPath(value)).toBeNull();
    }
  });
  test('never returns to the sign-in pages (that would loop)', () => {
    for (const value of ['/auth', '/auth/sign-in', '/auth/sign-out', '/auth?x=1', '/auth/callback?code=1']) {
      expect(returnPath(value)).toBeNull();
    }
    expect(returnPath('/authority')).toBe('/authority');
  });
});

describe('afterSignInPath', () => {
  const resident = { platformRole: null, isStaff: false, fullName: '张伟' };
  test('the requested page wins over the surface', () => {
    expect(afterSignInPath(resident, '/bills')).toBe('/bills');
    expect(afterSignInPath({ ...resident, isStaff: true }, '/repairs')).toBe('/repairs');
  });
  test('without a (valid) request, the surface', () => {
    expect(afterSignInPath({ ...resident, isStaff: true }, undefined)).toBe('/office');
    expect(afterSignInPath({ ...resident, platformRole: 'admin' }, 'https://evil.example')).toBe('/console');
  });
  test('a new account without a name is asked for it first, then sent on', () => {
    expect(afterSignInPath({ ...resident, fullName: '' }, '/bills')).toBe(
      '/auth/welcome?redirectTo=%2Fbills',
    );
    expect(afterSignInPath({ ...resident, fullName: '  ', isStaff: true }, null)).toBe(
      '/auth/welcome?redirectTo=%2Foffice',
    );
  });
});

describe('signInPath', () => {
  test('remembers where to come back to, but not the home page', () => {
    expect(signInPath('/bills')).toBe('/auth/sign-in?redirectTo=%2Fbills');
    expect(signInPath('/')).toBe('/auth/sign-in');
    expect(signInPath(null, { signedOut: 'global' })).toBe('/auth/sign-in?signedOut=global');
    expect(signInPath('//evil.example')).toBe('/auth/sign-in');
  });
});
