import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../tests/support/platform';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.close();
});

describe('gateway', () => {
  it('answers the health endpoint with the state of each service', async () => {
    const res = await fetch(`${platform.url}/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.status).toBe('ok');
    expect(Object.keys(body.services).sort()).toEqual(['auth', 'functions', 'realtime', 'rest', 'storage']);
  });

  it('answers CORS preflights with the headers the browser clients need', async () => {
    const res = await fetch(`${platform.url}/auth/v1/token?grant_type=password`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(res.headers.get('access-control-allow-headers')).toContain('x-client-info');
    expect(res.headers.get('access-control-expose-headers')).toContain('x-supabase-api-version');
  });

  it('refuses an unknown sb_ key with 401', async () => {
    const res = await fetch(`${platform.url}/auth/v1/settings`, {
      headers: { apikey: 'sb_publishable_not-ours' },
    });
    expect(res.status).toBe(401);
    expect((await res.json()).message).toBe('Invalid API key');
  });

  it('answers unknown routes with 404 JSON', async () => {
    const res = await fetch(`${platform.url}/nope/v1/x`);
    expect(res.status).toBe(404);
  });

  it('has the Supabase roles and auth helpers in the database', async () => {
    const roles = await platform.sql.query(
      `select rolname, rolbypassrls from pg_roles where rolname in ('anon','authenticated','service_role','authenticator') order by 1`,
    );
    expect(roles.rows.map((r) => r.rolname)).toEqual([
      'anon',
      'authenticated',
      'authenticator',
      'service_role',
    ]);
    expect(roles.rows.find((r) => r.rolname === 'service_role')?.rolbypassrls).toBe(true);
    const client = await platform.sql.connect();
    try {
      await client.query('begin');
      await client.query(
        `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
        [
          JSON.stringify({
            sub: '00000000-0000-4000-8000-000000000001',
            role: 'authenticated',
            email: 'a@example.com',
          }),
        ],
      );
      const r = await client.query(
        'select auth.uid() as uid, auth.role() as role, auth.email() as email, auth.jwt() ->> $1 as sub, current_user as cu',
        ['sub'],
      );
      expect(r.rows[0]).toEqual({
        uid: '00000000-0000-4000-8000-000000000001',
        role: 'authenticated',
        email: 'a@example.com',
        sub: '00000000-0000-4000-8000-000000000001',
        cu: 'authenticated',
      });
      await client.query('rollback');
    } finally {
      client.release();
    }
  });

  it('records migrations the way the Supabase CLI does', async () => {
    const cols = await platform.sql.query(
      `select column_name from information_schema.columns where table_schema = 'supabase_migrations' and table_name = 'schema_migrations' order by ordinal_position`,
    );
    expect(cols.rows.map((r) => r.column_name)).toEqual(['version', 'statements', 'name']);
  });
});
