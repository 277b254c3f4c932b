/**
 * `payments`: a resident starts a checkout for some bills; staff execute a refund.
 *
 *   POST /payments/checkout { billIds, returnUrl }  → { intentId, url, amountFen, reused }
 *   POST /payments/refund   { refundId }            → { refundId, status }
 *
 * The amount is recomputed in SQL (billing.start_checkout → begin_payment), which also locks the
 * bills against a second concurrent checkout; the checkout session is created with the intent id
 * as the Stripe idempotency key, so a retry never opens a second session. Nothing here marks a
 * bill paid: only the webhook does (decision 0008).
 */
import { callerFromVerifiedJwt } from '@shared/auth.ts';
import { type PaymentsConfig, returnUrlAllowed } from '@shared/billing/config.ts';
import { type BillingDb, billingErrorStatus, type Sql } from '@shared/billing/db.ts';
import type { StripeClient } from '@shared/billing/stripe.ts';
import { withCors } from '@shared/cors.ts';
import { type Handler, HttpError, handleErrors, json, readJson } from '@shared/http.ts';
import { z } from 'zod';

export type PaymentsDeps = {
  db: BillingDb;
  stripe: StripeClient;
  config: Pick<PaymentsConfig, 'provider' | 'returnOrigins'>;
  now?: () => Date;
};

export const CHECKOUT_METHODS = ['card', 'alipay', 'wechat_pay'] as const;
/** Stripe wants expires_at at least 30 minutes ahead; the lock lasts as long as the session. */
const CHECKOUT_TTL = '35 minutes';

const checkoutBody = z.object({
  billIds: z.array(z.string().uuid()).min(1).max(24),
  returnUrl: z.string().url(),
});
const refundBody = z.object({ refundId: z.string().uuid() });

type OpenIntent = {
  intent_id: string;
  status: 'pending' | 'processing';
  checkout_session_id: string | null;
  checkout_url: string | null;
  expires_at: string;
  bill_ids: string[];
};

type Begun = {
  intent_id: string;
  amount_fen: number | string;
  expires_at: string | Date;
  items: Array<{
    billId: string;
    feeItem: string;
    periodStart: string;
    periodEnd: string;
    amountFen: number;
    lateFeeFen: number;
  }>;
};

async function sql<T>(
  db: BillingDb,
  claims: Record<string, unknown>,
  work: (sql: Sql) => Promise<T>,
): Promise<T> {
  return db.withCaller(claims, work).catch(asHttpError);
}

/** One statement as the caller, in one round trip (begin, settings, statement, commit). */
function one<R>(
  db: BillingDb,
  claims: Record<string, unknown>,
  text: string,
  values: unknown[],
): Promise<R[]> {
  return db.asCaller<R>(claims, text, values).catch(asHttpError);
}

function asHttpError(err: unknown): never {
  const mapped = billingErrorStatus(err);
  if (mapped) throw new HttpError(mapped.status, mapped.code, mapped.code);
  throw err;
}

const sameSet = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);

function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  // Stripe substitutes the literal placeholder; URLSearchParams would escape its braces.
  return u.toString().replace('%7BCHECKOUT_SESSION_ID%7D', '{CHECKOUT_SESSION_ID}');
}

