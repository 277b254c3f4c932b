import { createServerClient } from '@supabase/ssr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPlatform } from '../../../../tests/support/platform';
import {
  anonClient,
  authFetch,
  forgetLastSend,
  latestOtp,
  outbox,
  realtimeTransport,
  startAuthPlatform,
  uniqueEmail,
  uniquePhone,
} from './testing';

let platform: TestPlatform;
let confirming: TestPlatform;
let fixedCodes: TestPlatform;
const fixedPhone = uniquePhone();

beforeAll(async () => {
  [platform, confirming, fixedCodes] = await Promise.all([
    startAuthPlatform(),
    startAuthPlatform({ emailAutoconfirm: false }),
    startAuthPlatform({ smsTestOtp: new Map([[fixedPhone.slice(1), '123456']]) }),
  ]);
});
afterAll(async () => {
  await Promise.all([platform?.close(), confirming?.close(), fixedCodes?.close()]);
});

const digits = (phone: string) => phone.replace(/^\+/, '');

function linkIn(text: string): string {
  const m = /https?:\/\/\S+\/auth\/v1\/verify\?\S+/.exec(text);
  if (!m) throw new Error(`no link in: ${text}`);
  return m[0];
}

/** A server client over a cookie jar, like a Remix loader. */
function ssr(p: TestPlatform, jar = new Map<string, string>()) {
  const client = createServerClient(p.url, p.keys.publishableKey, {
    cookies: {
      getAll: () => [...jar].map(([name, value]) => ({ name, value })),
      setAll: (cookies) => {
        for (const c of cookies) {
          if (c.options?.maxAge === 0 || c.value === '') jar.delete(c.name);
          else jar.set(c.name, c.value);
        }
      },
    },
    realtime: realtimeTransport,
  });
  return { client, jar };
}

