/**
 * `payments-sandbox` (verify_jwt = false; local development, PAYMENTS_PROVIDER=sandbox): a
 * Stripe-compatible fake, so the payments code path is the same as with real Stripe.
 *
 * Stripe API (Bearer = the sandbox key), JSON as Stripe sends it, idempotency keys replayed:
 *   POST /v1/checkout/sessions             GET /v1/checkout/sessions/:id (expand payment_intent)
 *   POST /v1/checkout/sessions/:id/expire  POST /v1/refunds (whole or partial, never more than
 *   the unrefunded amount)                 GET /v1/refunds?payment_intent=pi_…
 * The payer's side:
 *   GET  /checkout/:id   a checkout page: pay (WeChat Pay, Alipay or card), fail, or abandon
 *   POST /checkout/:id   applies the choice, delivers the webhooks (signed like Stripe's) and
 *                        redirects to success_url / cancel_url
 * WeChat Pay and Alipay behave asynchronously as on Stripe: checkout.session.completed with
 * payment_status "unpaid", then checkout.session.async_payment_succeeded / _failed. A refund
 * sends refund.created and then charge.refunded (the charge with amount_refunded), as Stripe does.
 */
import type { BillingDb, Sql } from '@shared/billing/db.ts';
import { decodeStripeForm, stripeSignature } from '@shared/billing/form.ts';
import { type Handler, HttpError, handleErrors, json } from '@shared/http.ts';

export type SandboxDeps = {
  db: BillingDb;
  apiKey: string;
  webhookSecret: string;
  /** Where the payer's browser reaches this function (…/functions/v1/payments-sandbox). */
  publicBase: string;
  /** Where webhooks go (…/functions/v1/payments-webhook). */
  webhookUrl: string;
  enabled: boolean;
  now?: () => Date;
};

type Session = Record<string, unknown> & {
  id: string;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid';
  amount_total: number;
  payment_intent: string | null;
  success_url: string;
  cancel_url: string;
  line_items_sandbox: Array<{ name: string; amount: number }>;
  chosen_method?: string;
};

const rand = (prefix: string) =>
  `${prefix}${crypto.randomUUID().replace(/-/g, '')}${crypto.randomUUID().replace(/-/g, '').slice(0, 8)}`;