export function createPaymentsHandler(deps: PaymentsDeps): Handler {
  const now = deps.now ?? (() => new Date());

  async function checkout(req: Request, claims: Record<string, unknown>): Promise<Response> {
    const body = await readJson(req, checkoutBody);
    if (!returnUrlAllowed(deps.config, body.returnUrl)) {
      throw new HttpError(400, 'billing.return_url_not_allowed', 'The return URL is not allowed.');
    }
    const billIds = [...new Set(body.billIds)];

    // One statement: the caller's own open checkouts on these bills (reuse the same one, or
    // close it first), else the checkout is begun at once.
    const begin = [billIds, deps.config.provider, [...CHECKOUT_METHODS], CHECKOUT_TTL];
    const [{ started }] = await one<{ started: { open?: OpenIntent[]; begun?: Begun } }>(
      deps.db,
      claims,
      'select billing.start_checkout($1::uuid[], $2::public.payment_provider, $3::text[], $4::interval) as started',
      begin,
    );
    for (const o of started.open ?? []) {
      const fresh = new Date(o.expires_at).getTime() > now().getTime() + 60_000;
      if (o.status === 'pending' && o.checkout_url && fresh && sameSet(o.bill_ids, billIds)) {
        return json({ intentId: o.intent_id, url: o.checkout_url, reused: true });
      }
      if (o.status === 'processing') {
        throw new HttpError(409, 'billing.bill_locked', 'A payment for these bills is being confirmed.');
      }
      if (o.checkout_session_id) {
        try {
          await deps.stripe.checkout.sessions.expire(o.checkout_session_id);
        } catch (err) {
          // Already completed or expired at Stripe: its webhook decides; do not release the bills.
          const session = await deps.stripe.checkout.sessions.retrieve(o.checkout_session_id);
          if (session.status !== 'expired') {
            throw new HttpError(409, 'billing.bill_locked', 'A payment for these bills is being confirmed.', {
              cause: String(err),
            });
          }
        }
      }
      await one(deps.db, claims, 'select billing.cancel_intent($1, $2)', [
        o.intent_id,
        'replaced by a new checkout',
      ]);
    }

    const begun =
      started.begun ??
      (
        await one<Begun>(
          deps.db,
          claims,
          'select * from billing.begin_payment($1::uuid[], $2::public.payment_provider, $3::text[], $4::interval)',
          begin,
        )
      )[0];
    const intentId = begun.intent_id;
    const amountFen = Number(begun.amount_fen);
    const expiresAt = Math.floor(new Date(begun.expires_at).getTime() / 1000);

    let session: Awaited<ReturnType<StripeClient['checkout']['sessions']['create']>>;
    try {
      session = await deps.stripe.checkout.sessions.create(
        {
          mode: 'payment',
          payment_method_types: [...CHECKOUT_METHODS],
          payment_method_options: { wechat_pay: { client: 'web' } },
          line_items: begun.items.map((item) => ({
            quantity: 1,
            price_data: {
              currency: 'cny',
              unit_amount: item.amountFen + item.lateFeeFen,
              product_data: {
                name: `${item.feeItem} ${item.periodStart.slice(0, 7)}`,
                ...(item.lateFeeFen > 0
                  ? { description: `含滞纳金 ¥${(item.lateFeeFen / 100).toFixed(2)}` }
                  : {}),
              },
            },
          })),
          client_reference_id: intentId,
          metadata: { intent_id: intentId },
          payment_intent_data: { metadata: { intent_id: intentId } },
          expires_at: expiresAt,
          locale: 'zh',
          success_url: withQuery(body.returnUrl, { intent: intentId, session_id: '{CHECKOUT_SESSION_ID}' }),
          cancel_url: withQuery(body.returnUrl, { intent: intentId, cancelled: '1' }),
        },
        { idempotencyKey: `checkout-${intentId}` },
      );
    } catch (err) {
      console.error('checkout session could not be created:', err instanceof Error ? err.message : err);
      await one(deps.db, claims, 'select billing.cancel_intent($1, $2)', [
        intentId,
        'provider refused the checkout',
      ]);
      throw new HttpError(502, 'billing.payment_unavailable', 'The payment provider is not available.');
    }
    if (session.amount_total !== amountFen) {
      // Never send a payer to a session for another amount than the one recomputed here.
      await deps.stripe.checkout.sessions.expire(session.id).catch(() => {});
      await one(deps.db, claims, 'select billing.cancel_intent($1, $2)', [intentId, 'amount mismatch']);
      throw new HttpError(502, 'billing.payment_unavailable', 'The checkout amount did not match.');
    }
    await one(deps.db, claims, 'select billing.attach_checkout($1, $2, $3, to_timestamp($4))', [
      intentId,
      session.id,
      session.url,
      session.expires_at,
    ]);
    return json({ intentId, url: session.url, amountFen, reused: false });
  }

  async function refund(req: Request, claims: Record<string, unknown>): Promise<Response> {
    const { refundId } = await readJson(req, refundBody);
    const r = await sql(deps.db, claims, async (tx) => {
      const rows = await tx.query('select * from billing.refund_for_provider($1)', [refundId]);
      return rows.rows[0] as {
        provider: string;
        provider_payment_id: string | null;
        amount_fen: number | string;
        status: string;
      };
    });
    if (r.status !== 'pending') return json({ refundId, status: r.status });
    if (r.provider === 'offline' || !r.provider_payment_id) {
      throw new HttpError(
        422,
        'billing.payment_not_refundable',
        'Only online payments are refunded through the provider.',
      );
    }
    const created = await deps.stripe.refunds.create(
      {
        payment_intent: r.provider_payment_id,
        amount: Number(r.amount_fen),
        metadata: { refund_id: refundId },
      },
      { idempotencyKey: `refund-${refundId}` },
    );
    const outcome = await sql(deps.db, claims, async (tx) => {
      const rows = await tx.query('select billing.apply_refund_result($1, $2, $3) as outcome', [
        refundId,
        created.status,
        created.id,
      ]);
      return rows.rows[0].outcome as string;
    });
    return json({ refundId, status: created.status, outcome });
  }

  return withCors(
    handleErrors(async (req) => {
      const caller = callerFromVerifiedJwt(req);
      if (caller.role !== 'authenticated' || !caller.userId) {
        throw new HttpError(403, 'forbidden', 'Sign in to pay.');
      }
      if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use POST.');
      const action = new URL(req.url).pathname.split('/').filter(Boolean).at(-1);
      if (action === 'checkout') return checkout(req, caller.claims);
      if (action === 'refund') return refund(req, caller.claims);
      throw new HttpError(404, 'not_found', 'Unknown payments action.');
    }),
  );
}
