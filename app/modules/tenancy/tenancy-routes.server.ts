import { data } from '@remix-run/node';
import type { FormErrors, LocalizedMessage } from '~/lib/form-errors';
import { TenancyError } from './tenancy-errors';

/** What a tenancy form action answers: which form, success (with a message) or its errors. */
export type TenancyActionData = {
  intent?: string | null;
  ok?: boolean;
  message?: LocalizedMessage;
  errors?: FormErrors;
};

/** Runs a domain step for a form and answers: ok (+ message), or the TenancyError as a form error (400). */
export async function answerTenancyForm(
  headers: Headers,
  intent: string,
  step: () => Promise<LocalizedMessage | undefined>,
) {
  try {
    const message = await step();
    return data<TenancyActionData>({ intent, ok: true, ...(message ? { message } : {}) }, { headers });
  } catch (err) {
    if (err instanceof TenancyError) {
      return data<TenancyActionData>(
        { intent, errors: { form: [{ key: err.messageKey }] } },
        { status: 400, headers },
      );
    }
    throw err;
  }
}

export function invalidTenancyForm(headers: Headers, intent: string | null, errors: FormErrors) {
  return data<TenancyActionData>({ intent, errors }, { status: 400, headers });
}
