/**
 * The local Stripe fake (tests/support/stripe-fake.ts) in a child process of the billing
 * benchmark: Stripe is another company's server, so its work is kept off the gateway's event
 * loop and its CPU is reported on its own. Talks to the parent over IPC.
 */
import { type FakeSession, startStripeFake } from '../../tests/support/stripe-fake';

export type ToFake = { type: 'sessions'; sessions: FakeSession[] } | { type: 'checkouts' } | { type: 'stop' };
export type FromFake =
  | { type: 'ready'; url: string }
  | { type: 'ok' }
  /** Checkout sessions created (POST /v1/checkout/sessions) and their distinct idempotency keys. */
  | { type: 'checkouts'; created: number; distinctKeys: number };

const send = (m: FromFake) => process.send?.(m);
const fake = await startStripeFake();

process.on('message', async (m: ToFake) => {
  if (m.type === 'stop') {
    await fake.close();
    process.exit(0);
  }
  if (m.type === 'sessions') {
    for (const s of m.sessions) fake.sessions.set(s.id, s);
    send({ type: 'ok' });
    return;
  }
  const creates = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions');
  send({
    type: 'checkouts',
    created: creates.length,
    distinctKeys: new Set(creates.map((r) => r.idempotencyKey)).size,
  });
});

// The benchmark ended (or failed): do not outlive it.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', url: fake.url });
