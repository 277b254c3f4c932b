import { AuthApiError, AuthRetryableFetchError, AuthSessionMissingError } from '@supabase/supabase-js';
import { describe, expect, test } from 'vitest';
import { zhCN } from '~/i18n/zh-CN';
import { asAuthFlowError, authErrorKeys, retryAfterSeconds, toAuthFlowError } from './auth-errors';

describe('auth error mapping', () => {
  test('every mapped code names an existing i18n key', () => {
    for (const key of Object.values(authErrorKeys)) expect(zhCN).toHaveProperty([key]);
  });

  test('known codes map to their message, keeping the status', () => {
    const failure = toAuthFlowError(
      new AuthApiError('Invalid login credentials', 400, 'invalid_credentials'),
    );
    expect(failure.userMessage).toEqual({ key: 'auth.error.invalidCredentials' });
    expect(failure.status).toBe(400);
    expect(
      toAuthFlowError(new AuthApiError('Token has expired or is invalid', 403, 'otp_expired')).userMessage
        .key,
    ).toBe('auth.error.codeInvalid');
    expect(
      toAuthFlowError(new AuthApiError('Signups not allowed for otp', 422, 'otp_disabled')).userMessage.key,
    ).toBe('auth.error.accountNotFound');
  });

  test('a send rate limit carries the seconds to wait, from either language', () => {
    const en = toAuthFlowError(
      new AuthApiError(
        'For security purposes, you can only request this after 42 seconds.',
        429,
        'over_sms_send_rate_limit',
      ),
    );
    expect(en.userMessage).toEqual({ key: 'auth.error.sendTooSoon', vars: { seconds: 42 } });
    expect(en.retryAfter).toBe(42);
    expect(en.status).toBe(429);
    expect(retryAfterSeconds('验证码发送过于频繁，请在 17 秒后再试。')).toBe(17);
    const vague = toAuthFlowError(
      new AuthApiError('Email rate limit exceeded', 429, 'over_email_send_rate_limit'),
    );
    expect(vague.userMessage).toEqual({ key: 'auth.error.sendTooSoonGeneric' });
    expect(vague.retryAfter).toBeUndefined();
  });

  test('unknown codes and missing codes get the generic message, never the English text', () => {
    const failure = toAuthFlowError(new AuthApiError('Something odd', 400, 'mfa_factor_not_found'));
    expect(failure.userMessage).toEqual({ key: 'auth.error.unexpected' });
    expect(JSON.stringify(failure.userMessage)).not.toContain('Something odd');
    expect(
      toAuthFlowError(new AuthApiError('no code', 500, undefined as unknown as string)).userMessage.key,
    ).toBe('auth.error.unexpected');
  });

  test('network failures and a missing session', () => {
    expect(toAuthFlowError(new AuthRetryableFetchError('fetch failed', 0))).toMatchObject({
      userMessage: { key: 'auth.error.network' },
      status: 503,
    });
    expect(toAuthFlowError(new AuthSessionMissingError()).userMessage.key).toBe('auth.error.sessionExpired');
  });

  test('only auth errors become flow errors; bugs pass through', () => {
    expect(asAuthFlowError(new TypeError('x'))).toBeNull();
    expect(asAuthFlowError(new AuthApiError('x', 400, 'weak_password'))?.userMessage.key).toBe(
      'auth.error.weakPassword',
    );
  });
});
