import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Stripe for tests and benchmarks: speaks Stripe's JSON for the calls billing makes
 * (create/retrieve/expire Checkout Sessions, create refunds — whole or partial, never more than
 * the unrefunded amount — and list a payment's refunds), replays idempotency keys as
 * Stripe does for 24 h, and records every request so tests can assert what was sent.
 * The real `stripe` client reaches it through its host/port/protocol options.
 */

export type RecordedRequest = {
  method: string;
  path: string;
  idempotencyKey: string | null;
  authorization: string | null;
  params: Record<string, unknown>;
};

export type FakeSession = {
  id: string;
  object: 'checkout.session';
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid';
  amount_total: number;
  currency: string;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  payment_method_types: string[];
  payment_intent: string | null;
  url: string;
  expires_at: number;
  success_url: string;
  cancel_url: string;
  livemode: false;
  chosenMethod?: string;
};

export type StripeFake = {
  url: string;
  port: number;
  requests: RecordedRequest[];
  sessions: Map<string, FakeSession>;
  refunds: Map<string, Record<string, unknown>>;
  /** Marks a session completed as the payer would: paid now (card) or not yet (WeChat/Alipay pending). */
  complete(id: string, opts: { method: 'card' | 'alipay' | 'wechat_pay'; paid: boolean }): FakeSession;
  /** Makes the next `n` API calls fail with a 500 (to test provider outages). */
  failNext(n: number): void;
  close(): Promise<void>;
};

function decodeForm(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, '').split('[');
    let node = root;
    path.forEach((part, i) => {
      if (i === path.length - 1) node[part] = value;
      else {
        node[part] ??= {};
        node = node[part] as Record<string, unknown>;
      }
    });
  }
  const fix = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    const entries = Object.entries(v).map(([k, x]) => [k, fix(x)] as const);
    return entries.length && entries.every(([k]) => /^\d+$/.test(k))
      ? entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, x]) => x)
      : Object.fromEntries(entries);
  };
  return fix(root) as Record<string, unknown>;
}

const id = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;

