import { data } from '@remix-run/node';
import type { FormErrors } from '~/lib/form-errors';
import type { SupabaseServer } from '~/lib/supabase.server';
import type { AuthActionData } from './action-data';
import { asAuthFlowError } from './auth-errors';

/** Response helpers shared by the auth routes' actions; each carries the session headers. */

const echoed = ['countryCode', 'phone', 'email', 'account'] as const;

/** The non-secret fields of a submission, echoed back for pages rendered without JavaScript. */
export function echoValues(formData: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of echoed) {
    const value = formData.get(name);
    if (typeof value === 'string') values[name] = value.slice(0, 255);
  }
  return values;
}

export function invalid(
  auth: SupabaseServer,
  intent: string | null,
  errors: FormErrors,
  values?: Record<string, string>,
) {
  return data<AuthActionData>({ intent, errors, values }, { status: 400, headers: auth.headers });
}

export function codeSent(
  auth: SupabaseServer,
  intent: string,
  sent: { to: string; resendIn: number },
  values?: Record<string, string>,
) {
  return data<AuthActionData>({ intent, sent, values }, { headers: auth.headers });
}

/** A failed flow as a localized form error with its status; anything else is a bug and is rethrown. */
export function failed(
  auth: SupabaseServer,
  intent: string | null,
  error: unknown,
  values?: Record<string, string>,
) {
  const failure = asAuthFlowError(error);
  if (!failure) throw error;
  return data<AuthActionData>(
    {
      intent,
      errors: { form: [failure.userMessage] },
      ...(failure.retryAfter ? { retryAfter: { seconds: failure.retryAfter } } : {}),
      values,
    },
    { status: failure.status, headers: auth.headers },
  );
}

/** Where e-mailed links come back to: /auth/callback on this site, carrying the page to go to next. */
export function callbackUrl(request: Request, next: string | null): string {
  const url = new URL('/auth/callback', new URL(request.url).origin);
  if (next) url.searchParams.set('redirectTo', next);
  return url.href;
}
