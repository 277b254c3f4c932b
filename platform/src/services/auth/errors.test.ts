import { describe, expect, it } from 'vitest';
import { parseTestOtp } from './config';
import { AuthError, errorResponse, negotiateApiVersion, OAuthError, tooManyRequests } from './errors';
import { mergeMetadata, serializeUser, type User } from './users';

describe('API version negotiation', () => {
  it('selects 2024-01-01 for that date or later, the initial format otherwise', () => {
    expect(negotiateApiVersion('2024-01-01')).toBe('2024-01-01');
    expect(negotiateApiVersion('2026-11-22')).toBe('2024-01-01');
    expect(negotiateApiVersion('2023-12-31')).toBeNull();
    expect(negotiateApiVersion('yesterday')).toBeNull();
    expect(negotiateApiVersion(undefined)).toBeNull();
  });
});

describe('error envelopes', () => {
  const err = new AuthError(400, 'invalid_credentials', 'Invalid login credentials');

  it('writes {code, message} and echoes the version for 2024-01-01 clients', () => {
    expect(errorResponse(err, '2024-01-01')).toEqual({
      status: 400,
      headers: { 'x-sb-error-code': 'invalid_credentials', 'X-Supabase-Api-Version': '2024-01-01' },
      body: { code: 'invalid_credentials', message: 'Invalid login credentials' },
    });
  });

  it('writes the legacy {code: status, error_code, msg} otherwise', () => {
    expect(errorResponse(err, null).body).toEqual({
      code: 400,
      error_code: 'invalid_credentials',
      msg: 'Invalid login credentials',
    });
  });

  it('carries weak_password reasons and Retry-After', () => {
    const weak = new AuthError(422, 'weak_password', 'too short', { reasons: ['length'] });
    expect(errorResponse(weak, '2024-01-01').body).toEqual({
      code: 'weak_password',
      message: 'too short',
      weak_password: { reasons: ['length'] },
    });
    expect(
      errorResponse(tooManyRequests('over_sms_send_rate_limit', 'wait', 41.2), null).headers['Retry-After'],
    ).toBe('42');
  });

  it('writes OAuth errors as {error, error_description} with 400', () => {
    expect(errorResponse(new OAuthError('invalid_request', 'refresh_token required'), '2024-01-01')).toEqual({
      status: 400,
      headers: {},
      body: { error: 'invalid_request', error_description: 'refresh_token required' },
    });
  });
});

describe('AUTH_SMS_TEST_OTP', () => {
  it('parses phone=code pairs into GoTrue phone form', () => {
    expect([...parseTestOtp('8613800000000=123456, +86 139 0000 0000=654321')]).toEqual([
      ['8613800000000', '123456'],
      ['8613900000000', '654321'],
    ]);
    expect(parseTestOtp('').size).toBe(0);
    expect(() => parseTestOtp('8613800000000')).toThrow(/AUTH_SMS_TEST_OTP/);
    expect(() => parseTestOtp('8613800000000=12ab')).toThrow(/AUTH_SMS_TEST_OTP/);
  });
});

describe('user JSON', () => {
  it('merges metadata like GoTrue (null deletes)', () => {
    expect(mergeMetadata({ a: 1, b: 2 }, { b: null, c: 3 })).toEqual({ a: 1, c: 3 });
    expect(mergeMetadata(null, { a: 1 })).toEqual({ a: 1 });
  });

  it('omits empty optional fields and writes empty strings for missing email/phone', () => {
    const t = new Date('2026-01-01T00:00:00Z');
    const user = {
      id: '11111111-1111-4111-8111-111111111111',
      aud: 'authenticated',
      role: 'authenticated',
      email: null,
      phone: '8613800000000',
      phone_confirmed_at: t,
      email_change: '',
      phone_change: '',
      raw_app_meta_data: { provider: 'phone', providers: ['phone'] },
      raw_user_meta_data: {},
      created_at: t,
      updated_at: t,
      is_anonymous: false,
      identities: [],
    } as unknown as User;
    expect(serializeUser(user)).toEqual({
      id: user.id,
      aud: 'authenticated',
      role: 'authenticated',
      email: '',
      phone: '8613800000000',
      phone_confirmed_at: '2026-01-01T00:00:00.000Z',
      app_metadata: { provider: 'phone', providers: ['phone'] },
      user_metadata: {},
      identities: [],
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      is_anonymous: false,
    });
  });
});
