import {
  type AuthError,
  isAuthError,
  isAuthRetryableFetchError,
  isAuthSessionMissingError,
} from '@supabase/supabase-js';
import type { MessageKey } from '~/i18n/zh-CN';
import type { LocalizedMessage } from '~/lib/form-errors';

/**
 * Errors of the sign-in flows, declared as data: every Supabase Auth error code a person can
 * meet maps to an i18n key here, and nowhere else. Auth's own (English) message text is
 * never shown; it stays in the server log.
 */
export const authErrorKeys: Record<string, MessageKey> = {
  invalid_credentials: 'auth.error.invalidCredentials',
  otp_expired: 'auth.error.codeInvalid',
  // Asking for a sign-in code with create_user=false for an unknown phone or e-mail.
  otp_disabled: 'auth.error.accountNotFound',
  user_not_found: 'auth.error.accountNotFound',
  over_sms_send_rate_limit: 'auth.error.sendTooSoon',
  over_email_send_rate_limit: 'auth.error.sendTooSoon',
  over_request_rate_limit: 'auth.error.tooManyRequests',
  weak_password: 'auth.error.weakPassword',
  same_password: 'auth.error.samePassword',
  phone_not_confirmed: 'auth.error.phoneNotConfirmed',
  email_not_confirmed: 'auth.error.emailNotConfirmed',
  user_banned: 'auth.error.userBanned',
  signup_disabled: 'auth.error.signupDisabled',
  phone_provider_disabled: 'auth.error.providerDisabled',
  email_provider_disabled: 'auth.error.providerDisabled',
  provider_disabled: 'auth.error.providerDisabled',
  sms_send_failed: 'auth.error.sendFailed',
  hook_timeout: 'auth.error.sendFailed',
  hook_timeout_after_retry: 'auth.error.sendFailed',
  email_address_invalid: 'auth.error.emailInvalid',
  email_address_not_authorized: 'auth.error.emailInvalid',
  validation_failed: 'auth.error.validationFailed',
  user_already_exists: 'auth.error.accountExists',
  phone_exists: 'auth.error.accountExists',
  email_exists: 'auth.error.accountExists',
  session_not_found: 'auth.error.sessionExpired',
  session_expired: 'auth.error.sessionExpired',
  refresh_token_not_found: 'auth.error.sessionExpired',
  refresh_token_already_used: 'auth.error.sessionExpired',
  bad_jwt: 'auth.error.sessionExpired',
  reauthentication_needed: 'auth.error.reauthenticationNeeded',
  reauthentication_not_valid: 'auth.error.codeInvalid',
  flow_state_not_found: 'auth.error.linkExpired',
  flow_state_expired: 'auth.error.linkExpired',
  bad_code_verifier: 'auth.error.linkExpired',
  request_timeout: 'auth.error.network',
};

/** GoTrue says when a new code may be sent only in its message ("…after 42 seconds", "…42 秒后…"). */
export function retryAfterSeconds(message: string): number | undefined {
  const match = /(\d+)\s*(?:seconds?|秒)/i.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** A failure of an auth flow that a person should see: a code, a localized message and an HTTP status. */
export class AuthFlowError extends Error {
  readonly code: string;
  readonly userMessage: LocalizedMessage;
  readonly status: number;
  /** Seconds until another code may be sent (rate limits only). */
  readonly retryAfter: number | undefined;

  constructor(
    code: string,
    userMessage: LocalizedMessage,
    options: { status?: number; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(`auth flow failed: ${code}`, { cause: options.cause });
    this.name = 'AuthFlowError';
    this.code = code;
    this.userMessage = userMessage;
    this.status = options.status ?? 400;
    this.retryAfter = options.retryAfter;
  }
}

/** The localized failure for an error returned by auth-js (`{ error }` of any auth call). */
export function toAuthFlowError(error: AuthError): AuthFlowError {
  if (isAuthRetryableFetchError(error)) {
    return new AuthFlowError('network', { key: 'auth.error.network' }, { status: 503, cause: error });
  }
  if (isAuthSessionMissingError(error)) {
    return new AuthFlowError(
      'session_missing',
      { key: 'auth.error.sessionExpired' },
      { status: 401, cause: error },
    );
  }
  const code = error.code ?? 'unknown';
  const key = authErrorKeys[code] ?? 'auth.error.unexpected';
  const status = error.status && error.status >= 400 && error.status < 600 ? error.status : 400;
  if (key === 'auth.error.sendTooSoon') {
    const seconds = retryAfterSeconds(error.message);
    return seconds === undefined
      ? new AuthFlowError(code, { key: 'auth.error.sendTooSoonGeneric' }, { status: 429, cause: error })
      : new AuthFlowError(
          code,
          { key, vars: { seconds } },
          { status: 429, retryAfter: seconds, cause: error },
        );
  }
  return new AuthFlowError(code, { key }, { status, cause: error });
}

/** Anything thrown by a flow: auth-js errors become flow errors; other errors are bugs and pass through. */
export function asAuthFlowError(error: unknown): AuthFlowError | null {
  if (error instanceof AuthFlowError) return error;
  if (isAuthError(error)) return toAuthFlowError(error);
  return null;
}
