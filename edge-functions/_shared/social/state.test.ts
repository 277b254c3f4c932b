import { assertEquals, assertMatch } from '../../_testing/assert.ts';
import {
  hashNonce,
  importSigningKey,
  type StateBinding,
  StateError,
  signState,
  signTicket,
  stateIntent,
  TicketError,
  verifyState,
  verifyTicket,
} from './state.ts';

const now = new Date('2026-11-22T08:00:00Z');
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);
const key = await importSigningKey('x'.repeat(40));
const binding: StateBinding = {
  provider: 'wechat',
  redirectUri: 'https://wuye.example.com/auth/callback/wechat',
  nonceHash: await hashNonce('n'.repeat(43)),
};

async function rejects<E extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => E,
): Promise<E> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error(`expected ${type.name}`);
}

Deno.test('state: short, alphanumeric, and verifies with the same binding', async () => {
  const { state, expiresAt } = await signState(key, 'sign_in', binding, now);
  assertMatch(state, /^[0-9a-z]{98}$/);
  assertEquals(expiresAt.toISOString(), '2026-11-22T08:10:00.000Z');
  assertEquals(stateIntent(state), 'sign_in');
  assertEquals(await verifyState(key, state, binding, later(599)), 'sign_in');
});

Deno.test('state: refused with another nonce, provider, callback, key or after expiry', async () => {
  const { state } = await signState(key, 'sign_in', binding, now);
  const invalid = async (b: StateBinding, k = key) =>
    (await rejects(verifyState(k, state, b, now), StateError)).problem;
  assertEquals(await invalid({ ...binding, nonceHash: await hashNonce('m'.repeat(43)) }), 'state_invalid');
  assertEquals(await invalid({ ...binding, provider: 'qq' }), 'state_invalid');
  assertEquals(
    await invalid({ ...binding, redirectUri: 'https://evil.example.com/auth/callback/wechat' }),
    'state_invalid',
  );
  assertEquals(await invalid({ ...binding, userId: 'u1' }), 'state_invalid');
  assertEquals(await invalid(binding, await importSigningKey('y'.repeat(40))), 'state_invalid');
  assertEquals(
    (await rejects(verifyState(key, state, binding, later(601)), StateError)).problem,
    'state_expired',
  );
});

Deno.test('state: tampering with intent, expiry or format is caught', async () => {
  const { state } = await signState(key, 'sign_in', binding, now);
  const asBind = `1b${state.slice(2)}`;
  assertEquals(stateIntent(asBind), 'bind');
  assertEquals((await rejects(verifyState(key, asBind, binding, now), StateError)).problem, 'state_invalid');
  const extended = `${state.slice(0, 2)}ffffffff${state.slice(10)}`;
  assertEquals(
    (await rejects(verifyState(key, extended, binding, now), StateError)).problem,
    'state_invalid',
  );
  for (const bad of ['', 'abc', `${state}0`, state.toUpperCase()]) {
    assertEquals(stateIntent(bad), null);
    assertEquals((await rejects(verifyState(key, bad, binding, now), StateError)).problem, 'state_invalid');
  }
});

Deno.test('state: a bind state belongs to one user', async () => {
  const mine = { ...binding, userId: 'c7d9a7a2-6a43-4a54-9f35-1a2b3c4d5e6f' };
  const { state } = await signState(key, 'bind', mine, now);
  assertEquals(await verifyState(key, state, mine, now), 'bind');
  const other = { ...binding, userId: '00000000-6a43-4a54-9f35-1a2b3c4d5e6f' };
  assertEquals((await rejects(verifyState(key, state, other, now), StateError)).problem, 'state_invalid');
});

Deno.test('ticket: carries the profile and checks nonce, MAC and expiry', async () => {
  const profile = { openid: 'oA', unionid: 'uA', nickname: '李四', avatar: 'https://a.example/1.png' };
  const { ticket, expiresAt } = await signTicket(
    key,
    { provider: 'qq', profile, nonceHash: binding.nonceHash },
    now,
  );
  assertEquals(expiresAt.toISOString(), '2026-11-22T08:15:00.000Z');
  assertEquals(await verifyTicket(key, ticket, binding.nonceHash, later(899)), { provider: 'qq', profile });

  const problem = async (t: string, nonceHash = binding.nonceHash, at = now) =>
    (await rejects(verifyTicket(key, t, nonceHash, at), TicketError)).problem;
  assertEquals(await problem(ticket, await hashNonce('m'.repeat(43))), 'ticket_invalid');
  assertEquals(await problem(ticket, binding.nonceHash, later(901)), 'ticket_expired');
  const [body, mac] = ticket.split('.');
  const forged = btoa(
    JSON.stringify({ ...JSON.parse(atob(body.replace(/-/g, '+').replace(/_/g, '/'))), o: 'oB' }),
  )
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
  assertEquals(await problem(`${forged}.${mac}`), 'ticket_invalid');
  for (const bad of ['', 'a', 'a.b.c', `${body}.`, `${body}.***`])
    assertEquals(await problem(bad), 'ticket_invalid');
});