export async function startStripeFake(): Promise<StripeFake> {
  const requests: RecordedRequest[] = [];
  const sessions = new Map<string, FakeSession>();
  const refunds = new Map<string, Record<string, unknown>>();
  const replays = new Map<string, { params: string; status: number; body: unknown }>();
  let failures = 0;
  let base = '';

  const send = (res: http.ServerResponse, status: number, body: unknown, replayed = false) => {
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Request-Id': id('req_'),
      ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}),
    });
    res.end(JSON.stringify(body));
  };
  const error = (res: http.ServerResponse, status: number, message: string, type = 'invalid_request_error') =>
    send(res, status, { error: { type, message } });

  function expand(s: FakeSession, fields: string[]): Record<string, unknown> {
    const { chosenMethod, ...out } = s;
    if (s.payment_intent && fields.some((f) => f.startsWith('payment_intent'))) {
      return {
        ...out,
        payment_intent: {
          id: s.payment_intent,
          object: 'payment_intent',
          amount: s.amount_total,
          currency: s.currency,
          status: s.payment_status === 'paid' ? 'succeeded' : 'processing',
          latest_charge: {
            id: `ch_${s.payment_intent.slice(3)}`,
            object: 'charge',
            payment_method_details: { type: chosenMethod ?? 'card' },
          },
        },
      };
    }
    return out;
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const url = new URL(req.url ?? '/', base);
    const params = req.method === 'GET' ? decodeForm(url.searchParams.toString()) : decodeForm(raw);
    const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      idempotencyKey: key,
      authorization: (req.headers.authorization as string | undefined) ?? null,
      params,
    });
    if (!req.headers.authorization?.startsWith('Bearer sk_'))
      return error(res, 401, 'Invalid API Key provided');
    if (failures > 0) {
      failures--;
      return error(res, 500, 'An unexpected error occurred', 'api_error');
    }
    if (key && req.method === 'POST') {
      const prior = replays.get(key);
      if (prior) {
        if (prior.params !== JSON.stringify(params)) {
          return error(
            res,
            400,
            'Keys for idempotent requests can only be used with the same parameters',
            'idempotency_error',
          );
        }
        return send(res, prior.status, prior.body, true);
      }
    }
    const reply = (status: number, body: unknown) => {
      if (key && req.method === 'POST') replays.set(key, { params: JSON.stringify(params), status, body });
      send(res, status, body);
    };

    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === 'v1' && parts[1] === 'checkout' && parts[2] === 'sessions') {
      if (!parts[3] && req.method === 'POST') {
        const items =
          (params.line_items as Array<{
            quantity?: string;
            price_data?: { unit_amount?: string; currency?: string };
          }>) ?? [];
        const amount = items.reduce(
          (n, i) => n + Number(i.price_data?.unit_amount ?? 0) * Number(i.quantity ?? 1),
          0,
        );
        const s: FakeSession = {
          id: id('cs_test_'),
          object: 'checkout.session',
          status: 'open',
          payment_status: 'unpaid',
          amount_total: amount,
          currency: items[0]?.price_data?.currency ?? 'usd',
          client_reference_id: (params.client_reference_id as string) ?? null,
          metadata: (params.metadata as Record<string, string>) ?? {},
          payment_method_types: (params.payment_method_types as string[]) ?? ['card'],
          payment_intent: null,
          url: '',
          expires_at: Number(params.expires_at ?? Math.floor(Date.now() / 1000) + 86400),
          success_url: String(params.success_url ?? ''),
          cancel_url: String(params.cancel_url ?? ''),
          livemode: false,
        };
        s.url = `${base}/pay/${s.id}`;
        sessions.set(s.id, s);
        return reply(200, expand(s, []));
      }
      const s = sessions.get(parts[3] ?? '');
      if (!s) return error(res, 404, `No such checkout.session: '${parts[3]}'`);
      if (!parts[4] && req.method === 'GET') {
        const fields = Object.values((params.expand as Record<string, string> | string[]) ?? {}).map(String);
        return send(res, 200, expand(s, fields));
      }
      if (parts[4] === 'expire' && req.method === 'POST') {
        if (s.status !== 'open')
          return error(res, 400, 'Only Checkout Sessions with a status in ["open"] can be expired.');
        s.status = 'expired';
        return reply(200, expand(s, []));
      }
    }
    if (parts[0] === 'v1' && parts[1] === 'refunds' && !parts[2] && req.method === 'GET') {
      const pi = String(params.payment_intent ?? '');
      const data = [...refunds.values()].filter((r) => r.payment_intent === pi).reverse();
      return send(res, 200, { object: 'list', data, has_more: false, url: '/v1/refunds' });
    }
    if (parts[0] === 'v1' && parts[1] === 'refunds' && req.method === 'POST') {
      const pi = String(params.payment_intent ?? '');
      const s = [...sessions.values()].find((x) => x.payment_intent === pi);
      if (!s) return error(res, 400, `No such payment_intent: '${pi}'`);
      const refunded = [...refunds.values()]
        .filter((r) => r.payment_intent === pi && r.status === 'succeeded')
        .reduce((n, r) => n + Number(r.amount), 0);
      const amount = Number(params.amount ?? s.amount_total - refunded);
      if (refunded + amount > s.amount_total) {
        return send(res, 400, {
          error: {
            type: 'invalid_request_error',
            code: 'amount_too_large',
            message: `Refund amount (${amount}) is greater than unrefunded amount on charge (${s.amount_total - refunded})`,
          },
        });
      }
      const refund = {
        id: id('re_'),
        object: 'refund',
        amount,
        currency: s.currency,
        payment_intent: pi,
        status: 'succeeded',
        metadata: params.metadata ?? {},
      };
      refunds.set(refund.id, refund);
      return reply(200, refund);
    }
    return error(res, 404, `Unrecognized request URL (${req.method}: ${url.pathname})`);
  }

  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => handle(req, res, raw));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    port,
    requests,
    sessions,
    refunds,
    complete(sessionId, opts) {
      const s = sessions.get(sessionId);
      if (!s) throw new Error(`no session ${sessionId}`);
      s.status = 'complete';
      s.payment_status = opts.paid ? 'paid' : 'unpaid';
      s.payment_intent ??= id('pi_');
      s.chosenMethod = opts.method;
      return s;
    },
    failNext(n) {
      failures = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
