import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../../../platform/src/jwt';
import {
  createFunctionsService,
  defaultFunctionsOptions,
} from '../../../platform/src/services/functions/service';
import {
  type BillingWorld,
  billsOf,
  buildBillingWorld,
  publishAsService,
} from '../../../tests/support/billing-world';
import { startTestPlatform, type TestPlatform } from '../../../tests/support/platform';
import { type StripeFake, startStripeFake } from '../../../tests/support/stripe-fake';

/**
 * The payment functions on the real local platform (Deno workers behind the gateway), with
 * the real `stripe` client inside them pointed at a local Stripe fake, and webhooks signed by
 * the real `stripe` library (generateTestHeaderString).
 */
const WEBHOOK_SECRET = 'whsec_test_billing_integration';
const RETURN_URL = 'http://app.test/bills/return';
const stripe = new Stripe('sk_test_node_side');

let fake: StripeFake;
let platform: TestPlatform;
let w: BillingWorld;
let envDir: string;

beforeAll(async () => {
  fake = await startStripeFake();
  envDir = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-fn-env-'));
  const envFile = path.join(envDir, 'functions.env');
  fs.writeFileSync(
    envFile,
    [
      'PAYMENTS_PROVIDER=stripe',
      'STRIPE_SECRET_KEY=sk_test_billing_integration',
      `STRIPE_WEBHOOK_SECRET=${WEBHOOK_SECRET}`,
      `STRIPE_API_BASE=${fake.url}`,
      'PAYMENTS_RETURN_ORIGINS=http://app.test',
    ].join('\n'),
  );
  platform = await startTestPlatform({
    factories: [
      (ctx) => createFunctionsService(ctx, { ...defaultFunctionsOptions(ctx), envFile, watch: false }),
    ],
  });
  w = await buildBillingWorld(platform.sql);
  await w.read(w.meters.u1, '2026-10-31', 100);
  await w.read(w.meters.u1, '2026-11-30', 130);
  await publishAsService(platform.sql, w.communities.c1, '2026-11-01');
}, 120_000);

afterAll(async () => {
  await platform?.close();
  await fake?.close();
  if (envDir) fs.rmSync(envDir, { recursive: true, force: true });
});

async function tokenOf(persona: keyof BillingWorld['users']): Promise<string> {
  const { claims } = w.users[persona];
  return signAccessToken(platform.keys, { ...claims, aud: 'authenticated' } as never, 3600);
}

