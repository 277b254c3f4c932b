import { data, redirect } from '@remix-run/node';
import { FunctionsHttpError, type SupabaseClient } from '@supabase/supabase-js';
import { withUser } from '~/lib/db.server';
import type { FormErrors } from '~/lib/form-errors';
import { logger } from '~/lib/logger.server';
import { requireUser } from '~/modules/auth/session.server';
import { type BillingCommunity, billingCommunities } from './billing.server';
import { BillingError, isBillingErrorCode } from './errors';

export { withCommunity } from './components/links';

/** What a billing form action answers: success (with an optional message), or form errors. */
export type BillingActionData = {
  ok?: boolean;
  message?: { key: string; vars?: Record<string, string | number> };
  errors?: FormErrors;
};

/**
 * The signed-in staff member and the communities they may bill; `?c=` picks one (default the
 * first). A member without any billing permission gets a 403.
 */
export async function requireBillingScope(request: Request) {
  const auth = await requireUser(request, { surface: 'office' });
  const communities = await withUser(auth.user.claims, (tx) => billingCommunities(tx), { readOnly: true });
  const wanted = new URL(request.url).searchParams.get('c');
  const community: BillingCommunity | null =
    communities.find((c) => c.id === wanted) ?? communities[0] ?? null;
  return { ...auth, communities, community };
}

/** Runs a domain step for a form and answers it: ok (+ message) or the BillingError as a form error. */
export async function answerBillingForm(
  headers: Headers,
  step: () => Promise<BillingActionData['message'] | undefined>,
) {
  try {
    const message = await step();
    return data<BillingActionData>({ ok: true, ...(message ? { message } : {}) }, { headers });
  } catch (err) {
    if (err instanceof BillingError) {
      return data<BillingActionData>(
        { errors: { form: [{ key: err.messageKey }] } },
        { status: 400, headers },
      );
    }
    throw err;
  }
}

export function invalidBillingForm(headers: Headers, errors: FormErrors) {
  return data<BillingActionData>({ errors }, { status: 400, headers });
}

/**
 * Calls the `payments` Edge Function as the signed-in user (their JWT through supabase-js) and
 * maps its `{ code }` refusals to BillingError.
 */
export async function callPayments<T>(
  supabase: SupabaseClient,
  action: 'checkout' | 'refund',
  body: Record<string, unknown>,
): Promise<T> {
  const { data: result, error } = await supabase.functions.invoke(`payments/${action}`, { body });
  if (!error) return result as T;
  if (error instanceof FunctionsHttpError) {
    const payload = (await (error.context as Response).json().catch(() => ({}))) as { code?: string };
    if (isBillingErrorCode(payload.code)) throw new BillingError(payload.code);
    logger.warn(
      { code: payload.code, status: (error.context as Response).status },
      'payments function refused',
    );
  } else {
    logger.error({ err: error }, 'payments function unreachable');
  }
  throw new BillingError('billing.payment_unavailable');
}

export function requireCommunity<C>(community: C | null, headers: Headers): C {
  if (!community) throw redirect('/office/billing', { headers });
  return community;
}
