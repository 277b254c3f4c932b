import { SANDBOX_WEBHOOK_SECRET } from '@shared/billing/config.ts';
import { stripeSignature } from '@shared/billing/form.ts';
import { assertEquals, assertMatch } from '../_testing/assert.ts';
import { recordingStripe, scriptedDb } from '../_testing/billing-fakes.ts';
import { createWebhookHandler } from './handler.ts';

const config = { provider: 'sandbox' as const, webhookSecret: SANDBOX_WEBHOOK_SECRET };

async function signed(event: object, secret = SANDBOX_WEBHOOK_SECRET, age = 0) {
  const payload = JSON.stringify(event);
  return new Request('http://local/payments-webhook', {
    method: 'POST',
    headers: {
      'Stripe-Signature': await stripeSignature(payload, secret, Math.floor(Date.now() / 1000) - age),
    },
    body: payload,
  });
}
const event = (type: string, object: object) => ({
  id: 'evt_test_1',
  object: 'event',
  type,
  created: 1_764_000_000,
  data: { object },
});

Deno.test('a forged, missing or stale signature is a 400 and touches nothing', async () => {
  const db = scriptedDb(() => []);
  const handler = createWebhookHandler({ db, stripe: recordingStripe({}), config });
  const body = event('checkout.session.completed', { id: 'cs_1' });
  for (const req of [
    await signed(body, 'whsec_wrong'),
    await signed(body, SANDBOX_WEBHOOK_SECRET, 301),
    new Request('http://local/payments-webhook', { method: 'POST', body: JSON.stringify(body) }),
  ]) {
    const res = await handler(req);
    assertEquals(res.status, 400);
    assertEquals((await res.json()).code, 'invalid_signature');
  }
  assertEquals(db.calls.length, 0);
});

Deno.test('a checkout event is applied with the session as fetched again, and the charge’s method', async () => {
  const db = scriptedDb((text) =>
    text.includes('apply_checkout_event') ? [{ applied: { outcome: 'settled', paymentId: 'p1' } }] : [],
  );
  const stripe = recordingStripe({
    retrieveSession: () => ({
      id: 'cs_1',
      payment_status: 'paid',
      amount_total: 23875,
      payment_method_types: ['card', 'alipay', 'wechat_pay'],
      payment_intent: { id: 'pi_1', latest_charge: { payment_method_details: { type: 'wechat_pay' } } },
    }),
  });
  const res = await createWebhookHandler({ db, stripe, config })(
    await signed(event('checkout.session.completed', { id: 'cs_1', payment_status: 'unpaid' })),
  );
  assertEquals(res.status, 200);
  assertEquals(await res.json(), { received: true, outcome: 'settled' });
  assertEquals(stripe.calls[0], {
    method: 'sessions.retrieve',
    args: ['cs_1', { expand: ['payment_intent.latest_charge'] }],
  });
  const call = db.calls.find((c) => c.text.includes('apply_checkout_event'));
  assertEquals(call?.role, 'service');
  assertEquals(call?.values.slice(0, 3), ['sandbox', 'evt_test_1', 'checkout.session.completed']);
  assertEquals(JSON.parse(String(call?.values[4])).payment_intent, 'pi_1');
  assertEquals(call?.values[5], 'wechat_pay');
});

Deno.test('money for settled bills is refunded at once, with the refund id as idempotency key', async () => {
  const db = scriptedDb((text) =>
    text.includes('apply_checkout_event')
      ? [
          {
            applied: {
              outcome: 'duplicate_payment',
              refund: { refundId: 'r1', providerPaymentId: 'pi_9', amountFen: 500 },
            },
          },
        ]
      : [{ apply_refund_result: 'refund_succeeded' }],
  );
  const stripe = recordingStripe({
    retrieveSession: () => ({
      id: 'cs_9',
      payment_status: 'paid',
      payment_method_types: ['card'],
      payment_intent: 'pi_9',
    }),
    createRefund: () => ({ id: 're_1', status: 'succeeded' }),
  });
  const res = await createWebhookHandler({ db, stripe, config })(
    await signed(event('checkout.session.completed', { id: 'cs_9' })),
  );
  assertEquals((await res.json()).outcome, 'duplicate_payment');
  assertEquals(stripe.calls[1], {
    method: 'refunds.create',
    args: [
      { payment_intent: 'pi_9', amount: 500, metadata: { refund_id: 'r1' } },
      { idempotencyKey: 'refund-r1' },
    ],
  });
  assertEquals(db.calls.at(-1)?.values, ['r1', 'succeeded', 're_1']);
});