async function callPayments(persona: keyof BillingWorld['users'], action: string, body: unknown) {
  const res = await fetch(`${platform.url}/functions/v1/payments/${action}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${await tokenOf(persona)}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & {
      intentId?: string;
      code?: string;
      outcome?: string;
      url?: string;
    },
  };
}

let eventSeq = 0;
function event(type: string, object: Record<string, unknown>, id = `evt_test_${++eventSeq}_${Date.now()}`) {
  return {
    id,
    object: 'event',
    type,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: { object },
  };
}

async function deliver(evt: object, opts: { secret?: string; timestamp?: number } = {}) {
  const payload = JSON.stringify(evt);
  const header = stripe.webhooks.generateTestHeaderString({
    payload,
    secret: opts.secret ?? WEBHOOK_SECRET,
    ...(opts.timestamp ? { timestamp: opts.timestamp } : {}),
  });
  const res = await fetch(`${platform.url}/functions/v1/payments-webhook`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': header },
    body: payload,
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & {
      intentId?: string;
      code?: string;
      outcome?: string;
      url?: string;
    },
  };
}

const unpaid = async (unitId: string) =>
  (await billsOf(platform.sql, unitId)).filter((b) => b.status === 'unpaid');

describe('checkout', () => {
  let intentId: string;
  let sessionId: string;

  it('creates a Stripe Checkout session with the amount recomputed on the server', async () => {
    const bills = await unpaid(w.units.u1.id);
    expect(bills).toHaveLength(2);
    const res = await callPayments('owner_u1', 'checkout', {
      billIds: bills.map((b) => b.id),
      returnUrl: RETURN_URL,
    });
    expect(res.status).toBe(200);
    intentId = String(res.body.intentId);
    const creates = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions');
    expect(creates).toHaveLength(1);
    const sent = creates[0];
    expect(sent.idempotencyKey).toBe(`checkout-${intentId}`);
    expect(sent.authorization).toBe('Bearer sk_test_billing_integration');
    expect(sent.params).toMatchObject({
      mode: 'payment',
      payment_method_types: ['card', 'alipay', 'wechat_pay'],
      payment_method_options: { wechat_pay: { client: 'web' } },
      client_reference_id: intentId,
      metadata: { intent_id: intentId },
      locale: 'zh',
    });
    const items = sent.params.line_items as Array<{ price_data: { currency: string; unit_amount: string } }>;
    expect(items.map((i) => i.price_data.currency)).toEqual(['cny', 'cny']);
    const total = items.reduce((n, i) => n + Number(i.price_data.unit_amount), 0);
    const intent = await platform.sql.query(
      'select amount_fen::int, status, checkout_session_id from public.payment_intents where id = $1',
      [intentId],
    );
    // 物业费 89.5 m² × 2.50 (plus today's late fee: due 15 November) + 水费 30 m³ × 5.
    expect(total).toBe(intent.rows[0].amount_fen);
    expect(total).toBeGreaterThanOrEqual(22_375 + 15_000);
    expect(res.body.url).toMatch(new RegExp(`^${fake.url}/pay/cs_test_`));
    sessionId = intent.rows[0].checkout_session_id;
    expect(intent.rows[0].status).toBe('pending');
    expect(String(sent.params.success_url)).toContain(`intent=${intentId}`);
    expect(String(sent.params.success_url)).toContain('session_id={CHECKOUT_SESSION_ID}');
  });

  it('returns the same open checkout when asked again, without a second session', async () => {
    const bills = await unpaid(w.units.u1.id);
    const res = await callPayments('owner_u1', 'checkout', {
      billIds: bills.map((b) => b.id),
      returnUrl: RETURN_URL,
    });
    expect(res.body).toMatchObject({ intentId, reused: true });
    expect(
      fake.requests.filter((r) => r.path === '/v1/checkout/sessions' && r.method === 'POST'),
    ).toHaveLength(1);
  });

  it('refuses a second payer while the bills are locked, strangers, and foreign return URLs', async () => {
    await platform.sql.query(
      `update public.occupancies set household_grants = '{bills.read,bills.pay}' where id = $1`,
      [w.occupancies.family_full],
    );
    const bills = await unpaid(w.units.u1.id);
    const second = await callPayments('family_full', 'checkout', {
      billIds: bills.map((b) => b.id),
      returnUrl: RETURN_URL,
    });
    expect(second).toMatchObject({ status: 409, body: { code: 'billing.bill_locked' } });
    const stranger = await callPayments('neighbour_c1', 'checkout', {
      billIds: bills.map((b) => b.id),
      returnUrl: RETURN_URL,
    });
    expect(stranger).toMatchObject({ status: 403, body: { code: 'billing.forbidden' } });
    const phishing = await callPayments('owner_u1', 'checkout', {
      billIds: bills.map((b) => b.id),
      returnUrl: 'https://evil.test/x',
    });
    expect(phishing.status).toBe(400);
  });

  it('rejects webhooks with a wrong signature or an old timestamp', async () => {
    const evt = event('checkout.session.completed', { id: sessionId });
    expect((await deliver(evt, { secret: 'whsec_wrong' })).status).toBe(400);
    expect((await deliver(evt, { timestamp: Math.floor(Date.now() / 1000) - 301 })).status).toBe(400);
    const intent = await platform.sql.query('select status from public.payment_intents where id = $1', [
      intentId,
    ]);
    expect(intent.rows[0].status).toBe('pending');
  });

  it('marks the bills paid only when the webhook says so, once, whatever the deliveries', async () => {
    fake.complete(sessionId, { method: 'card', paid: true });
    const evt = event('checkout.session.completed', { id: sessionId, client_reference_id: intentId });
    const results = await Promise.all([deliver(evt), deliver(evt), deliver(evt)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.map((r) => r.body.outcome).sort()).toEqual([
      'duplicate_event',
      'duplicate_event',
      'settled',
    ]);
    const bills = await billsOf(platform.sql, w.units.u1.id);
    expect(bills.every((b) => b.status === 'paid')).toBe(true);
    const payments = await platform.sql.query(
      `select receipt_no, method, provider, amount_fen::int, status from public.payments where intent_id = $1`,
      [intentId],
    );
    expect(payments.rows).toHaveLength(1);
    expect(payments.rows[0]).toMatchObject({ method: 'card', provider: 'stripe', status: 'succeeded' });
    const events = await platform.sql.query(
      `select count(*)::int as n from billing.payment_events where intent_id = $1`,
      [intentId],
    );
    expect(events.rows[0].n).toBe(1);
    // The session was read back from Stripe (not trusted from the event) with the charge expanded.
    expect(
      fake.requests.some((r) => r.method === 'GET' && r.path === `/v1/checkout/sessions/${sessionId}`),
    ).toBe(true);
  });
});

describe('asynchronous methods and ordering', () => {
  async function startCheckout(unitId: string, persona: keyof BillingWorld['users']) {
    const bills = await unpaid(unitId);
    const res = await callPayments(persona, 'checkout', {
      billIds: bills.map((b) => b.id),
      returnUrl: RETURN_URL,
    });
    expect(res.status).toBe(200);
    const row = await platform.sql.query(
      'select checkout_session_id from public.payment_intents where id = $1',
      [res.body.intentId],
    );
    return {
      intentId: res.body.intentId as string,
      sessionId: row.rows[0].checkout_session_id as string,
      bills,
    };
  }
  const statusOf = async (intentId: string) =>
    (await platform.sql.query('select status from public.payment_intents where id = $1', [intentId])).rows[0]
      .status;

  it('WeChat Pay: completed but unpaid keeps the lock, a failure releases it', async () => {
    const c = await startCheckout(w.units.u2.id, 'neighbour_c1');
    fake.complete(c.sessionId, { method: 'wechat_pay', paid: false });
    expect((await deliver(event('checkout.session.completed', { id: c.sessionId }))).body.outcome).toBe(
      'processing',
    );
    expect(await statusOf(c.intentId)).toBe('processing');
    expect(
      (
        await platform.sql.query(
          'select count(*)::int as n from public.payment_intent_bills where intent_id = $1 and active',
          [c.intentId],
        )
      ).rows[0].n,
    ).toBe(c.bills.length);
    expect(
      (await deliver(event('checkout.session.async_payment_failed', { id: c.sessionId }))).body.outcome,
    ).toBe('failed');
    expect(await statusOf(c.intentId)).toBe('failed');
    expect(await unpaid(w.units.u2.id)).toHaveLength(c.bills.length);
  });

  it('Alipay: success arriving before "completed" settles, and the late "completed" changes nothing', async () => {
    const c = await startCheckout(w.units.u2.id, 'neighbour_c1');
    fake.complete(c.sessionId, { method: 'alipay', paid: true });
    const succeeded = await deliver(event('checkout.session.async_payment_succeeded', { id: c.sessionId }));
    expect(succeeded.body.outcome).toBe('settled');
    const late = await deliver(event('checkout.session.completed', { id: c.sessionId }));
    expect(late.body.outcome).toBe('ignored:already_settled');
    const expired = await deliver(event('checkout.session.expired', { id: c.sessionId }));
    expect(expired.body.outcome).toBe('ignored:already_settled');
    const payment = await platform.sql.query(
      'select method, status from public.payments where intent_id = $1',
      [c.intentId],
    );
    expect(payment.rows).toEqual([{ method: 'alipay', status: 'succeeded' }]);
    expect(await unpaid(w.units.u2.id)).toHaveLength(0);
  });

  it('an abandoned checkout that expires releases the bills; a new checkout expires the old session first', async () => {
    const u3Bills = await unpaid(w.units.u3.id);
    // Staff are not residents of U3: they take payments at the front desk, not through checkout.
    expect(
      (
        await callPayments('admin_a', 'checkout', {
          billIds: u3Bills.map((b) => b.id),
          returnUrl: RETURN_URL,
        })
      ).status,
    ).toBe(403);
    await platform.sql.query(
      `insert into public.occupancies (unit_id, user_id, relation, name, move_in_date) values ($1, $2, 'owner', '业主丙', '2020-01-01')`,
      [w.units.u3.id, w.users.stranger.id],
    );
    await publishAsService(platform.sql, w.communities.c1, '2026-12-01');
    const first = await startCheckout(w.units.u3.id, 'stranger');
    const bills = await unpaid(w.units.u3.id);
    expect(bills).toHaveLength(2);
    // Paying a different set: the open session is expired at Stripe before the new one is made.
    const res = await callPayments('stranger', 'checkout', { billIds: [bills[0].id], returnUrl: RETURN_URL });
    expect(res.status).toBe(200);
    expect(fake.sessions.get(first.sessionId)?.status).toBe('expired');
    expect(await statusOf(first.intentId)).toBe('cancelled');
    // Its expiry webhook arrives later and changes nothing.
    expect((await deliver(event('checkout.session.expired', { id: first.sessionId }))).body.outcome).toBe(
      'ignored:cancelled',
    );
    const second = (
      await platform.sql.query('select checkout_session_id from public.payment_intents where id = $1', [
        res.body.intentId,
      ])
    ).rows[0];
    expect(
      (await deliver(event('checkout.session.expired', { id: second.checkout_session_id }))).body.outcome,
    ).toBe('expired');
    expect(await statusOf(String(res.body.intentId))).toBe('expired');
  });

  it('money for bills settled meanwhile is kept as a duplicate and refunded automatically', async () => {
    const bills = await unpaid(w.units.u3.id);
    const c = await startCheckout(w.units.u3.id, 'stranger');
    // The checkout is abandoned without a webhook; after its expiry the front desk takes cash.
    await platform.sql.query(
      `update public.payment_intents set expires_at = now() - interval '1 hour' where id = $1`,
      [c.intentId],
    );
    const admin = platform.sql;
    await admin.query('begin');
    await admin.query(`select set_config('role', 'service_role', true)`);
    await admin.query(`select billing.record_offline_payment($1::uuid[], 'cash', '业主丙')`, [
      bills.map((b) => b.id),
    ]);
    await admin.query('commit');
    // …and then the payer's late success arrives.
    fake.complete(c.sessionId, { method: 'card', paid: true });
    const late = await deliver(event('checkout.session.completed', { id: c.sessionId }));
    expect(late.body.outcome).toBe('duplicate_payment');
    const refunds = fake.requests.filter((r) => r.path === '/v1/refunds');
    expect(refunds).toHaveLength(1);
    const payment = await platform.sql.query(
      `select p.status, p.amount_fen::int, r.status as refund_status, r.id as refund_id from public.payments p
       join public.refunds r on r.payment_id = p.id where p.intent_id = $1`,
      [c.intentId],
    );
    expect(payment.rows[0]).toMatchObject({ status: 'refunded', refund_status: 'succeeded' });
    expect(refunds[0].idempotencyKey).toBe(`refund-${payment.rows[0].refund_id}`);
    expect(refunds[0].params).toMatchObject({
      amount: String(payment.rows[0].amount_fen),
      metadata: { refund_id: payment.rows[0].refund_id },
    });
    // The bills stay paid by the cash payment.
    expect(
      (await billsOf(platform.sql, w.units.u3.id))
        .filter((b) => bills.some((x) => x.id === b.id))
        .every((b) => b.status === 'paid'),
    ).toBe(true);
  });

  it('staff refunds go through Stripe with an idempotency key and settle on the refund webhook', async () => {
    const payment = (
      await platform.sql.query(
        `select p.id from public.payments p join public.payment_intents i on i.id = p.intent_id
        where i.user_id = $1 and p.status = 'succeeded'`,
        [w.users.owner_u1.id],
      )
    ).rows[0];
    const client = await platform.sql.connect();
    let refundId: string;
    try {
      await client.query('begin');
      await client.query(
        `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
        [JSON.stringify(w.users.finance_a.claims)],
      );
      refundId = (
        await client.query(`select refund_id from billing.request_refund($1, '重复缴纳')`, [payment.id])
      ).rows[0].refund_id;
      await client.query('commit');
    } finally {
      client.release();
    }
    const denied = await callPayments('front_desk_c1', 'refund', { refundId });
    expect(denied.status).toBe(403);
    const res = await callPayments('finance_a', 'refund', { refundId });
    expect(res).toMatchObject({ status: 200, body: { status: 'succeeded', outcome: 'refund_succeeded' } });
    const call = fake.requests.filter((r) => r.path === '/v1/refunds').at(-1);
    expect(call?.idempotencyKey).toBe(`refund-${refundId}`);
    // The refund webhook that follows is recorded and changes nothing more.
    const refundObj = [...fake.refunds.values()].find(
      (r) => (r.metadata as Record<string, string>).refund_id === refundId,
    );
    expect((await deliver(event('refund.created', refundObj as Record<string, unknown>))).body.outcome).toBe(
      'ignored:succeeded',
    );
    const refunded = await platform.sql.query(
      'select distinct status from public.bills where payment_id = $1',
      [payment.id],
    );
    expect(refunded.rows).toEqual([{ status: 'refunded' }]);
  });
});

