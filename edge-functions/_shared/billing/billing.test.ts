import { assertEquals, assertThrows } from '../../_testing/assert.ts';
import {
  paymentsConfig,
  paymentsEnvSchema,
  returnUrlAllowed,
  SANDBOX_API_KEY,
  SANDBOX_WEBHOOK_SECRET,
} from './config.ts';
import { decodeStripeForm, stripeSignature } from './form.ts';
import { createStripe, cryptoProvider } from './stripe.ts';

Deno.test('the sandbox is the default, pointed at the payments-sandbox function', () => {
  const config = paymentsConfig(paymentsEnvSchema.parse({}), 'http://127.0.0.1:54321');
  assertEquals(config.provider, 'sandbox');
  assertEquals(config.secretKey, SANDBOX_API_KEY);
  assertEquals(config.webhookSecret, SANDBOX_WEBHOOK_SECRET);
  assertEquals(config.apiBase?.toString(), 'http://127.0.0.1:54321/functions/v1/payments-sandbox');
  assertEquals(config.returnOrigins, null);
});

Deno.test('real Stripe needs its key, webhook secret and return origins', () => {
  assertEquals(paymentsEnvSchema.safeParse({ PAYMENTS_PROVIDER: 'stripe' }).success, false);
  const env = paymentsEnvSchema.parse({
    PAYMENTS_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: 'sk_live_x',
    STRIPE_WEBHOOK_SECRET: 'whsec_x',
    PAYMENTS_RETURN_ORIGINS: 'https://wuye.example, https://m.wuye.example',
  });
  const config = paymentsConfig(env, 'https://ref.supabase.co');
  assertEquals(config.apiBase, undefined);
  assertEquals(config.returnOrigins, ['https://wuye.example', 'https://m.wuye.example']);
  assertEquals(returnUrlAllowed(config, 'https://wuye.example/bills/return'), true);
  assertEquals(returnUrlAllowed(config, 'https://evil.example/bills/return'), false);
  assertEquals(returnUrlAllowed(config, 'javascript:alert(1)'), false);
  assertThrows(() => paymentsEnvSchema.parse({ STRIPE_SECRET_KEY: 'pk_test_x' }));
});

Deno.test('sandbox return URLs must stay on this machine', () => {
  const config = { returnOrigins: null };
  assertEquals(returnUrlAllowed(config, 'http://127.0.0.1:3000/bills/return'), true);
  assertEquals(returnUrlAllowed(config, 'http://localhost:3100/bills/return'), true);
  assertEquals(returnUrlAllowed(config, 'http://10.0.0.1/bills/return'), false);
});

Deno.test('decodes Stripe form encoding into nested objects and arrays', () => {
  const params = new URLSearchParams(
    'mode=payment&payment_method_types[0]=card&payment_method_types[1]=wechat_pay&line_items[0][price_data][unit_amount]=22375&line_items[0][quantity]=1&payment_method_options[wechat_pay][client]=web&metadata[intent_id]=abc',
  );
  assertEquals(decodeStripeForm(params), {
    mode: 'payment',
    payment_method_types: ['card', 'wechat_pay'],
    line_items: [{ price_data: { unit_amount: '22375' }, quantity: '1' }],
    payment_method_options: { wechat_pay: { client: 'web' } },
    metadata: { intent_id: 'abc' },
  });
});

Deno.test('the sandbox signs webhooks exactly as Stripe does: the stripe library verifies them', async () => {
  const stripe = createStripe({ secretKey: SANDBOX_API_KEY, apiBase: undefined });
  const payload = JSON.stringify({
    id: 'evt_1',
    object: 'event',
    type: 'checkout.session.completed',
    data: { object: {} },
  });
  const now = Math.floor(Date.now() / 1000);
  const header = await stripeSignature(payload, SANDBOX_WEBHOOK_SECRET, now);
  const event = await stripe.webhooks.constructEventAsync(
    payload,
    header,
    SANDBOX_WEBHOOK_SECRET,
    300,
    cryptoProvider,
  );
  assertEquals(event.id, 'evt_1');
  const expected = await stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: SANDBOX_WEBHOOK_SECRET,
    timestamp: now,
  });
  assertEquals(header, expected);
  let rejected = false;
  try {
    await stripe.webhooks.constructEventAsync(
      payload,
      await stripeSignature(payload, SANDBOX_WEBHOOK_SECRET, now - 301),
      SANDBOX_WEBHOOK_SECRET,
      300,
      cryptoProvider,
    );
  } catch {
    rejected = true;
  }
  assertEquals(rejected, true);
});
