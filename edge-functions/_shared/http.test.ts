import { z } from 'zod';
import { assertEquals } from '../_testing/assert.ts';
import { HttpError, handleErrors, json, readJson } from './http.ts';

Deno.test('an HttpError becomes its status with code and message', async () => {
  const res = await handleErrors(() => {
    throw new HttpError(409, 'already_paid', 'The bill is already paid.');
  })(new Request('http://local/x'));
  assertEquals(res.status, 409);
  assertEquals(await res.json(), { code: 'already_paid', message: 'The bill is already paid.' });
});

Deno.test('invalid input is a 400 with the zod issues', async () => {
  const handler = handleErrors(async (req) =>
    json(await readJson(req, z.object({ amount: z.number().int() }))),
  );
  const res = await handler(
    new Request('http://local/x', { method: 'POST', body: JSON.stringify({ amount: 'ten' }) }),
  );
  assertEquals(res.status, 400);
  const body = await res.json();
  assertEquals(body.code, 'invalid_request');
  assertEquals(body.details[0].path[0], 'amount');
});

Deno.test('a body that is not JSON is a 400 invalid_json', async () => {
  const handler = handleErrors(async (req) => json(await readJson(req, z.unknown())));
  const res = await handler(new Request('http://local/x', { method: 'POST', body: '{' }));
  assertEquals(res.status, 400);
  assertEquals((await res.json()).code, 'invalid_json');
});

Deno.test('an unexpected error is logged and answered with a generic 500', async () => {
  const logged: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    const res = await handleErrors(() => {
      throw new Error('database exploded');
    })(new Request('http://local/x'));
    assertEquals(res.status, 500);
    assertEquals(await res.json(), { code: 'internal_error', message: 'Internal error.' });
    assertEquals(logged.length, 1);
  } finally {
    console.error = original;
  }
});
