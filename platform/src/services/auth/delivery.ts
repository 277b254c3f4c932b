import type { Queryable } from './db';
import { type AuthDeps, authBaseUrl } from './deps';
import { AuthError, tooManyRequests } from './errors';
import type { AuthRequest } from './http';
import { claimSendSlot } from './limits';
import {
  type EmailPurpose,
  emailMessage,
  type Locale,
  limitMessages,
  localeFromAcceptLanguage,
  localeFromMetadata,
  pickMessage,
  type SmsPurpose,
  smsText,
} from './messages';
import { issueOneTimeToken, type OneTimeTokenType } from './one-time-tokens';
import type { User } from './users';

/**
 * Issuing one-time codes and the messages that carry them. Codes are written inside the
 * request's transaction; the messages are only queued there and sent after commit
 * (`sendQueued`), so a slow or failing provider never holds a database transaction open.
 */
export type Outgoing =
  | { channel: 'sms'; phone: string; body: string; otp: string }
  | { channel: 'email'; to: string; subject: string; html: string; text: string; otp: string };

export function messageLocale(deps: AuthDeps, req: AuthRequest, user: User | null): Locale {
  return (
    localeFromMetadata(user?.raw_user_meta_data) ??
    localeFromAcceptLanguage(req.acceptLanguage) ??
    deps.config.messageLocale
  );
}

async function claimSlot(
  deps: AuthDeps,
  db: Queryable,
  req: AuthRequest,
  recipient: string,
  channel: 'sms' | 'email',
) {
  const wait = await claimSendSlot(db, recipient, channel, deps.config.sendInterval);
  if (wait !== null) {
    throw tooManyRequests(
      channel === 'sms' ? 'over_sms_send_rate_limit' : 'over_email_send_rate_limit',
      pickMessage(limitMessages.sendTooSoon(wait), req.acceptLanguage),
      wait,
    );
  }
}

export type SmsCodeKind = 'confirmation' | 'phone_change' | 'reauthentication';

const SMS_TOKEN: Record<SmsCodeKind, OneTimeTokenType> = {
  confirmation: 'confirmation_token',
  phone_change: 'phone_change_token',
  reauthentication: 'reauthentication_token',
};
const SMS_PURPOSE: Record<SmsCodeKind, SmsPurpose> = {
  confirmation: 'login',
  phone_change: 'phone_change',
  reauthentication: 'reauthentication',
};

/**
 * A code by SMS to `phone` (GoTrue's sendPhoneConfirmation). With a fixed test code for that
 * phone (local only) nothing is sent and the message id is `test-otp`, as in GoTrue; such a
 * number is not held to the send interval either.
 */
export async function prepareSmsCode(
  deps: AuthDeps,
  tx: Queryable,
  req: AuthRequest,
  user: User,
  phone: string,
  kind: SmsCodeKind,
): Promise<{ outgoing: Outgoing[]; messageId?: string }> {
  const fixedOtp = deps.config.smsTestOtp.get(phone);
  // A fixed test number sends nothing, so there is nothing to throttle (e2e tests sign in often).
  if (!fixedOtp) await claimSlot(deps, tx, req, phone, 'sms');
  const { otp } = await issueOneTimeToken(tx, {
    userId: user.id,
    type: SMS_TOKEN[kind],
    relatesTo: phone,
    pkce: false,
    otpLength: deps.config.otpLength,
    fixedOtp,
    userPatch: kind === 'phone_change' ? { phone_change: phone } : undefined,
  });
  if (fixedOtp) return { outgoing: [], messageId: 'test-otp' };
  const body = smsText(messageLocale(deps, req, user), SMS_PURPOSE[kind], otp, deps.config.otpExpiry);
  return { outgoing: [{ channel: 'sms', phone, body, otp }] };
}

export type EmailCodeKind = 'signup' | 'invite' | 'magiclink' | 'recovery' | 'reauthentication';

const EMAIL_TOKEN: Record<EmailCodeKind, OneTimeTokenType> = {
  signup: 'confirmation_token',
  invite: 'confirmation_token',
  magiclink: 'recovery_token',
  recovery: 'recovery_token',
  reauthentication: 'reauthentication_token',
};

/** GoTrue's e-mail action link: `<api>/auth/v1/verify?token=<hash>&type=<type>&redirect_to=<url>`. */
export function actionLink(deps: AuthDeps, hashedToken: string, type: string, redirectTo: string): string {
  const q = new URLSearchParams({ token: hashedToken, type, redirect_to: redirectTo });
  return `${authBaseUrl(deps)}/verify?${q.toString()}`;
}

