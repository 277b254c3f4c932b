import type { AuthError, EmailOtpType, SupabaseClient } from '@supabase/supabase-js';
import { logger } from '~/lib/logger.server';
import { toAuthFlowError } from './auth-errors';

/**
 * The sign-in flows over supabase-js. Each function takes the request's server client (so the
 * session it creates lands in that request's cookies) and throws an `AuthFlowError` carrying
 * the i18n key to show. Routes only parse input, call one of these and answer.
 */

type Client = SupabaseClient;

/** Seconds before another code may be requested; the Auth server enforces the same interval. */
export const codeResendSeconds = 60;

export type CodeSent = { channel: 'sms' | 'email'; resendIn: number };

function check(error: AuthError | null, flow: string): void {
  if (!error) return;
  const failure = toAuthFlowError(error);
  // Expected outcomes (a wrong code, a rate limit) are info; anything unmapped is worth a look.
  const level = failure.userMessage.key === 'auth.error.unexpected' ? 'warn' : 'info';
  logger[level](
    { flow, code: error.code, status: error.status, message: error.message },
    'auth flow rejected',
  );
  throw failure;
}

/** A one-time code by SMS. `createUser: false` for sign-in and reset (unknown numbers are told so). */
export async function sendSmsCode(
  supabase: Client,
  { phone, createUser }: { phone: string; createUser: boolean },
): Promise<CodeSent> {
  const { error } = await supabase.auth.signInWithOtp({ phone, options: { shouldCreateUser: createUser } });
  check(error, 'send-sms-code');
  return { channel: 'sms', resendIn: codeResendSeconds };
}

export async function verifySmsCode(supabase: Client, { phone, code }: { phone: string; code: string }) {
  const { error } = await supabase.auth.verifyOtp({ phone, token: code, type: 'sms' });
  check(error, 'verify-sms-code');
}

export async function signInWithPassword(
  supabase: Client,
  { account, password }: { account: { email: string } | { phone: string }; password: string },
) {
  const { error } = await supabase.auth.signInWithPassword({ ...account, password });
  check(error, 'password');
}

/** A sign-in code by e-mail (with a link to `callbackUrl` for people who click instead). */
export async function sendEmailCode(
  supabase: Client,
  { email, callbackUrl }: { email: string; callbackUrl: string },
): Promise<CodeSent> {
  const { error } = await supabase.auth.signInWithOtp({
    email,
    options: { shouldCreateUser: false, emailRedirectTo: callbackUrl },
  });
  check(error, 'send-email-code');
  return { channel: 'email', resendIn: codeResendSeconds };
}

export async function verifyEmailCode(supabase: Client, { email, code }: { email: string; code: string }) {
  const { error } = await supabase.auth.verifyOtp({ email, token: code, type: 'email' });
  check(error, 'verify-email-code');
}

/**
 * Password reset, step 1: a code to the account's phone (an SMS sign-in code: GoTrue has no
 * phone recovery) or e-mail (a recovery code and link).
 */
export async function sendPasswordResetCode(
  supabase: Client,
  { account, callbackUrl }: { account: { email: string } | { phone: string }; callbackUrl: string },
): Promise<CodeSent> {
  if ('phone' in account) return sendSmsCode(supabase, { phone: account.phone, createUser: false });
  const { error } = await supabase.auth.resetPasswordForEmail(account.email, { redirectTo: callbackUrl });
  check(error, 'send-reset-code');
  return { channel: 'email', resendIn: codeResendSeconds };
}

/** Password reset, step 2: the code signs the person in, so step 3 can set the new password. */
export async function verifyPasswordResetCode(
  supabase: Client,
  { account, code }: { account: { email: string } | { phone: string }; code: string },
) {
  const { error } =
    'phone' in account
      ? await supabase.auth.verifyOtp({ phone: account.phone, token: code, type: 'sms' })
      : await supabase.auth.verifyOtp({ email: account.email, token: code, type: 'recovery' });
  check(error, 'verify-reset-code');
}

export async function updatePassword(supabase: Client, password: string) {
  const { error } = await supabase.auth.updateUser({ password });
  check(error, 'update-password');
}

/**
 * An e-mailed link came back with `?code=` (PKCE; the verifier is in this browser's cookies).
 * Returns whether the link was a password recovery.
 */
export async function exchangeAuthCode(supabase: Client, code: string): Promise<{ recovery: boolean }> {
  // auth-js announces a recovery link as the PASSWORD_RECOVERY event (instead of SIGNED_IN).
  let recovery = false;
  const { data: listener } = supabase.auth.onAuthStateChange((event) => {
    if (event === 'PASSWORD_RECOVERY') recovery = true;
  });
  try {
    const { error } = await supabase.auth.exchangeCodeForSession(code);
    check(error, 'exchange-code');
  } finally {
    listener.subscription.unsubscribe();
  }
  return { recovery };
}

/** An e-mailed link with `token_hash` (no PKCE verifier needed). Returns whether it was a recovery. */
export async function verifyEmailLink(
  supabase: Client,
  { tokenHash, type }: { tokenHash: string; type: EmailOtpType },
): Promise<{ recovery: boolean }> {
  const { error } = await supabase.auth.verifyOtp({ token_hash: tokenHash, type });
  check(error, 'verify-email-link');
  return { recovery: type === 'recovery' };
}

/** This device only (`local`) or every session of the user (`global`). */
export async function signOut(supabase: Client, scope: 'local' | 'global') {
  const { error } = await supabase.auth.signOut({ scope });
  // Signing out an already-ended session is success; auth-js clears the cookies either way.
  if (error && error.status !== 401 && error.status !== 403 && error.status !== 404) check(error, 'sign-out');
}
