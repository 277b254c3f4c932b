import { z } from 'zod';
import { assertEquals, assertThrows } from '../_testing/assert.ts';
import { platformEnvSchema, readEnv } from './env.ts';

const valid = {
  SUPABASE_URL: 'http://127.0.0.1:54321',
  SUPABASE_DB_URL: 'postgresql://postgres:postgres@127.0.0.1:54322/postgres',
  SUPABASE_SECRET_KEYS: '{"default":"sb_secret_abc"}',
};

Deno.test('readEnv parses the platform variables and the key maps', () => {
  const env = readEnv(platformEnvSchema, valid);
  assertEquals(env.SUPABASE_URL, valid.SUPABASE_URL);
  assertEquals(env.SUPABASE_SECRET_KEYS, { default: 'sb_secret_abc' });
  assertEquals(env.SUPABASE_ANON_KEY, undefined);
});

Deno.test('readEnv names every missing or malformed variable', () => {
  assertThrows(
    () => readEnv(platformEnvSchema, { SUPABASE_URL: 'not a url', SUPABASE_SECRET_KEYS: '[' }),
    (err: Error) =>
      /SUPABASE_URL/.test(err.message) &&
      /SUPABASE_DB_URL/.test(err.message) &&
      /SUPABASE_SECRET_KEYS: must be a JSON object/.test(err.message),
  );
});

Deno.test('readEnv takes a function’s own schema for its secrets', () => {
  const secrets = readEnv(z.object({ PAYMENTS_WEBHOOK_SECRET: z.string().min(16) }), {
    PAYMENTS_WEBHOOK_SECRET: 'x'.repeat(16),
  });
  assertEquals(secrets.PAYMENTS_WEBHOOK_SECRET.length, 16);
});
