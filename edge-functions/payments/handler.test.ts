import { assertEquals } from '../_testing/assert.ts';
import { recordingStripe, scriptedDb } from '../_testing/billing-fakes.ts';
import { fakeJwt } from '../_testing/jwt.ts';
import { createPaymentsHandler } from './handler.ts';

const resident = fakeJwt({ role: 'authenticated', sub: '00000000-0000-4000-8000-000000000101' });
const bills = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
const config = { provider: 'stripe' as const, returnOrigins: ['https://wuye.example'] };
const items = [
  {
    billId: bills[0],
    feeItem: '物业费',
    periodStart: '2026-11-01',
    periodEnd: '2026-11-30',
    amountFen: 22375,
    lateFeeFen: 100,
  },
  {
    billId: bills[1],
    feeItem: '垃圾费',
    periodStart: '2026-11-01',
    periodEnd: '2026-11-30',
    amountFen: 1500,
    lateFeeFen: 0,
  },
];

function post(action: string, body: unknown, token = resident) {
  return new Request(`http://local/payments/${action}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const begun = () =>
  scriptedDb((text) => {
    if (text.includes('start_checkout'))
      return [
        {
          started: {
            begun: { intent_id: 'i-1', amount_fen: 23975, expires_at: '2026-11-22T12:35:00+00:00', items },
          },
        },
      ];
    return [];
  });

Deno.test('checkout: the session is created with the recomputed amount, the three methods and an idempotency key', async () => {
  const db = begun();
  const stripe = recordingStripe({
    createSession: () => ({
      id: 'cs_1',
      url: 'https://checkout.stripe.com/c/cs_1',
      amount_total: 23975,
      expires_at: 1_764_000_000,
    }),
  });
  const res = await createPaymentsHandler({ db, stripe, config })(
    post('checkout', { billIds: bills, returnUrl: 'https://wuye.example/bills/return' }),
  );
  assertEquals(res.status, 200);
  assertEquals(await res.json(), {
    intentId: 'i-1',
    url: 'https://checkout.stripe.com/c/cs_1',
    amountFen: 23975,
    reused: false,
  });
  const [params, options] = stripe.calls[0].args as [Record<string, unknown>, Record<string, unknown>];
  assertEquals(options, { idempotencyKey: 'checkout-i-1' });
  assertEquals(params.payment_method_types, ['card', 'alipay', 'wechat_pay']);
  assertEquals(params.payment_method_options, { wechat_pay: { client: 'web' } });
  assertEquals(params.client_reference_id, 'i-1');
  assertEquals(
    (params.line_items as { price_data: { unit_amount: number; currency: string } }[]).map((l) => [
      l.price_data.currency,
      l.price_data.unit_amount,
    ]),
    [
      ['cny', 22475],
      ['cny', 1500],
    ],
  );
  assertEquals(
    params.success_url,
    'https://wuye.example/bills/return?intent=i-1&session_id={CHECKOUT_SESSION_ID}',
  );
  const start = db.calls.find((c) => c.text.includes('start_checkout'));
  assertEquals(start?.role, 'caller');
  assertEquals(start?.values, [bills, 'stripe', ['card', 'alipay', 'wechat_pay'], '35 minutes']);
  const attach = db.calls.find((c) => c.text.includes('attach_checkout'));
  assertEquals(attach?.role, 'caller');
  assertEquals(attach?.values.slice(0, 2), ['i-1', 'cs_1']);
});

Deno.test('checkout: a provider failure releases the bills and answers 502', async () => {
  const db = begun();
  const stripe = recordingStripe({ createSession: () => new Error('Stripe is down') });
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    const res = await createPaymentsHandler({ db, stripe, config })(
      post('checkout', { billIds: bills, returnUrl: 'https://wuye.example/bills/return' }),
    );
    assertEquals(res.status, 502);
    assertEquals((await res.json()).code, 'billing.payment_unavailable');
  } finally {
    console.error = original;
  }
  assertEquals(db.calls.at(-1)?.text.includes('cancel_intent'), true);
  assertEquals(errors.length, 1);
});

Deno.test('checkout: a session for another amount is never handed out', async () => {
  const db = begun();
  const stripe = recordingStripe({
    createSession: () => ({ id: 'cs_1', url: 'x', amount_total: 1, expires_at: 0 }),
    expireSession: () => ({ id: 'cs_1', status: 'expired' }),
  });
  const res = await createPaymentsHandler({ db, stripe, config })(
    post('checkout', { billIds: bills, returnUrl: 'https://wuye.example/bills/return' }),
  );
  assertEquals(res.status, 502);
  assertEquals(stripe.calls[1].method, 'sessions.expire');
});

Deno.test('checkout: locked bills, foreign return URLs and anonymous callers are refused', async () => {
  const locked = scriptedDb((text) =>
    text.includes('start_checkout') ? Object.assign(new Error('billing.bill_locked'), { code: '55P03' }) : [],
  );
  const handler = createPaymentsHandler({ db: locked, stripe: recordingStripe({}), config });
  const res = await handler(post('checkout', { billIds: bills, returnUrl: 'https://wuye.example/r' }));
  assertEquals([res.status, (await res.json()).code], [409, 'billing.bill_locked']);
  const foreign = await handler(post('checkout', { billIds: bills, returnUrl: 'https://evil.example/r' }));
  assertEquals(foreign.status, 400);
  await foreign.body?.cancel();
  const anon = await handler(
    post('checkout', { billIds: bills, returnUrl: 'https://wuye.example/r' }, fakeJwt({ role: 'anon' })),
  );
  assertEquals(anon.status, 403);
  await anon.body?.cancel();
});

Deno.test('checkout: the same open checkout is reused; another one is expired at Stripe first', async () => {
  const open = (billIds: string[]) =>
    scriptedDb((text) => {
      if (text.includes('start_checkout'))
        return [
          {
            started: {
              open: [
                {
                  intent_id: 'i-0',
                  status: 'pending',
                  checkout_session_id: 'cs_0',
                  checkout_url: 'https://checkout.stripe.com/c/cs_0',
                  expires_at: new Date(Date.now() + 20 * 60_000).toISOString(),
                  bill_ids: billIds,
                },
              ],
            },
          },
        ];
      if (text.includes('begin_payment'))
        return [
          { intent_id: 'i-1', amount_fen: 1500, expires_at: '2026-11-22T12:35:00Z', items: [items[1]] },
        ];
      return [];
    });
  const reuse = await createPaymentsHandler({ db: open(bills), stripe: recordingStripe({}), config })(
    post('checkout', { billIds: [...bills].reverse(), returnUrl: 'https://wuye.example/r' }),
  );
  assertEquals(await reuse.json(), {
    intentId: 'i-0',
    url: 'https://checkout.stripe.com/c/cs_0',
    reused: true,
  });

  const db = open(bills);
  const stripe = recordingStripe({
    expireSession: () => ({ id: 'cs_0', status: 'expired' }),
    createSession: () => ({ id: 'cs_1', url: 'u', amount_total: 1500, expires_at: 0 }),
  });
  const res = await createPaymentsHandler({ db, stripe, config })(
    post('checkout', { billIds: [bills[1]], returnUrl: 'https://wuye.example/r' }),
  );
  assertEquals(res.status, 200);
  await res.body?.cancel();
  assertEquals(
    stripe.calls.map((c) => c.method),
    ['sessions.expire', 'sessions.create'],
  );
  assertEquals(
    db.calls.some((c) => c.text.includes('cancel_intent') && c.values[0] === 'i-0'),
    true,
  );
});

Deno.test('refund: staff refunds go to the provider with the refund id as idempotency key', async () => {
  const db = scriptedDb((text) =>
    text.includes('refund_for_provider')
      ? [{ provider: 'stripe', provider_payment_id: 'pi_1', amount_fen: '23975', status: 'pending' }]
      : [{ outcome: 'refund_succeeded' }],
  );
  const stripe = recordingStripe({ createRefund: () => ({ id: 're_1', status: 'succeeded' }) });
  const res = await createPaymentsHandler({ db, stripe, config })(post('refund', { refundId: bills[0] }));
  assertEquals(await res.json(), { refundId: bills[0], status: 'succeeded', outcome: 'refund_succeeded' });
  assertEquals(stripe.calls[0].args, [
    { payment_intent: 'pi_1', amount: 23975, metadata: { refund_id: bills[0] } },
    { idempotencyKey: `refund-${bills[0]}` },
  ]);
});