describe('phone one-time codes (SMS via the outbox)', () => {
  it('signs a new user up with an SMS code sent to +86…; the phone is stored without +', async () => {
    const phone = uniquePhone();
    const { error } = await anonClient(platform).auth.signInWithOtp({
      phone,
      options: { data: { locale: 'zh-CN' } },
    });
    expect(error).toBeNull();
    const [sms] = await outbox(platform, phone);
    expect(sms).toMatchObject({ channel: 'sms', to: digits(phone) });
    expect(sms.body).toBe(`【物业云】您的验证码是 ${sms.otp}，10分钟内有效。请勿泄露给他人。`);
    expect(sms.otp).toMatch(/^\d{6}$/);

    const { data, error: verifyError } = await anonClient(platform).auth.verifyOtp({
      phone,
      token: sms.otp!,
      type: 'sms',
    });
    expect(verifyError).toBeNull();
    expect(data.session?.access_token).toBeTruthy();
    expect(data.user?.phone).toBe(digits(phone));
    expect(data.user?.phone_confirmed_at).toBeTruthy();
    expect(data.user?.app_metadata).toEqual({ provider: 'phone', providers: ['phone'] });
    expect(data.user?.identities?.[0]).toMatchObject({ provider: 'phone' });
    const claims = JSON.parse(Buffer.from(data.session!.access_token.split('.')[1], 'base64url').toString());
    expect(claims.phone).toBe(digits(phone));
    expect(claims.amr[0].method).toBe('otp');

    // A code works once.
    const again = await anonClient(platform).auth.verifyOtp({ phone, token: sms.otp!, type: 'sms' });
    expect(again.error?.code).toBe('otp_expired');
    expect(again.error?.status).toBe(403);
  });

  it('sends an existing user a new code with a message id, in English when the user asked for it', async () => {
    const phone = uniquePhone();
    await anonClient(platform).auth.signInWithOtp({ phone, options: { data: { locale: 'en' } } });
    await anonClient(platform).auth.verifyOtp({
      phone,
      token: await latestOtp(platform, phone),
      type: 'sms',
    });
    await forgetLastSend(platform, phone);
    const { data, error } = await anonClient(platform).auth.signInWithOtp({ phone });
    expect(error).toBeNull();
    expect(data.messageId).toMatch(/^outbox-\d+$/);
    const [sms] = await outbox(platform, phone);
    expect(sms.body).toMatch(
      /^\[WuyeCloud\] Your verification code to sign in is \d{6}\. It expires in 10 minutes\./,
    );
    const signedIn = await anonClient(platform).auth.verifyOtp({ phone, token: sms.otp!, type: 'sms' });
    expect(signedIn.error).toBeNull();
  });

  it('does not create a user when create_user is false', async () => {
    const { error } = await anonClient(platform).auth.signInWithOtp({
      phone: uniquePhone(),
      options: { shouldCreateUser: false },
    });
    expect(error?.code).toBe('otp_disabled');
    expect(error?.status).toBe(422);
  });

  it('confirms a phone + password sign-up with an SMS code before password sign-in works', async () => {
    const phone = uniquePhone();
    const signUp = await anonClient(platform).auth.signUp({ phone, password: 'secret-123' });
    expect(signUp.error).toBeNull();
    expect(signUp.data.session).toBeNull();
    expect(signUp.data.user?.confirmation_sent_at).toBeTruthy();
    const early = await anonClient(platform).auth.signInWithPassword({ phone, password: 'secret-123' });
    expect(early.error?.code).toBe('phone_not_confirmed');

    // Resend replaces the code: the first one no longer works.
    const first = await latestOtp(platform, phone);
    await forgetLastSend(platform, phone);
    expect((await anonClient(platform).auth.resend({ type: 'sms', phone })).error).toBeNull();
    const second = await latestOtp(platform, phone);
    expect(second).not.toBe(first);
    if (first !== second) {
      const old = await anonClient(platform).auth.verifyOtp({ phone, token: first, type: 'sms' });
      expect(old.error?.code).toBe('otp_expired');
    }
    const ok = await anonClient(platform).auth.verifyOtp({ phone, token: second, type: 'sms' });
    expect(ok.error).toBeNull();
    const login = await anonClient(platform).auth.signInWithPassword({
      phone: digits(phone),
      password: 'secret-123',
    });
    expect(login.error).toBeNull();
  });

  it('uses a fixed test code from AUTH_SMS_TEST_OTP without sending anything', async () => {
    const { error } = await anonClient(fixedCodes).auth.signInWithOtp({ phone: fixedPhone });
    expect(error).toBeNull();
    expect(await outbox(fixedCodes, fixedPhone)).toEqual([]);
    const { data, error: verifyError } = await anonClient(fixedCodes).auth.verifyOtp({
      phone: fixedPhone,
      token: '123456',
      type: 'sms',
    });
    expect(verifyError).toBeNull();
    expect(data.user?.phone).toBe(digits(fixedPhone));
    // Nothing is sent to a fixed test number, so it may sign in again at once.
    const again = await anonClient(fixedCodes).auth.signInWithOtp({ phone: fixedPhone });
    expect(again.error).toBeNull();
    expect(again.data.messageId).toBe('test-otp');
    const second = await anonClient(fixedCodes).auth.verifyOtp({
      phone: fixedPhone,
      token: '123456',
      type: 'sms',
    });
    expect(second.error).toBeNull();
  });
});

