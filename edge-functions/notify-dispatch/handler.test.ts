import { assertEquals } from '../_testing/assert.ts';
import { createDispatchHandler } from './handler.ts';

const env = { SUPABASE_SECRET_KEYS: { default: 'sb_secret_test' } };
const summary = { claimed: 3, sent: 2, failed: 0, dead: 0, skipped: 1 };

Deno.test('notify-dispatch runs once per authorized POST and answers the counts', async () => {
  let runs = 0;
  const handler = createDispatchHandler({
    env,
    run: () => {
      runs++;
      return Promise.resolve(summary);
    },
  });
  const res = await handler(
    new Request('http://fn/notify-dispatch', {
      method: 'POST',
      headers: { apikey: 'sb_secret_test', 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'wake' }),
    }),
  );
  assertEquals(res.status, 200);
  assertEquals(await res.json(), summary);
  assertEquals(runs, 1);
});

Deno.test('notify-dispatch refuses callers without the secret key, and other methods', async () => {
  let runs = 0;
  const handler = createDispatchHandler({
    env,
    run: () => {
      runs++;
      return Promise.resolve(summary);
    },
  });
  const anon = await handler(
    new Request('http://fn/notify-dispatch', { method: 'POST', headers: { apikey: 'sb_publishable_x' } }),
  );
  assertEquals(anon.status, 401);
  const get = await handler(
    new Request('http://fn/notify-dispatch', { headers: { apikey: 'sb_secret_test' } }),
  );
  assertEquals(get.status, 405);
  assertEquals(runs, 0);
});
