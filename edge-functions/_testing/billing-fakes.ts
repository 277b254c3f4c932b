/**
 * Test doubles for the billing functions: a BillingDb whose SQL answers are scripted by the
 * statement text (and recorded), and a Stripe client whose API calls are recorded. Signature
 * checks use the real stripe library.
 */
import type { BillingDb, Sql } from '@shared/billing/db.ts';
import Stripe from 'stripe';

export type Recorded = { role: 'caller' | 'service'; text: string; values: unknown[] };

export function scriptedDb(
  answer: (text: string, values: unknown[]) => unknown[] | Error,
): BillingDb & { calls: Recorded[] } {
  const calls: Recorded[] = [];
  const sql = (role: Recorded['role']): Sql =>
    ({
      query: (text: string, values: unknown[] = []) => {
        calls.push({ role, text, values });
        const rows = answer(text, values);
        if (rows instanceof Error) return Promise.reject(rows);
        return Promise.resolve({ rows, rowCount: rows.length });
      },
    }) as unknown as Sql;
  return {
    calls,
    withCaller: (_claims, work) => work(sql('caller')),
    asCaller: async <R>(_claims: Record<string, unknown>, text: string, values: unknown[] = []) =>
      (await sql('caller').query(text, values)).rows as R[],
    withService: (_reason, work) => work(sql('service')),
    close: () => Promise.resolve(),
  };
}

export type StripeCall = { method: string; args: unknown[] };

/** A real Stripe instance (for webhooks) whose resource methods are replaced by recorders. */
export function recordingStripe(overrides: {
  createSession?: (params: Record<string, unknown>) => unknown;
  retrieveSession?: (id: string) => unknown;
  expireSession?: (id: string) => unknown;
  createRefund?: (params: Record<string, unknown>) => unknown;
}): Stripe & { calls: StripeCall[] } {
  const stripe = new Stripe('sk_test_deno', { httpClient: Stripe.createFetchHttpClient() }) as Stripe & {
    calls: StripeCall[];
  };
  stripe.calls = [];
  const record =
    (method: string, impl?: (...args: never[]) => unknown) =>
    async (...args: unknown[]) => {
      stripe.calls.push({ method, args });
      if (!impl) throw new Error(`unexpected Stripe call ${method}`);
      const result = (impl as (...a: unknown[]) => unknown)(...args);
      if (result instanceof Error) throw result;
      return result;
    };
  Object.assign(stripe.checkout.sessions, {
    create: record('sessions.create', overrides.createSession),
    retrieve: record('sessions.retrieve', overrides.retrieveSession),
    expire: record('sessions.expire', overrides.expireSession),
  });
  Object.assign(stripe.refunds, { create: record('refunds.create', overrides.createRefund) });
  return stripe;
}