describe('reminders job', () => {
  it('needs the secret key, and reminds once per bill and offset', async () => {
    const anon = await fetch(`${platform.url}/functions/v1/reminders`, { method: 'POST', body: '{}' });
    expect(anon.status).toBe(401);
    const call = () =>
      fetch(`${platform.url}/functions/v1/reminders`, {
        method: 'POST',
        headers: { apikey: platform.keys.secretKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ today: '2026-12-08' }),
      }).then((r) => r.json() as Promise<{ reminders: number; notifications: number }>);
    await publishAsService(platform.sql, w.communities.c1, '2026-12-01');
    const first = await call();
    expect(first.reminders).toBeGreaterThan(0);
    const second = await call();
    expect(second).toMatchObject({ reminders: 0, notifications: 0 });
    const offsets = await platform.sql.query(`select distinct offset_days from billing.bill_reminders`);
    expect(offsets.rows.map((r) => r.offset_days)).toEqual([7]);
  });
});

describe('prepayment and partial refunds through the functions', () => {
  /** SQL as a persona, in one transaction (role and claims as withUser sets them). */
  async function asPersona<T>(
    persona: keyof BillingWorld['users'],
    sql: string,
    values: unknown[],
  ): Promise<T[]> {
    const client = await platform.sql.connect();
    try {
      await client.query('begin');
      await client.query(
        `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
        [JSON.stringify(w.users[persona].claims)],
      );
      const r = await client.query(sql, values);
      await client.query('commit');
      return r.rows as T[];
    } catch (err) {
      await client.query('rollback');
      throw err;
    } finally {
      client.release();
    }
  }
  const reserve = async (persona: keyof BillingWorld['users'], unitId: string, months: number) =>
    (
      await asPersona<{ prepayment_id: string; bill_ids: string[]; net_fen: number }>(
        persona,
        'select * from billing.reserve_prepayment($1, $2, $3)',
        [unitId, w.items.property, months],
      )
    )[0];
  let paymentId: string;
  let paymentIntent: string;

  it('a prepayment goes through the ordinary checkout: one line per prepaid bill, net of the discount', async () => {
    await platform.sql.query('update public.fee_items set prepay_max_months = 12 where id = $1', [
      w.items.property,
    ]);
    const reserved = await reserve('owner_u1', w.units.u1.id, 12);
    expect(reserved.bill_ids).toHaveLength(12);
    const before = fake.requests.length;
    const res = await callPayments('owner_u1', 'checkout', {
      billIds: reserved.bill_ids,
      returnUrl: RETURN_URL,
    });
    expect(res.status).toBe(200);
    const create = fake.requests
      .slice(before)
      .find((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions');
    expect(create?.idempotencyKey).toBe(`checkout-${res.body.intentId}`);
    const items = create?.params.line_items as Array<{ price_data: { unit_amount: string } }>;
    expect(items).toHaveLength(12);
    // 89.5 m² × 2.50 = 223.75 a month; 12 months at 5 % off = 2,550.75, spread over the bills.
    expect(items.reduce((n, i) => n + Number(i.price_data.unit_amount), 0)).toBe(255_075);
    expect(Number(reserved.net_fen)).toBe(255_075);

    const intent = (
      await platform.sql.query('select checkout_session_id from public.payment_intents where id = $1', [
        res.body.intentId,
      ])
    ).rows[0];
    const session = fake.complete(intent.checkout_session_id, { method: 'card', paid: true });
    paymentIntent = String(session.payment_intent);
    const evt = event('checkout.session.completed', { id: intent.checkout_session_id });
    const outcomes = await Promise.all([deliver(evt), deliver(evt)]);
    expect(outcomes.map((o) => o.body.outcome).sort()).toEqual(['duplicate_event', 'settled']);
    const settled = await platform.sql.query(
      `select p.status as prepayment, pay.id as payment_id, (select array_agg(distinct b.status::text) from public.bills b
         where b.prepayment_id = p.id) as bills
       from public.prepayments p join public.payments pay on pay.id = p.payment_id where p.id = $1`,
      [reserved.prepayment_id],
    );
    expect(settled.rows[0]).toMatchObject({ prepayment: 'paid', bills: ['paid'] });
    paymentId = settled.rows[0].payment_id;
  });

  it('an expired prepayment checkout removes its bills (through the webhook)', async () => {
    const reserved = await reserve('neighbour_c1', w.units.u2.id, 3);
    const res = await callPayments('neighbour_c1', 'checkout', {
      billIds: reserved.bill_ids,
      returnUrl: RETURN_URL,
    });
    expect(res.status).toBe(200);
    const intent = (
      await platform.sql.query('select checkout_session_id from public.payment_intents where id = $1', [
        res.body.intentId,
      ])
    ).rows[0];
    fake.sessions.set(intent.checkout_session_id, {
      ...(fake.sessions.get(intent.checkout_session_id) as NonNullable<ReturnType<typeof fake.sessions.get>>),
      status: 'expired',
    });
    expect(
      (await deliver(event('checkout.session.expired', { id: intent.checkout_session_id }))).body.outcome,
    ).toBe('expired');
    const left = await platform.sql.query(
      'select count(*)::int as n from public.bills where id = any ($1::uuid[])',
      [reserved.bill_ids],
    );
    expect(left.rows[0].n).toBe(0);
  });

  it('partial refunds go to Stripe with their amount and idempotency key; charge.refunded and refund.* are applied once', async () => {
    const bills = (
      await platform.sql.query<{ bill_id: string; paid: number }>(
        `select bill_id, (amount_fen + late_fee_fen)::int as paid from public.payment_bills where payment_id = $1
         order by bill_id`,
        [paymentId],
      )
    ).rows;
    const refundOf = async (items: object[] | null, reason: string) =>
      (
        await asPersona<{ refund_id: string; status: string }>(
          'finance_a',
          'select * from billing.request_refund($1, $2, $3::jsonb)',
          [paymentId, reason, items ? JSON.stringify(items) : null],
        )
      )[0];

    const first = await refundOf([{ billId: bills[0].bill_id, amountFen: 1_000 }], '部分退款：多收');
    expect(first.status).toBe('pending');
    expect((await callPayments('front_desk_c1', 'refund', { refundId: first.refund_id })).status).toBe(403);
    const res = await callPayments('finance_a', 'refund', { refundId: first.refund_id });
    expect(res).toMatchObject({ status: 200, body: { status: 'succeeded', outcome: 'refund_succeeded' } });
    const call = fake.requests.filter((r) => r.path === '/v1/refunds' && r.method === 'POST').at(-1);
    expect(call).toMatchObject({
      idempotencyKey: `refund-${first.refund_id}`,
      params: { payment_intent: paymentIntent, amount: '1000', metadata: { refund_id: first.refund_id } },
    });
    // Asked again (a retry): the same Stripe refund (idempotency key), nothing more.
    const again = await callPayments('finance_a', 'refund', { refundId: first.refund_id });
    expect(again.body).toMatchObject({ status: 'succeeded' });

    const second = await refundOf([{ billId: bills[1].bill_id, amountFen: bills[1].paid }], '第二个月退订');
    expect((await callPayments('finance_a', 'refund', { refundId: second.refund_id })).status).toBe(200);

    // Stripe then tells us: charge.refunded (twice) and refund.created. The function lists the
    // charge's refunds again and finds both already applied.
    const charge = { id: `ch_${paymentIntent.slice(3)}`, object: 'charge', payment_intent: paymentIntent };
    const evt = event('charge.refunded', charge);
    const outcomes = await Promise.all([deliver(evt), deliver(evt)]);
    expect(outcomes.map((o) => o.body.outcome).sort()).toEqual(['duplicate_event', 'ignored:no_change']);
    expect(
      fake.requests.some(
        (r) => r.method === 'GET' && r.path === '/v1/refunds' && r.params.payment_intent === paymentIntent,
      ),
    ).toBe(true);
    const refundObj = [...fake.refunds.values()].find(
      (r) => (r.metadata as Record<string, string>).refund_id === second.refund_id,
    );
    expect((await deliver(event('refund.created', refundObj as Record<string, unknown>))).body.outcome).toBe(
      'ignored:succeeded',
    );

    const state = await platform.sql.query(
      `select status, refund_fen::int, amount_fen::int from public.payments where id = $1`,
      [paymentId],
    );
    expect(state.rows[0]).toMatchObject({ status: 'partially_refunded', refund_fen: 1_000 + bills[1].paid });
    const statuses = await platform.sql.query<{ id: string; status: string }>(
      'select id, status from public.bills where id = any ($1::uuid[])',
      [[bills[0].bill_id, bills[1].bill_id]],
    );
    expect(Object.fromEntries(statuses.rows.map((r) => [r.id, r.status]))).toEqual({
      [bills[0].bill_id]: 'partially_refunded',
      [bills[1].bill_id]: 'refunded',
    });

    // What is left, then nothing more: the database refuses before Stripe is asked.
    const rest = await refundOf(null, '退房，余款全退');
    expect((await callPayments('finance_a', 'refund', { refundId: rest.refund_id })).body).toMatchObject({
      status: 'succeeded',
    });
    const stripeCalls = fake.requests.filter((r) => r.path === '/v1/refunds' && r.method === 'POST').length;
    await expect(refundOf([{ billId: bills[2].bill_id, amountFen: 1 }], '多退')).rejects.toMatchObject({
      message: 'billing.payment_not_refundable',
    });
    expect(fake.requests.filter((r) => r.path === '/v1/refunds' && r.method === 'POST')).toHaveLength(
      stripeCalls,
    );
    const total = [...fake.refunds.values()]
      .filter((r) => r.payment_intent === paymentIntent)
      .reduce((n, r) => n + Number(r.amount), 0);
    expect(total).toBe(state.rows[0].amount_fen);
    expect(
      (await platform.sql.query('select status from public.payments where id = $1', [paymentId])).rows[0]
        .status,
    ).toBe('refunded');
  });
});
