/**
 * `payments-webhook` (verify_jwt = false): Stripe (or the sandbox) tells us what happened.
 *
 * 1. The signature is checked on the raw body (`Stripe-Signature`, HMAC-SHA256 of `t.payload`,
 *    300 s tolerance) with the stripe library's constructEventAsync on SubtleCrypto.
 * 2. Checkout events: the session is fetched again from the provider, so a late or reordered
 *    event acts on the current truth, then billing.apply_checkout_event records event.id and
 *    applies the effect in ONE transaction (a redelivery changes nothing).
 * 3. Money that arrived for bills settled meanwhile is refunded at once (idempotency key = refund id).
 * 4. Refunds (whole or partial): `refund.*` / `charge.refund.updated` carry the Refund itself;
 *    for `charge.refunded` the charge's refunds are listed again from the provider (the event
 *    may be stale) and each one completes ours — the event id recorded once with the effects.
 * Any failure answers 500, so the provider delivers again later.
 */

import type { PaymentsConfig } from '@shared/billing/config.ts';
import type { BillingDb } from '@shared/billing/db.ts';
import { type StripeClient, verifyWebhook } from '@shared/billing/stripe.ts';
import { type Handler, HttpError, handleErrors, json } from '@shared/http.ts';

export type WebhookDeps = {
  db: BillingDb;
  stripe: StripeClient;
  config: Pick<PaymentsConfig, 'provider' | 'webhookSecret'>;
};

type RefundToExecute = { refundId: string; providerPaymentId: string | null; amountFen: number };
type Applied = { outcome: string; refund?: RefundToExecute };

const METHODS = new Set(['card', 'alipay', 'wechat_pay']);

/** Which method paid: the charge's payment method type, else the only one the session offered. */
function methodOf(session: Record<string, unknown>): string {
  const pi = session.payment_intent as
    | { latest_charge?: { payment_method_details?: { type?: string } } }
    | string
    | null;
  const fromCharge =
    typeof pi === 'object' && pi ? pi.latest_charge?.payment_method_details?.type : undefined;
  if (fromCharge && METHODS.has(fromCharge)) return fromCharge;
  const offered = (session.payment_method_types as string[] | undefined) ?? [];
  return offered.length === 1 && METHODS.has(offered[0]) ? offered[0] : 'card';
}

export function createWebhookHandler(deps: WebhookDeps): Handler {
  const provider = deps.config.provider;

  async function executeRefund(refund: RefundToExecute): Promise<void> {
    if (!refund.providerPaymentId) return;
    const created = await deps.stripe.refunds.create(
      {
        payment_intent: refund.providerPaymentId,
        amount: refund.amountFen,
        metadata: { refund_id: refund.refundId },
      },
      { idempotencyKey: `refund-${refund.refundId}` },
    );
    await deps.db.withService('payments webhook: refund result', (sql) =>
      sql.query('select billing.apply_refund_result($1, $2, $3)', [
        refund.refundId,
        created.status,
        created.id,
      ]),
    );
  }

  return handleErrors(async (req) => {
    if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use POST.');
    const raw = await req.text();
    let event: Awaited<ReturnType<typeof verifyWebhook>>;
    try {
      event = await verifyWebhook(
        deps.stripe,
        raw,
        req.headers.get('stripe-signature'),
        deps.config.webhookSecret,
      );
    } catch {
      throw new HttpError(400, 'invalid_signature', 'The webhook signature does not verify.');
    }
    const created = new Date(event.created * 1000).toISOString();
    const object = event.data.object as unknown as Record<string, unknown>;
    let applied: Applied;

    if (event.type.startsWith('checkout.session.')) {
      const session = (await deps.stripe.checkout.sessions.retrieve(String(object.id), {
        expand: ['payment_intent.latest_charge'],
      })) as unknown as Record<string, unknown>;
      const pi = session.payment_intent as { id?: string } | string | null;
      const flat = { ...session, payment_intent: typeof pi === 'object' && pi ? (pi.id ?? null) : pi };
      applied = await deps.db.withService('payments webhook', async (sql) => {
        const r = await sql.query(
          `select billing.apply_checkout_event($1::public.payment_provider, $2, $3, $4::timestamptz, $5::jsonb, $6::public.payment_method) as applied`,
          [provider, event.id, event.type, created, JSON.stringify(flat), methodOf(session)],
        );
        return r.rows[0].applied as Applied;
      });
    } else if (event.type === 'charge.refunded') {
      const pi = object.payment_intent as { id?: string } | string | null;
      const paymentIntent = typeof pi === 'object' && pi ? pi.id : pi;
      const refunds = paymentIntent
        ? (await deps.stripe.refunds.list({ payment_intent: paymentIntent, limit: 100 })).data
        : [];
      applied = await deps.db.withService('payments webhook', async (sql) => {
        const r = await sql.query(
          `select billing.apply_charge_refunded_event($1::public.payment_provider, $2, $3, $4::timestamptz, $5::jsonb) as applied`,
          [provider, event.id, event.type, created, JSON.stringify(refunds)],
        );
        return r.rows[0].applied as Applied;
      });
    } else if (event.type.startsWith('refund.') || event.type === 'charge.refund.updated') {
      applied = await deps.db.withService('payments webhook', async (sql) => {
        const r = await sql.query(
          `select billing.apply_refund_event($1::public.payment_provider, $2, $3, $4::timestamptz, $5::jsonb) as applied`,
          [provider, event.id, event.type, created, JSON.stringify(object)],
        );
        return r.rows[0].applied as Applied;
      });
    } else {
      applied = { outcome: 'ignored:event_type' };
    }

    if (applied.refund) await executeRefund(applied.refund);
    return json({ received: true, outcome: applied.outcome });
  });
}
