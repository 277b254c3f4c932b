/**
 * Errors of the local Auth service, declared as data: an HTTP status, GoTrue's error code and
 * the message. How they are written depends on the API version the client announced, exactly
 * as GoTrue does (internal/api/errors.go), because auth-js reads `code` only when the response
 * echoes `X-Supabase-Api-Version` and falls back to the legacy `error_code` otherwise.
 */
export type AuthErrorCode =
  | 'unexpected_failure'
  | 'validation_failed'
  | 'bad_json'
  | 'email_exists'
  | 'phone_exists'
  | 'bad_jwt'
  | 'not_admin'
  | 'no_authorization'
  | 'user_not_found'
  | 'session_not_found'
  | 'session_expired'
  | 'refresh_token_not_found'
  | 'refresh_token_already_used'
  | 'flow_state_not_found'
  | 'flow_state_expired'
  | 'signup_disabled'
  | 'user_banned'
  | 'email_provider_disabled'
  | 'phone_provider_disabled'
  | 'provider_disabled'
  | 'anonymous_provider_disabled'
  | 'email_not_confirmed'
  | 'phone_not_confirmed'
  | 'user_already_exists'
  | 'sms_send_failed'
  | 'email_address_invalid'
  | 'reauthentication_needed'
  | 'reauthentication_not_valid'
  | 'same_password'
  | 'otp_expired'
  | 'otp_disabled'
  | 'weak_password'
  | 'over_request_rate_limit'
  | 'over_email_send_rate_limit'
  | 'over_sms_send_rate_limit'
  | 'bad_code_verifier'
  | 'invalid_credentials'
  | 'request_entity_too_large'
  | 'not_found';

export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: AuthErrorCode,
    message: string,
    readonly extra: {
      /** Reasons of a weak password (`weak_password.reasons`). */
      reasons?: string[];
      /** Seconds after which a rate-limited request may be retried (`Retry-After`). */
      retryAfter?: number;
    } = {},
  ) {
    super(message);
  }
}

/** An OAuth2-style error (`{error, error_description}`), which GoTrue always answers with 400. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

export const badRequest = (code: AuthErrorCode, message: string) => new AuthError(400, code, message);
export const forbidden = (code: AuthErrorCode, message: string) => new AuthError(403, code, message);
export const notFound = (code: AuthErrorCode, message: string) => new AuthError(404, code, message);
export const unprocessable = (code: AuthErrorCode, message: string) => new AuthError(422, code, message);
export const tooManyRequests = (code: AuthErrorCode, message: string, retryAfter: number) =>
  new AuthError(429, code, message, { retryAfter });
export const internal = (message: string) => new AuthError(500, 'unexpected_failure', message);

export const API_VERSION_HEADER = 'X-Supabase-Api-Version';
const API_VERSION_2024 = Date.UTC(2024, 0, 1);

/** GoTrue's rule: a valid date on or after 2024-01-01 selects the 2024-01-01 format; else the initial one. */
export function negotiateApiVersion(header: string | undefined): '2024-01-01' | null {
  if (!header || !/^\d{4}-\d{2}-\d{2}$/.test(header)) return null;
  const t = Date.parse(`${header}T00:00:00Z`);
  return Number.isFinite(t) && t >= API_VERSION_2024 ? '2024-01-01' : null;
}

export type ErrorResponse = {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
};

/** The status, headers and JSON body GoTrue would answer for `err` to a client of `apiVersion`. */
export function errorResponse(err: AuthError | OAuthError, apiVersion: '2024-01-01' | null): ErrorResponse {
  if (err instanceof OAuthError) {
    return { status: 400, headers: {}, body: { error: err.error, error_description: err.description } };
  }
  const headers: Record<string, string> = { 'x-sb-error-code': err.code };
  if (err.extra.retryAfter !== undefined)
    headers['Retry-After'] = String(Math.max(1, Math.ceil(err.extra.retryAfter)));
  const weak = err.extra.reasons ? { weak_password: { reasons: err.extra.reasons } } : {};
  if (apiVersion) {
    headers[API_VERSION_HEADER] = apiVersion;
    return { status: err.status, headers, body: { code: err.code, message: err.message, ...weak } };
  }
  return {
    status: err.status,
    headers,
    body: { code: err.status, error_code: err.code, msg: err.message, ...weak },
  };
}
