import { describe, expect, it } from 'vitest';
import { en } from '~/i18n/en';
import { zhCN } from '~/i18n/zh-CN';
import { isInternalEmail } from './accounts.server';
import { callbackResponse, flowCookieSchema } from './social.schema';
import { SocialFlowError, socialErrorKeys } from './social-errors';

describe('social sign-in errors', () => {
  it('map every code to a message in both languages', () => {
    for (const key of Object.values(socialErrorKeys)) {
      expect(zhCN[key], key).toBeTruthy();
      expect(en[key], key).toBeTruthy();
    }
  });

  it('name the provider in the page’s language; unknown codes are the generic message', () => {
    const inUse = new SocialFlowError('identity_in_use', 'wechat', 409);
    expect(inUse.toMessage('zh-CN')).toEqual({
      key: 'social.error.identityInUse',
      vars: { provider: '微信' },
    });
    expect(inUse.toMessage('en').vars).toEqual({ provider: 'WeChat' });
    expect(new SocialFlowError('internal_error', 'qq').key).toBe('auth.error.unexpected');
    expect(new SocialFlowError('constructor', 'qq').key).toBe('auth.error.unexpected');
  });
});

describe('social sign-in schemas', () => {
  it('read the function’s three callback outcomes', () => {
    const session = {
      access_token: 'a',
      refresh_token: 'r',
      expires_in: 3600,
      token_type: 'bearer',
      user: {},
    };
    expect(callbackResponse.parse({ status: 'signed_in', provider: 'wechat', session }).status).toBe(
      'signed_in',
    );
    expect(
      callbackResponse.parse({
        status: 'needs_phone',
        provider: 'qq',
        ticket: 't.m',
        expires_at: '2026-11-22T08:15:00.000Z',
        profile: { nickname: 'Peter', avatar_url: null },
      }).status,
    ).toBe('needs_phone');
    expect(() => callbackResponse.parse({ status: 'signed_in', provider: 'weibo', session })).toThrow();
  });

  it('accept only well-formed flow cookies', () => {
    const flow = { v: 1, provider: 'wechat', intent: 'sign_in', nonce: 'n'.repeat(43), returnTo: null };
    expect(flowCookieSchema.safeParse(flow).success).toBe(true);
    expect(flowCookieSchema.safeParse({ ...flow, nonce: 'short' }).success).toBe(false);
    expect(flowCookieSchema.safeParse({ ...flow, intent: 'admin' }).success).toBe(false);
  });

  it('recognise the internal e-mail of phone-only accounts', () => {
    expect(isInternalEmail('0b6c3c9e-0000-4000-8000-000000000000@users.wuye.invalid')).toBe(true);
    expect(isInternalEmail('zhang@example.com')).toBe(false);
    expect(isInternalEmail(null)).toBe(false);
  });
});
