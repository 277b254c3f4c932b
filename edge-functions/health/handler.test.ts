import { assertEquals, assertMatch } from '../_testing/assert.ts';
import { fakeJwt } from '../_testing/jwt.ts';
import { createHealthHandler } from './handler.ts';

const handler = createHealthHandler({ now: () => new Date('2026-11-22T01:00:00Z') });

Deno.test('health answers ok with the time and the caller role', async () => {
  const res = await handler(
    new Request('http://local/health', {
      headers: { Authorization: `Bearer ${fakeJwt({ role: 'authenticated', sub: 'u1' })}` },
    }),
  );
  assertEquals(res.status, 200);
  assertEquals(res.headers.get('content-type'), 'application/json');
  assertEquals(res.headers.get('access-control-allow-origin'), '*');
  assertEquals(await res.json(), { ok: true, time: '2026-11-22T01:00:00.000Z', role: 'authenticated' });
});

Deno.test('health without a bearer token is a 401 JSON error', async () => {
  const res = await handler(new Request('http://local/health'));
  assertEquals(res.status, 401);
  assertEquals(await res.json(), { code: 'unauthorized', message: 'A bearer token is required.' });
});

Deno.test('health answers a CORS preflight itself', async () => {
  const res = await handler(
    new Request('http://local/health', { method: 'OPTIONS', headers: { Origin: 'http://localhost:3000' } }),
  );
  assertEquals(res.status, 200);
  assertMatch(res.headers.get('access-control-allow-headers') ?? '', /apikey/);
  await res.body?.cancel();
});