function stripeError(status: number, message: string, type = 'invalid_request_error'): Response {
  return json({ error: { type, message } }, { status });
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

function publicSession(s: Session): Record<string, unknown> {
  const { line_items_sandbox: _items, chosen_method: _method, ...rest } = s;
  return rest;
}

export function createSandboxHandler(deps: SandboxDeps): Handler {
  const now = () => Math.floor((deps.now?.() ?? new Date()).getTime() / 1000);

  const load = async (sql: Sql, id: string, lock = false) => {
    const r = await sql.query(
      `select object from billing.sandbox_objects where id = $1 ${lock ? 'for update' : ''}`,
      [id],
    );
    return (r.rows[0]?.object as Session | undefined) ?? null;
  };
  const save = (sql: Sql, s: Session) =>
    sql.query(
      'update billing.sandbox_objects set object = $2, payment_intent_id = $3, updated_at = now() where id = $1',
      [s.id, JSON.stringify(s), s.payment_intent],
    );

  async function deliver(type: string, object: Record<string, unknown>): Promise<void> {
    const event = {
      id: rand('evt_'),
      object: 'event',
      api_version: '2025-01-27.acacia',
      created: now(),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object },
    };
    const payload = JSON.stringify(event);
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const res = await fetch(deps.webhookUrl, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'Stripe-Signature': await stripeSignature(payload, deps.webhookSecret, now()),
          },
          body: payload,
        });
        await res.body?.cancel();
        if (res.ok) return;
      } catch (err) {
        console.warn(`sandbox webhook ${type} attempt ${attempt} failed:`, String(err));
      }
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
    console.warn(`sandbox webhook ${type} was not accepted; Stripe would retry for days`);
  }

  function requireKey(req: Request) {
    const auth = req.headers.get('authorization') ?? '';
    if (auth !== `Bearer ${deps.apiKey}`)
      throw new HttpError(401, 'unauthorized', 'Invalid API Key provided.');
  }

  async function readForm(req: Request): Promise<Record<string, unknown>> {
    const text = await req.text();
    return decodeStripeForm(new URLSearchParams(text));
  }

  async function createSession(req: Request): Promise<Response> {
    const params = await readForm(req);
    const key = req.headers.get('idempotency-key');
    type LineParam = {
      quantity?: string;
      price_data?: { unit_amount?: string; currency?: string; product_data?: { name?: string } };
    };
    const items = (params.line_items as LineParam[] | undefined) ?? [];
    const lines = items.map((i) => ({
      name: String(i.price_data?.product_data?.name ?? ''),
      amount: Number(i.price_data?.unit_amount ?? 0) * Number(i.quantity ?? 1),
    }));
    const currency = String(items[0]?.price_data?.currency ?? 'cny');
    if (!lines.length || lines.some((l) => !Number.isInteger(l.amount) || l.amount <= 0)) {
      return stripeError(400, 'line_items are invalid');
    }
    const id = rand('cs_test_');
    const expiresAt = Number(params.expires_at ?? now() + 24 * 3600);
    if (expiresAt < now() + 30 * 60 - 5)
      return stripeError(400, 'expires_at must be at least 30 minutes from now');
    const session: Session = {
      id,
      object: 'checkout.session',
      mode: String(params.mode ?? 'payment'),
      status: 'open',
      payment_status: 'unpaid',
      amount_total: lines.reduce((n, l) => n + l.amount, 0),
      amount_subtotal: lines.reduce((n, l) => n + l.amount, 0),
      currency,
      client_reference_id: (params.client_reference_id as string) ?? null,
      metadata: (params.metadata as Record<string, string>) ?? {},
      payment_method_types: (params.payment_method_types as string[]) ?? ['card'],
      payment_method_options: params.payment_method_options ?? {},
      payment_intent: null,
      success_url: String(params.success_url ?? ''),
      cancel_url: String(params.cancel_url ?? ''),
      expires_at: expiresAt,
      created: now(),
      livemode: false,
      locale: params.locale ?? null,
      url: `${deps.publicBase}/checkout/${id}`,
      line_items_sandbox: lines,
    };
    return deps.db.withService('payments sandbox: create session', async (sql) => {
      if (key) {
        const prior = await sql.query(
          'select request, object from billing.sandbox_objects where idempotency_key = $1',
          [key],
        );
        if (prior.rows[0]) {
          // Stripe replays the saved response for the same key, and refuses other parameters.
          if (JSON.stringify(prior.rows[0].request) !== JSON.stringify(params)) {
            return stripeError(
              400,
              'Keys for idempotent requests can only be used with the same parameters',
              'idempotency_error',
            );
          }
          return json(publicSession(prior.rows[0].object as Session), {
            headers: { 'Idempotent-Replayed': 'true' },
          });
        }
      }
      await sql.query(
        `insert into billing.sandbox_objects (id, kind, idempotency_key, request, object) values ($1, 'checkout.session', $2, $3, $4)`,
        [id, key, JSON.stringify(params), JSON.stringify(session)],
      );
      return json(publicSession(session));
    });
  }

  function expanded(s: Session, expand: string[]): Record<string, unknown> {
    const out = publicSession(s);
    if (s.payment_intent && expand.some((e) => e === 'payment_intent' || e.startsWith('payment_intent.'))) {
      out.payment_intent = {
        id: s.payment_intent,
        object: 'payment_intent',
        amount: s.amount_total,
        currency: s.currency,
        status: s.payment_status === 'paid' ? 'succeeded' : 'processing',
        metadata: s.metadata,
        latest_charge: expand.includes('payment_intent.latest_charge')
          ? {
              id: `ch_${String(s.payment_intent).slice(3)}`,
              object: 'charge',
              amount: s.amount_total,
              paid: s.payment_status === 'paid',
              payment_method_details: { type: s.chosen_method ?? 'card' },
            }
          : `ch_${String(s.payment_intent).slice(3)}`,
      };
    }
    return out;
  }

  async function retrieveSession(req: Request, id: string): Promise<Response> {
    const url = new URL(req.url);
    const expand = [...url.searchParams.entries()].filter(([k]) => k.startsWith('expand')).map(([, v]) => v);
    const s = await deps.db.withService('payments sandbox: read session', (sql) => load(sql, id));
    if (!s) return stripeError(404, `No such checkout.session: '${id}'`);
    return json(expanded(s, expand));
  }

  async function expireSession(id: string): Promise<Response> {
    const result = await deps.db.withService('payments sandbox: expire session', async (sql) => {
      const s = await load(sql, id, true);
      if (!s) return null;
      if (s.status !== 'open') return s;
      s.status = 'expired';
      await save(sql, s);
      return { ...s, justExpired: true };
    });
    if (!result) return stripeError(404, `No such checkout.session: '${id}'`);
    if (!('justExpired' in result)) {
      return stripeError(400, 'Only Checkout Sessions with a status in ["open"] can be expired.');
    }
    const { justExpired: _j, ...s } = result as Session & { justExpired: boolean };
    await deliver('checkout.session.expired', publicSession(s as Session));
    return json(publicSession(s as Session));
  }

  const chargeOf = (s: Session, refunded: number) => ({
    id: `ch_${String(s.payment_intent).slice(3)}`,
    object: 'charge',
    amount: s.amount_total,
    amount_refunded: refunded,
    refunded: refunded >= s.amount_total,
    currency: s.currency,
    payment_intent: s.payment_intent,
    paid: true,
  });

  async function createRefund(req: Request): Promise<Response> {
    const params = await readForm(req);
    const key = req.headers.get('idempotency-key');
    const pi = String(params.payment_intent ?? '');
    const result = await deps.db.withService('payments sandbox: refund', async (sql) => {
      if (key) {
        const prior = await sql.query(
          'select object from billing.sandbox_objects where idempotency_key = $1',
          [key],
        );
        if (prior.rows[0]) return { replay: prior.rows[0].object as Record<string, unknown> };
      }
      // The session row lock: refunds of one payment are checked one after the other.
      const found = await sql.query(
        'select object from billing.sandbox_objects where payment_intent_id = $1 for update',
        [pi],
      );
      const s = found.rows[0]?.object as Session | undefined;
      if (s?.payment_status !== 'paid') return null;
      const before = await sql.query(
        `select coalesce(sum((object ->> 'amount')::bigint), 0)::bigint as n from billing.sandbox_objects
         where kind = 'refund' and object ->> 'payment_intent' = $1 and object ->> 'status' = 'succeeded'`,
        [pi],
      );
      const refunded = Number(before.rows[0].n);
      const amount = Number(params.amount ?? s.amount_total - refunded);
      if (!Number.isInteger(amount) || amount <= 0) return { invalid: 'Refund amount is invalid' };
      if (refunded + amount > s.amount_total) {
        return {
          invalid: `Refund amount (${amount}) is greater than unrefunded amount on charge (${s.amount_total - refunded})`,
        };
      }
      const refund = {
        id: rand('re_'),
        object: 'refund',
        amount,
        currency: s.currency,
        payment_intent: pi,
        charge: `ch_${pi.slice(3)}`,
        status: 'succeeded',
        metadata: params.metadata ?? {},
        created: now(),
      };
      await sql.query(
        `insert into billing.sandbox_objects (id, kind, idempotency_key, request, object) values ($1, 'refund', $2, $3, $4)`,
        [refund.id, key, JSON.stringify(params), JSON.stringify(refund)],
      );
      return { refund, charge: chargeOf(s, refunded + amount) };
    });
    if (!result) return stripeError(400, `No paid PaymentIntent '${pi}' to refund`);
    if ('invalid' in result) return stripeError(400, String(result.invalid));
    if ('replay' in result) return json(result.replay, { headers: { 'Idempotent-Replayed': 'true' } });
    await deliver('refund.created', result.refund);
    await deliver('charge.refunded', result.charge);
    return json(result.refund);
  }

  async function listRefunds(req: Request): Promise<Response> {
    const pi = new URL(req.url).searchParams.get('payment_intent') ?? '';
    const rows = await deps.db.withService('payments sandbox: list refunds', (sql) =>
      sql.query(
        `select object from billing.sandbox_objects where kind = 'refund' and object ->> 'payment_intent' = $1
         order by created_at desc`,
        [pi],
      ),
    );
    const data = rows.rows.map((r) => r.object as Record<string, unknown>);
    return json({ object: 'list', data, has_more: false, url: '/v1/refunds' });
  }

  function page(s: Session): Response {
    const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
    const open = s.status === 'open';
    const rows = s.line_items_sandbox
      .map((l) => `<tr><td>${escapeHtml(l.name)}</td><td class="r">${yuan(l.amount)}</td></tr>`)
      .join('');
    const methods = [
      ['wechat_pay', '微信支付'],
      ['alipay', '支付宝'],
      ['card', '银行卡'],
    ]
      .filter(([m]) => (s.payment_method_types as string[]).includes(m))
      .map(
        ([m, label], i) =>
          `<label class="m"><input type="radio" name="method" value="${m}" ${i === 0 ? 'checked' : ''}> ${label}</label>`,
      )
      .join('');
    const body = open
      ? `<form method="post">
          <fieldset><legend>支付方式</legend>${methods}</fieldset>
          <button name="action" value="succeed" class="primary">确认支付 ${yuan(s.amount_total)}</button>
          <button name="action" value="fail">模拟支付失败</button>
          <button name="action" value="abandon" class="link">放弃支付</button>
        </form>`
      : `<p class="done">此支付已${s.status === 'complete' ? '完成' : '失效'}。</p>`;
    const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,"><title>模拟收银台</title>
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem;color:#18181b}
h1{font-size:1.25rem}.badge{font-size:.75rem;background:#fef3c7;color:#92400e;padding:.1rem .4rem;border-radius:.25rem}
table{width:100%;border-collapse:collapse;margin:1rem 0}td{padding:.4rem 0;border-bottom:1px solid #e4e4e7}.r{text-align:right}
.total{font-size:1.5rem;font-weight:600;text-align:right}fieldset{border:1px solid #e4e4e7;border-radius:.5rem;margin:1rem 0}
.m{display:block;padding:.35rem 0}button{display:block;width:100%;padding:.7rem;margin:.5rem 0;border-radius:.5rem;border:1px solid #d4d4d8;background:#fff;font-size:1rem}
.primary{background:#16a34a;color:#fff;border-color:#16a34a}.link{border:none;color:#71717a}</style></head>
<body><h1>模拟收银台 <span class="badge">测试环境</span></h1>
<p>此页面模拟 Stripe Checkout，不会产生真实扣款。</p>
<table>${rows}</table><p class="total">${yuan(s.amount_total)}</p>${body}</body></html>`;
    return new Response(html, {
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
    });
  }

  async function act(req: Request, id: string): Promise<Response> {
    const form = await req.formData();
    const action = String(form.get('action') ?? '');
    const method = String(form.get('method') ?? 'card');
    if (!['succeed', 'fail', 'abandon'].includes(action))
      throw new HttpError(400, 'invalid_action', 'Unknown action.');
    const s = await deps.db.withService('payments sandbox: payer action', async (sql) => {
      const session = await load(sql, id, true);
      if (session?.status !== 'open') return session;
      if (action === 'abandon') {
        session.status = 'expired';
      } else {
        if (!(session.payment_method_types as string[]).includes(method)) {
          throw new HttpError(400, 'invalid_method', 'This checkout does not offer that method.');
        }
        session.status = 'complete';
        session.chosen_method = method;
        session.payment_intent = rand('pi_');
        session.payment_status = action === 'succeed' ? 'paid' : 'unpaid';
      }
      await save(sql, session);
      return { ...session, changed: true } as Session & { changed?: boolean };
    });
    if (!s) return new Response('No such checkout session', { status: 404 });
    const changed = (s as Session & { changed?: boolean }).changed;
    const { changed: _c, ...session } = s as Session & { changed?: boolean };
    if (changed) {
      const asyncMethod = method === 'wechat_pay' || method === 'alipay';
      if (action === 'abandon') {
        await deliver('checkout.session.expired', publicSession(session as Session));
      } else if (action === 'succeed' && !asyncMethod) {
        await deliver('checkout.session.completed', publicSession(session as Session));
      } else {
        // Asynchronous methods: completed (not yet paid), then the outcome.
        await deliver('checkout.session.completed', {
          ...publicSession(session as Session),
          payment_status: 'unpaid',
        });
        await deliver(
          action === 'succeed'
            ? 'checkout.session.async_payment_succeeded'
            : 'checkout.session.async_payment_failed',
          publicSession(session as Session),
        );
      }
    }
    const target =
      action === 'abandon'
        ? session.cancel_url
        : session.success_url.replace('{CHECKOUT_SESSION_ID}', session.id);
    return new Response(null, { status: 303, headers: { Location: target || '/' } });
  }

  return handleErrors(async (req) => {
    if (!deps.enabled)
      throw new HttpError(404, 'not_found', 'The payments sandbox is off (PAYMENTS_PROVIDER=stripe).');
    const parts = new URL(req.url).pathname.split('/').filter(Boolean);
    // /payments-sandbox/<rest>
    const rest = parts[0] === 'payments-sandbox' ? parts.slice(1) : parts;
    if (rest[0] === 'checkout' && rest[1]) {
      if (req.method === 'GET') {
        const s = await deps.db.withService('payments sandbox: page', (sql) => load(sql, rest[1]));
        return s ? page(s) : new Response('No such checkout session', { status: 404 });
      }
      if (req.method === 'POST') return act(req, rest[1]);
    }
    if (rest[0] === 'v1') {
      requireKey(req);
      const [, resource, sub, id, verb] = rest;
      if (resource === 'checkout' && sub === 'sessions') {
        if (!id && req.method === 'POST') return createSession(req);
        if (id && !verb && req.method === 'GET') return retrieveSession(req, id);
        if (id && verb === 'expire' && req.method === 'POST') return expireSession(id);
      }
      if (resource === 'refunds' && !sub && req.method === 'POST') return createRefund(req);
      if (resource === 'refunds' && !sub && req.method === 'GET') return listRefunds(req);
      return stripeError(404, `Unrecognized request URL (${req.method}: /${rest.join('/')})`);
    }
    throw new HttpError(404, 'not_found', 'Not found.');
  });
}
