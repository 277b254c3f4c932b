import { assertEquals, assertThrows } from '../_testing/assert.ts';
import { fakeJwt } from '../_testing/jwt.ts';
import { callerFromVerifiedJwt, requireRole, requireSecretKey } from './auth.ts';
import type { HttpError } from './http.ts';

const withToken = (claims: Record<string, unknown>) =>
  new Request('http://local/f', { headers: { Authorization: `Bearer ${fakeJwt(claims, 'HS256')}` } });

Deno.test('callerFromVerifiedJwt reads role and user id', () => {
  const caller = callerFromVerifiedJwt(
    withToken({ role: 'authenticated', sub: 'user-1', email: '张三@example.com' }),
  );
  assertEquals(caller.role, 'authenticated');
  assertEquals(caller.userId, 'user-1');
  assertEquals(caller.claims.email, '张三@example.com');
});

Deno.test('callerFromVerifiedJwt refuses a missing or malformed token with 401', () => {
  assertThrows(
    () => callerFromVerifiedJwt(new Request('http://local/f')),
    (e: HttpError) => e.status === 401,
  );
  const bad = new Request('http://local/f', { headers: { Authorization: 'Bearer a.b.c' } });
  assertThrows(
    () => callerFromVerifiedJwt(bad),
    (e: HttpError) => e.status === 401,
  );
});

Deno.test('requireRole is a 403 for other roles', () => {
  assertEquals(requireRole(withToken({ role: 'service_role' }), 'service_role').role, 'service_role');
  assertThrows(
    () => requireRole(withToken({ role: 'anon' }), 'service_role'),
    (e: HttpError) => e.status === 403,
  );
});

Deno.test('requireSecretKey accepts any of the secret keys and nothing else', () => {
  const env = { SUPABASE_SECRET_KEYS: { default: 'sb_secret_one', jobs: 'sb_secret_two' } };
  const call = (apikey?: string) => new Request('http://local/f', { headers: apikey ? { apikey } : {} });
  requireSecretKey(call('sb_secret_two'), env);
  assertThrows(
    () => requireSecretKey(call('sb_secret_on'), env),
    (e: HttpError) => e.status === 401,
  );
  assertThrows(
    () => requireSecretKey(call(), env),
    (e: HttpError) => e.status === 401,
  );
  assertThrows(
    () => requireSecretKey(call('sb_secret_one'), { SUPABASE_SECRET_KEYS: undefined }),
    (e: HttpError) => e.status === 401,
  );
});
