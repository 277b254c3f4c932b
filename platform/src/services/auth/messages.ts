/**
 * Texts the local Auth service writes for people: SMS, e-mails and the error messages of the
 * limits that only this service enforces. Chinese first, with an English variant. GoTrue's own
 * error messages (for example "Invalid login credentials") stay in English exactly as hosted
 * Supabase sends them; the app maps error codes to its own i18n keys.
 */
export type Locale = 'zh' | 'en';

export const PRODUCT = { zh: '物业云', en: 'WuyeCloud' } as const;

/** The user's own choice (`user_metadata.locale` or `.language`), if it names zh or en. */
export function localeFromMetadata(meta: Record<string, unknown> | null | undefined): Locale | null {
  const raw = meta?.locale ?? meta?.language;
  if (typeof raw !== 'string') return null;
  if (/^zh\b/i.test(raw)) return 'zh';
  if (/^en\b/i.test(raw)) return 'en';
  return null;
}

/** The first of zh/en that `Accept-Language` names, in the client's order of preference. */
export function localeFromAcceptLanguage(header: string | undefined): Locale | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p.trim())?.[1]).find(Boolean);
      return { tag: tag.toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const r of ranked) {
    if (r.tag === 'zh' || r.tag.startsWith('zh-')) return 'zh';
    if (r.tag === 'en' || r.tag.startsWith('en-')) return 'en';
  }
  return null;
}

export type Message = { zh: string; en: string };

/**
 * An error message for a person: in the language the request prefers, or both (Chinese, then
 * English) when it names neither — a server-side caller usually sends no preference.
 */
export function pickMessage(message: Message, acceptLanguage: string | undefined): string {
  const locale = localeFromAcceptLanguage(acceptLanguage);
  if (locale) return message[locale];
  return `${message.zh} ${message.en}`;
}

function minutes(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

export const limitMessages = {
  sendTooSoon: (seconds: number): Message => ({
    zh: `验证码发送过于频繁，请在 ${seconds} 秒后再试。`,
    en: `For security purposes, you can only request this after ${seconds} seconds.`,
  }),
  passwordLocked: (seconds: number): Message => ({
    zh: `密码错误次数过多，账户已临时锁定，请在 ${minutes(seconds)} 分钟后再试，或使用短信验证码登录。`,
    en: `Too many failed sign-in attempts. This account is locked for ${minutes(seconds)} minute(s); try again later or sign in with a one-time code.`,
  }),
  codeBurnt: (): Message => ({
    zh: '验证码错误次数过多，已失效，请重新获取验证码。',
    en: 'Too many wrong attempts: this code is no longer valid. Please request a new code.',
  }),
};

export type SmsPurpose = 'login' | 'phone_change' | 'reauthentication';

/** `【物业云】您的验证码是 123456，10分钟内有效。` or its English variant. */
export function smsText(locale: Locale, purpose: SmsPurpose, otp: string, expirySeconds: number): string {
  const m = minutes(expirySeconds);
  if (locale === 'en') {
    const what =
      purpose === 'phone_change'
        ? 'to confirm your new phone number'
        : purpose === 'reauthentication'
          ? 'to confirm it is you'
          : 'to sign in';
    return `[${PRODUCT.en}] Your verification code ${what} is ${otp}. It expires in ${m} minutes. Do not share it with anyone.`;
  }
  const what =
    purpose === 'phone_change'
      ? '（用于更换手机号）'
      : purpose === 'reauthentication'
        ? '（用于身份确认）'
        : '';
  return `【${PRODUCT.zh}】您的验证码是 ${otp}${what}，${m}分钟内有效。请勿泄露给他人。`;
}

export type EmailPurpose =
  | 'signup'
  | 'invite'
  | 'magiclink'
  | 'recovery'
  | 'email_change'
  | 'reauthentication';

const emailSubjects: Record<EmailPurpose, Message> = {
  signup: { zh: '确认您的注册', en: 'Confirm your sign-up' },
  invite: { zh: '您收到了加入邀请', en: 'You have been invited' },
  magiclink: { zh: '您的登录链接', en: 'Your sign-in link' },
  recovery: { zh: '重置您的密码', en: 'Reset your password' },
  email_change: { zh: '确认更换邮箱', en: 'Confirm your new e-mail address' },
  reauthentication: { zh: '确认是您本人操作', en: 'Confirm it is you' },
};

const emailActions: Record<EmailPurpose, Message> = {
  signup: { zh: '点击下面的链接确认注册：', en: 'Follow this link to confirm your sign-up:' },
  invite: { zh: '点击下面的链接接受邀请：', en: 'Follow this link to accept the invitation:' },
  magiclink: { zh: '点击下面的链接登录：', en: 'Follow this link to sign in:' },
  recovery: { zh: '点击下面的链接重置密码：', en: 'Follow this link to reset your password:' },
  email_change: {
    zh: '点击下面的链接确认新邮箱：',
    en: 'Follow this link to confirm your new e-mail address:',
  },
  reauthentication: { zh: '', en: '' },
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function emailMessage(
  locale: Locale,
  purpose: EmailPurpose,
  opts: { otp: string; link?: string; expirySeconds: number },
): { subject: string; text: string; html: string } {
  const m = minutes(opts.expirySeconds);
  const subject = `【${PRODUCT[locale]}】${emailSubjects[purpose][locale]}`;
  const codeLine =
    locale === 'zh'
      ? `您的验证码是 ${opts.otp}，${m}分钟内有效。`
      : `Your verification code is ${opts.otp}. It expires in ${m} minutes.`;
  const ignore =
    locale === 'zh'
      ? '如果这不是您本人的操作，请忽略本邮件。'
      : 'If you did not ask for this, you can ignore this e-mail.';
  const lines = [codeLine];
  if (opts.link && emailActions[purpose][locale]) lines.push(emailActions[purpose][locale], opts.link);
  lines.push(ignore);
  const html = [
    `<p>${escapeHtml(codeLine)}</p>`,
    opts.link && emailActions[purpose][locale]
      ? `<p>${escapeHtml(emailActions[purpose][locale])}<br><a href="${escapeHtml(opts.link)}">${escapeHtml(opts.link)}</a></p>`
      : '',
    `<p>${escapeHtml(ignore)}</p>`,
  ].join('');
  return { subject, text: lines.join('\n'), html };
}