/** A code and link by e-mail to the user's address (confirmation, invite, magic link, recovery, reauthentication). */
export async function prepareEmailCode(
  deps: AuthDeps,
  tx: Queryable,
  req: AuthRequest,
  user: User,
  kind: EmailCodeKind,
  opts: { pkce: boolean; redirectTo: string },
): Promise<{ outgoing: Outgoing[] }> {
  const email = user.email ?? '';
  if (!email) throw new AuthError(400, 'validation_failed', 'An email address is required');
  await claimSlot(deps, tx, req, email, 'email');
  const { otp, hashedToken } = await issueOneTimeToken(tx, {
    userId: user.id,
    type: EMAIL_TOKEN[kind],
    relatesTo: email,
    pkce: opts.pkce,
    otpLength: deps.config.otpLength,
    userPatch: kind === 'invite' ? { invited_at: new Date() } : undefined,
  });
  const link = kind === 'reauthentication' ? undefined : actionLink(deps, hashedToken, kind, opts.redirectTo);
  const m = emailMessage(messageLocale(deps, req, user), kind as EmailPurpose, {
    otp,
    link,
    expirySeconds: deps.config.otpExpiry,
  });
  return { outgoing: [{ channel: 'email', to: email, ...m, otp }] };
}

/**
 * An e-mail change: a code and link to the new address and, with secure e-mail change, one to
 * the current address as well (GoTrue's sendEmailChange).
 */
export async function prepareEmailChange(
  deps: AuthDeps,
  tx: Queryable,
  req: AuthRequest,
  user: User,
  newEmail: string,
  opts: { pkce: boolean; redirectTo: string },
): Promise<{ outgoing: Outgoing[] }> {
  const locale = messageLocale(deps, req, user);
  const outgoing: Outgoing[] = [];
  await claimSlot(deps, tx, req, newEmail, 'email');
  const fresh = await issueOneTimeToken(tx, {
    userId: user.id,
    type: 'email_change_token_new',
    relatesTo: newEmail,
    pkce: opts.pkce,
    otpLength: deps.config.otpLength,
    userPatch: { email_change: newEmail, email_change_confirm_status: 0, email_change_token_current: '' },
  });
  const link = actionLink(deps, fresh.hashedToken, 'email_change', opts.redirectTo);
  const toNew = emailMessage(locale, 'email_change', {
    otp: fresh.otp,
    link,
    expirySeconds: deps.config.otpExpiry,
  });
  outgoing.push({ channel: 'email', to: newEmail, ...toNew, otp: fresh.otp });
  if (deps.config.secureEmailChange && user.email) {
    await claimSlot(deps, tx, req, user.email, 'email');
    const current = await issueOneTimeToken(tx, {
      userId: user.id,
      type: 'email_change_token_current',
      relatesTo: user.email,
      pkce: opts.pkce,
      otpLength: deps.config.otpLength,
    });
    const currentLink = actionLink(deps, current.hashedToken, 'email_change', opts.redirectTo);
    const toCurrent = emailMessage(locale, 'email_change', {
      otp: current.otp,
      link: currentLink,
      expirySeconds: deps.config.otpExpiry,
    });
    outgoing.push({ channel: 'email', to: user.email, ...toCurrent, otp: current.otp });
  }
  return { outgoing };
}

/** Sends what a committed transaction queued. Returns the id of the last SMS, for `message_id`. */
export async function sendQueued(deps: AuthDeps, outgoing: Outgoing[]): Promise<string | undefined> {
  let messageId: string | undefined;
  for (const m of outgoing) {
    try {
      if (m.channel === 'sms') {
        messageId = (await deps.sender.sendSms({ phone: m.phone, body: m.body, otp: m.otp })).messageId;
      } else {
        await deps.sender.sendEmail({ to: m.to, subject: m.subject, html: m.html, text: m.text, otp: m.otp });
      }
    } catch (err) {
      deps.ctx.log.error('sending a one-time code failed', { channel: m.channel, error: String(err) });
      if (m.channel === 'sms') {
        throw new AuthError(
          422,
          'sms_send_failed',
          `Error sending confirmation OTP to provider: ${(err as Error).message}`,
        );
      }
      throw new AuthError(500, 'unexpected_failure', 'Error sending confirmation email');
    }
  }
  return messageId;
}
