import { describe, expect, it } from 'vitest';
import {
  emailMessage,
  limitMessages,
  localeFromAcceptLanguage,
  localeFromMetadata,
  pickMessage,
  smsText,
} from './messages';

describe('locale', () => {
  it('reads the user choice from user_metadata.locale or .language', () => {
    expect(localeFromMetadata({ locale: 'zh-CN' })).toBe('zh');
    expect(localeFromMetadata({ language: 'en' })).toBe('en');
    expect(localeFromMetadata({ locale: 'fr' })).toBeNull();
    expect(localeFromMetadata(null)).toBeNull();
  });

  it('takes the first of zh/en in Accept-Language by quality', () => {
    expect(localeFromAcceptLanguage('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh');
    expect(localeFromAcceptLanguage('fr-FR,en;q=0.5,zh;q=0.4')).toBe('en');
    expect(localeFromAcceptLanguage('en;q=0.2,zh-TW;q=0.8')).toBe('zh');
    expect(localeFromAcceptLanguage('*')).toBeNull();
    expect(localeFromAcceptLanguage(undefined)).toBeNull();
  });

  it('answers both languages when the request names neither', () => {
    const m = limitMessages.sendTooSoon(42);
    expect(pickMessage(m, 'en')).toBe('For security purposes, you can only request this after 42 seconds.');
    expect(pickMessage(m, 'zh-CN')).toBe('验证码发送过于频繁，请在 42 秒后再试。');
    expect(pickMessage(m, undefined)).toBe(`${m.zh} ${m.en}`);
  });
});

describe('SMS and e-mail texts', () => {
  it('writes the Chinese SMS with the product signature and its English variant', () => {
    expect(smsText('zh', 'login', '123456', 600)).toBe(
      '【物业云】您的验证码是 123456，10分钟内有效。请勿泄露给他人。',
    );
    expect(smsText('en', 'login', '123456', 300)).toBe(
      '[WuyeCloud] Your verification code to sign in is 123456. It expires in 5 minutes. Do not share it with anyone.',
    );
    expect(smsText('zh', 'phone_change', '654321', 600)).toContain('用于更换手机号');
  });

  it('writes e-mails with the code, the link and escaped HTML', () => {
    const m = emailMessage('zh', 'magiclink', {
      otp: '123456',
      link: 'http://x/verify?a=1&b=2',
      expirySeconds: 600,
    });
    expect(m.subject).toBe('【物业云】您的登录链接');
    expect(m.text).toContain('您的验证码是 123456，10分钟内有效。');
    expect(m.text).toContain('http://x/verify?a=1&b=2');
    expect(m.html).toContain('href="http://x/verify?a=1&#38;b=2"');
    const en = emailMessage('en', 'recovery', { otp: '1', link: 'http://x', expirySeconds: 600 });
    expect(en.subject).toBe('【WuyeCloud】Reset your password');
  });
});