describe('e-mail one-time codes and magic links', () => {
  it('signs in with the e-mail code (type email); unknown addresses are refused with create_user false', async () => {
    const email = uniqueEmail();
    expect((await anonClient(platform).auth.signInWithOtp({ email })).error).toBeNull();
    const [mail] = await outbox(platform, email);
    expect(mail.subject).toBe('【物业云】您的登录链接');
    expect(mail.body).toContain(mail.otp!);
    const { data, error } = await anonClient(platform).auth.verifyOtp({
      email,
      token: mail.otp!,
      type: 'email',
    });
    expect(error).toBeNull();
    expect(data.user?.email).toBe(email);

    const refused = await anonClient(platform).auth.signInWithOtp({
      email: uniqueEmail(),
      options: { shouldCreateUser: false },
    });
    expect(refused.error?.code).toBe('otp_disabled');
  });

  it('opens a magic link (implicit flow): 303 to redirect_to with the session in the fragment', async () => {
    const email = uniqueEmail();
    await anonClient(platform).auth.signInWithOtp({
      email,
      options: { emailRedirectTo: 'http://localhost:3000/welcome' },
    });
    const link = linkIn((await outbox(platform, email))[0].body);
    expect(link).toContain('type=magiclink');
    const res = await fetch(link, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('http://localhost:3000/welcome');
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('type')).toBe('magiclink');
    expect(fragment.get('token_type')).toBe('bearer');
    expect((await authFetch(platform, '/user', { jwt: fragment.get('access_token')! })).status).toBe(200);

    // The link works once; the second time the error comes back in the fragment.
    const again = await fetch(link, { redirect: 'manual' });
    const err = new URLSearchParams(new URL(again.headers.get('location')!).hash.slice(1));
    expect(err.get('error_code')).toBe('otp_expired');
    expect(err.get('error')).toBe('access_denied');
  });

  it('sends a redirect_to outside the allow-list to the site URL instead', async () => {
    const email = uniqueEmail();
    await anonClient(platform).auth.signInWithOtp({
      email,
      options: { emailRedirectTo: 'https://evil.example/steal' },
    });
    const res = await fetch(linkIn((await outbox(platform, email))[0].body), { redirect: 'manual' });
    expect(res.headers.get('location')).toMatch(/^http:\/\/localhost:3000#access_token=/);
  });

  it('does the PKCE flow with @supabase/ssr: link → ?code → exchangeCodeForSession', async () => {
    const email = uniqueEmail();
    await anonClient(platform).auth.signUp({ email, password: 'secret-123' });
    const browser = ssr(platform);
    const { error } = await browser.client.auth.signInWithOtp({
      email,
      options: { emailRedirectTo: 'http://localhost:3000/auth/callback' },
    });
    expect(error).toBeNull();
    expect([...browser.jar.keys()].some((k) => k.includes('code-verifier'))).toBe(true);
    const link = linkIn((await outbox(platform, email))[0].body);
    expect(link).toContain('token=pkce_');
    const res = await fetch(link, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(location.pathname).toBe('/auth/callback');
    const code = location.searchParams.get('code')!;
    expect(code).toMatch(/^[0-9a-f-]{36}$/);

    const callback = ssr(platform, browser.jar);
    const exchanged = await callback.client.auth.exchangeCodeForSession(code);
    expect(exchanged.error).toBeNull();
    expect(exchanged.data.user?.email).toBe(email);
    expect([...callback.jar.keys()].some((k) => /^sb-127-auth-token(\.0)?$/.test(k))).toBe(true);
    // The auth code is single-use.
    const replay = await ssr(platform, new Map(browser.jar)).client.auth.exchangeCodeForSession(code);
    expect(replay.error).not.toBeNull();
  });

  it('recovers a password with PKCE (redirectType recovery) and sets a new one', async () => {
    const email = uniqueEmail();
    await anonClient(platform).auth.signUp({ email, password: 'secret-123' });
    const browser = ssr(platform);
    expect(
      (await browser.client.auth.resetPasswordForEmail(email, { redirectTo: 'http://localhost:3000/reset' }))
        .error,
    ).toBeNull();
    const [mail] = await outbox(platform, email);
    expect(mail.subject).toBe('【物业云】重置您的密码');
    const res = await fetch(linkIn(mail.body), { redirect: 'manual' });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const exchanged = await browser.client.auth.exchangeCodeForSession(code);
    expect(exchanged.error).toBeNull();
    expect((exchanged.data as { redirectType?: string }).redirectType).toBe('recovery');
    expect((await browser.client.auth.updateUser({ password: 'brand-new-789' })).error).toBeNull();
    expect(
      (await anonClient(platform).auth.signInWithPassword({ email, password: 'brand-new-789' })).error,
    ).toBeNull();
    // Unknown addresses get the same empty answer.
    expect((await anonClient(platform).auth.resetPasswordForEmail(uniqueEmail())).error).toBeNull();
  });
});

describe('changing e-mail and phone with codes', () => {
  it('changes the e-mail after the code sent to the new address', async () => {
    const email = uniqueEmail();
    const supabase = anonClient(platform);
    await supabase.auth.signUp({ email, password: 'secret-123' });
    const next = uniqueEmail('next');
    const { data, error } = await supabase.auth.updateUser({ email: next });
    expect(error).toBeNull();
    expect(data.user?.email).toBe(email);
    expect(data.user?.new_email).toBe(next);
    // Secure e-mail change: the current address is told as well.
    expect((await outbox(platform, email))[0].subject).toBe('【物业云】确认更换邮箱');
    const code = await latestOtp(platform, next);
    const verified = await anonClient(platform).auth.verifyOtp({
      email: next,
      token: code,
      type: 'email_change',
    });
    expect(verified.error).toBeNull();
    expect(verified.data.user?.email).toBe(next);
    expect(verified.data.user?.new_email).toBeUndefined();
    const row = await platform.sql.query(
      `select identity_data ->> 'email' as email from auth.identities where provider = 'email' and user_id = $1`,
      [verified.data.user!.id],
    );
    expect(row.rows[0].email).toBe(next);
  });

  it('changes the phone after the code sent to the new number', async () => {
    const supabase = anonClient(platform);
    await supabase.auth.signUp({ email: uniqueEmail(), password: 'secret-123' });
    const phone = uniquePhone();
    const { data, error } = await supabase.auth.updateUser({ phone });
    expect(error).toBeNull();
    expect(data.user?.new_phone).toBe(digits(phone));
    const [sms] = await outbox(platform, phone);
    expect(sms.body).toContain('用于更换手机号');
    const verified = await anonClient(platform).auth.verifyOtp({
      phone,
      token: sms.otp!,
      type: 'phone_change',
    });
    expect(verified.error).toBeNull();
    expect(verified.data.user?.phone).toBe(digits(phone));
    expect(verified.data.user?.app_metadata.providers).toEqual(['email', 'phone']);
  });

  it('reauthenticates with a code that then authorises a password change', async () => {
    const email = uniqueEmail();
    const supabase = anonClient(platform);
    await supabase.auth.signUp({ email, password: 'secret-123' });
    expect((await supabase.auth.reauthenticate()).error).toBeNull();
    const nonce = await latestOtp(platform, email);
    const wrong = await supabase.auth.updateUser({ password: 'other-secret-1', nonce: '000000' });
    expect(wrong.error?.code).toBe('reauthentication_not_valid');
    expect((await supabase.auth.updateUser({ password: 'other-secret-1', nonce })).error).toBeNull();
  });
});

describe('sign-up with e-mail confirmation on', () => {
  it('returns the user without a session, refuses password sign-in until confirmed, and confirms by token_hash', async () => {
    const email = uniqueEmail();
    const { data, error } = await anonClient(confirming).auth.signUp({ email, password: 'secret-123' });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    expect(data.user?.email_confirmed_at).toBeUndefined();
    expect(data.user?.confirmation_sent_at).toBeTruthy();
    const early = await anonClient(confirming).auth.signInWithPassword({ email, password: 'secret-123' });
    expect(early.error?.code).toBe('email_not_confirmed');

    // Asking again at once for the pending address hits the send interval, as in GoTrue.
    const tooSoon = await anonClient(confirming).auth.signUp({ email, password: 'secret-123' });
    expect(tooSoon.error?.code).toBe('over_email_send_rate_limit');

    const [mail] = await outbox(confirming, email);
    expect(mail.subject).toBe('【物业云】确认您的注册');
    const hash = new URL(linkIn(mail.body)).searchParams.get('token')!;
    const verified = await anonClient(confirming).auth.verifyOtp({ token_hash: hash, type: 'signup' });
    expect(verified.error).toBeNull();
    expect(verified.data.session).not.toBeNull();
    expect(verified.data.user?.email_confirmed_at).toBeTruthy();
    expect(
      (await anonClient(confirming).auth.signInWithPassword({ email, password: 'secret-123' })).error,
    ).toBeNull();

    // A repeated sign-up of a confirmed address answers a plausible user, so accounts cannot be enumerated.
    const repeat = await anonClient(confirming).auth.signUp({ email, password: 'secret-123' });
    expect(repeat.error).toBeNull();
    expect(repeat.data.session).toBeNull();
    expect(repeat.data.user?.id).not.toBe(verified.data.user?.id);
  });

  it('confirms a PKCE sign-up through the link and the code exchange', async () => {
    const email = uniqueEmail();
    const browser = ssr(confirming);
    const { data } = await browser.client.auth.signUp({
      email,
      password: 'secret-123',
      options: { emailRedirectTo: 'http://localhost:3000/auth/confirm' },
    });
    expect(data.session).toBeNull();
    const res = await fetch(linkIn((await outbox(confirming, email))[0].body), { redirect: 'manual' });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const exchanged = await browser.client.auth.exchangeCodeForSession(code);
    expect(exchanged.error).toBeNull();
    expect(exchanged.data.user?.email_confirmed_at).toBeTruthy();
  });
});

describe('dev outbox page', () => {
  it('lists messages newest first as HTML, and filters JSON by recipient', async () => {
    const email = uniqueEmail();
    await anonClient(platform).auth.signInWithOtp({ email });
    const page = await fetch(`${platform.url}/_dev/outbox`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('本地发件箱');
    expect(html).toContain(email);
    const json = await (
      await fetch(`${platform.url}/_dev/outbox?format=json&to=${email.toUpperCase()}`)
    ).json();
    expect(json.messages).toHaveLength(1);
    expect(json.messages[0].to).toBe(email);
  });
});
