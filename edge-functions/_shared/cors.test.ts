import { assertEquals } from '../_testing/assert.ts';
import { withCors } from './cors.ts';

Deno.test('withCors answers preflights and decorates responses', async () => {
  const handler = withCors(() => Response.json({ ok: true }));
  const preflight = await handler(new Request('http://local/f', { method: 'OPTIONS' }));
  assertEquals(preflight.status, 200);
  assertEquals(preflight.headers.get('access-control-allow-origin'), '*');
  await preflight.body?.cancel();
  const res = await handler(new Request('http://local/f'));
  assertEquals(res.headers.get('access-control-allow-origin'), '*');
  assertEquals(await res.json(), { ok: true });
});

Deno.test('withCors with an origin list echoes allowed origins only', async () => {
  const handler = withCors(() => new Response('x'), { origins: ['https://app.example.com'] });
  const allowed = await handler(
    new Request('http://local/f', { headers: { Origin: 'https://app.example.com' } }),
  );
  assertEquals(allowed.headers.get('access-control-allow-origin'), 'https://app.example.com');
  assertEquals(allowed.headers.get('vary'), 'Origin');
  await allowed.body?.cancel();
  const other = await handler(
    new Request('http://local/f', { headers: { Origin: 'https://evil.example.com' } }),
  );
  assertEquals(other.headers.get('access-control-allow-origin'), null);
  await other.body?.cancel();
});

Deno.test('withCors decorates responses whose headers are immutable (fetched, redirects)', async () => {
  const handler = withCors(() => Response.redirect('https://app.example.com/next', 303));
  const res = await handler(new Request('http://local/f'));
  assertEquals(res.status, 303);
  assertEquals(res.headers.get('location'), 'https://app.example.com/next');
  assertEquals(res.headers.get('access-control-allow-origin'), '*');
});
