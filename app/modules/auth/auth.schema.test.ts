import { describe, expect, test } from 'vitest';
import { isMessageKey, parseFormData, parseIntentFormData } from '~/lib/form-errors';
import {
  newPasswordSchema,
  passwordSignInSchema,
  profileNameSchema,
  resetPasswordIntents,
  signInIntents,
  signInPageQuery,
  signOutSchema,
} from './auth.schema';

function form(values: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(values)) data.append(name, value);
  return data;
}

describe('sign-in forms', () => {
  test('the intent picks the schema; the phone becomes E.164', () => {
    const result = parseIntentFormData(
      form({ intent: 'send-sms-code', countryCode: '86', phone: ' 138 0000 0001 ' }),
      signInIntents,
    );
    expect(result).toEqual({ ok: true, intent: 'send-sms-code', data: { phone: '+8613800000001' } });
  });

  test('signing in by SMS needs a code of digits, and keeps redirectTo', () => {
    const ok = parseIntentFormData(
      form({
        intent: 'sign-in-sms',
        countryCode: '852',
        phone: '91234567',
        code: '123456',
        redirectTo: '/bills',
      }),
      signInIntents,
    );
    expect(ok).toEqual({
      ok: true,
      intent: 'sign-in-sms',
      data: { phone: '+85291234567', code: '123456', redirectTo: '/bills' },
    });
    const bad = parseIntentFormData(
      form({ intent: 'sign-in-sms', countryCode: '86', phone: '123', code: 'abc' }),
      signInIntents,
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors.fields?.phone).toEqual([{ key: 'auth.phone.invalid' }]);
      expect(bad.errors.fields?.code).toEqual([{ key: 'auth.code.invalid' }]);
    }
  });

  test('missing fields and unknown country codes are field errors with i18n keys', () => {
    const result = parseIntentFormData(form({ intent: 'sign-in-sms', countryCode: '99' }), signInIntents);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.fields).toEqual({
        countryCode: [{ key: 'auth.phone.invalid' }],
        phone: [{ key: 'auth.phone.required' }],
        code: [{ key: 'auth.code.required' }],
      });
    }
  });

  test('an unknown or missing intent is a form-level error', () => {
    expect(parseIntentFormData(form({ intent: 'drop-tables' }), signInIntents)).toEqual({
      ok: false,
      intent: null,
      errors: { form: [{ key: 'form.invalid' }] },
    });
    expect(parseIntentFormData(form({}), signInIntents).ok).toBe(false);
  });

  test('password sign-in takes a phone or an e-mail; the password is not trimmed', () => {
    expect(parseFormData(form({ account: '13800000001', password: ' pw ' }), passwordSignInSchema)).toEqual({
      ok: true,
      data: { account: { phone: '+8613800000001' }, password: ' pw ' },
    });
    expect(parseFormData(form({ account: 'A@B.CN', password: 'x' }), passwordSignInSchema)).toEqual({
      ok: true,
      data: { account: { email: 'a@b.cn' }, password: 'x' },
    });
    const bad = parseFormData(form({ account: 'someone', password: '' }), passwordSignInSchema);
    expect(bad).toEqual({
      ok: false,
      errors: {
        fields: { account: [{ key: 'auth.account.invalid' }], password: [{ key: 'auth.password.required' }] },
      },
    });
  });

  test('e-mail code intents', () => {
    expect(
      parseIntentFormData(form({ intent: 'send-email-code', email: 'Li@Example.cn' }), signInIntents),
    ).toEqual({
      ok: true,
      intent: 'send-email-code',
      data: { email: 'li@example.cn' },
    });
    const bad = parseIntentFormData(
      form({ intent: 'sign-in-email', email: 'nope', code: '12' }),
      signInIntents,
    );
    expect(bad.ok).toBe(false);
  });

  test('the page query falls back instead of failing', () => {
    expect(signInPageQuery.parse({ method: 'telepathy', signedOut: 'maybe' })).toEqual({ method: 'sms' });
    expect(signInPageQuery.parse({ method: 'password', signedOut: 'global' })).toMatchObject({
      method: 'password',
      signedOut: 'global',
    });
  });
});

describe('password reset and new password', () => {
  test('reset codes go to a phone or an e-mail', () => {
    expect(
      parseIntentFormData(
        form({ intent: 'verify-reset-code', account: 'li@example.cn', code: '654321' }),
        resetPasswordIntents,
      ),
    ).toEqual({
      ok: true,
      intent: 'verify-reset-code',
      data: { account: { email: 'li@example.cn' }, code: '654321' },
    });
  });

  test('a new password has 8+ characters with letters and digits, typed twice', () => {
    expect(
      parseFormData(form({ password: 'abc12345', confirmPassword: 'abc12345' }), newPasswordSchema).ok,
    ).toBe(true);
    const cases: [string, string, string][] = [
      ['', '', 'auth.password.required'],
      ['abc123', 'abc123', 'auth.password.tooShort'],
      ['abcdefgh', 'abcdefgh', 'auth.password.weak'],
      ['12345678', '12345678', 'auth.password.weak'],
      ['密码密码密码密码密码密码密码密码密码密码密码密码密码密码1', '', 'auth.password.tooLong'],
    ];
    for (const [password, confirmPassword, key] of cases) {
      const result = parseFormData(form({ password, confirmPassword }), newPasswordSchema);
      expect(result.ok, password).toBe(false);
      if (!result.ok) expect(result.errors.fields?.password?.map((m) => m.key)).toContain(key);
    }
    const mismatch = parseFormData(
      form({ password: 'abc12345', confirmPassword: 'abc12346' }),
      newPasswordSchema,
    );
    expect(mismatch).toEqual({
      ok: false,
      errors: { fields: { confirmPassword: [{ key: 'auth.password.mismatch' }] } },
    });
  });
});

describe('name and sign-out', () => {
  test('a name is required and at most 32 characters', () => {
    expect(parseFormData(form({ fullName: ' 张伟 ' }), profileNameSchema)).toEqual({
      ok: true,
      data: { fullName: '张伟' },
    });
    expect(parseFormData(form({ fullName: '' }), profileNameSchema)).toEqual({
      ok: false,
      errors: { fields: { fullName: [{ key: 'auth.name.required' }] } },
    });
    expect(parseFormData(form({ fullName: '名'.repeat(33) }), profileNameSchema).ok).toBe(false);
  });

  test('sign-out scope is local unless global is asked for', () => {
    expect(parseFormData(form({}), signOutSchema)).toEqual({ ok: true, data: { scope: 'local' } });
    expect(parseFormData(form({ scope: 'global' }), signOutSchema)).toEqual({
      ok: true,
      data: { scope: 'global' },
    });
    expect(parseFormData(form({ scope: 'others' }), signOutSchema).ok).toBe(false);
  });

  test('every message a schema can produce is an i18n key', () => {
    const inputs = [
      form({}),
      form({ intent: 'x' }),
      form({ password: 'a', confirmPassword: 'b', account: '@' }),
    ];
    for (const data of inputs) {
      for (const schemas of [signInIntents, resetPasswordIntents]) {
        for (const intent of Object.keys(schemas)) {
          data.set('intent', intent);
          const result = parseIntentFormData(data, schemas);
          if (result.ok) continue;
          const messages = [
            ...(result.errors.form ?? []),
            ...Object.values(result.errors.fields ?? {}).flat(),
          ];
          for (const message of messages) expect(isMessageKey(message?.key), message?.key).toBe(true);
          expect(messages.some((m) => m?.key === 'form.invalid')).toBe(false);
        }
      }
    }
  });
});