Deno.test('a database failure answers 500 so the provider delivers again', async () => {
  const db = scriptedDb(() => new Error('connection reset'));
  const stripe = recordingStripe({
    retrieveSession: () => ({ id: 'cs_1', payment_status: 'paid', payment_method_types: ['card'] }),
  });
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    const res = await createWebhookHandler({ db, stripe, config })(
      await signed(event('checkout.session.expired', { id: 'cs_1' })),
    );
    assertEquals(res.status, 500);
  } finally {
    console.error = original;
  }
  assertEquals(errors.length, 1);
});

Deno.test('other event types are acknowledged without effect', async () => {
  const db = scriptedDb(() => []);
  const res = await createWebhookHandler({ db, stripe: recordingStripe({}), config })(
    await signed(event('customer.created', { id: 'cus_1' })),
  );
  assertMatch(JSON.stringify(await res.json()), /ignored:event_type/);
  assertEquals(db.calls.length, 0);
});

Deno.test('charge.refunded: the charge’s refunds are listed again from the provider and applied once, as the service role', async () => {
  const db = scriptedDb((text) =>
    text.includes('apply_charge_refunded_event')
      ? [{ applied: { outcome: 'refund_succeeded', applied: 2 } }]
      : [],
  );
  const stripe = recordingStripe({});
  const listed = [
    { id: 're_2', amount: 300, status: 'succeeded', metadata: { refund_id: 'r2' } },
    { id: 're_1', amount: 500, status: 'succeeded', metadata: { refund_id: 'r1' } },
  ];
  Object.assign(stripe.refunds, {
    list: async (params: unknown) => {
      stripe.calls.push({ method: 'refunds.list', args: [params] });
      return { object: 'list', data: listed, has_more: false };
    },
  });
  // The event's own snapshot is stale (one refund); the provider's list is what counts.
  const res = await createWebhookHandler({ db, stripe, config })(
    await signed(
      event('charge.refunded', {
        id: 'ch_9',
        object: 'charge',
        payment_intent: 'pi_9',
        amount_refunded: 500,
        refunds: { data: [listed[1]] },
      }),
    ),
  );
  assertEquals(res.status, 200);
  assertEquals(await res.json(), { received: true, outcome: 'refund_succeeded' });
  assertEquals(stripe.calls, [{ method: 'refunds.list', args: [{ payment_intent: 'pi_9', limit: 100 }] }]);
  const call = db.calls.find((c) => c.text.includes('apply_charge_refunded_event'));
  assertEquals(call?.role, 'service');
  assertEquals(call?.values.slice(0, 3), ['sandbox', 'evt_test_1', 'charge.refunded']);
  assertEquals(JSON.parse(String(call?.values[4])), listed);
});

Deno.test('refund.updated and charge.refund.updated carry the Refund and complete it by its metadata', async () => {
  for (const type of ['refund.updated', 'charge.refund.updated']) {
    const db = scriptedDb((text) =>
      text.includes('apply_refund_event') ? [{ applied: { outcome: 'refund_failed', refundId: 'r3' } }] : [],
    );
    const refund = {
      id: 're_3',
      object: 'refund',
      amount: 100,
      status: 'failed',
      metadata: { refund_id: 'r3' },
    };
    const res = await createWebhookHandler({ db, stripe: recordingStripe({}), config })(
      await signed(event(type, refund)),
    );
    assertEquals((await res.json()).outcome, 'refund_failed');
    const call = db.calls.find((c) => c.text.includes('apply_refund_event'));
    assertEquals(call?.values.slice(1, 3), ['evt_test_1', type]);
    assertEquals(JSON.parse(String(call?.values[4])), refund);
  }
});
