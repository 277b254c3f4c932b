import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, FunctionsHttpError } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestPlatform, type TestPlatform } from '../../../../tests/support/platform';
import { signAccessToken } from '../../jwt';
import { PROJECT_ROOT } from '../../migrate';
import { createFunctionsService } from './service';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const FUNCTIONS_DIR = path.join(FIXTURES, 'functions');

let platform: TestPlatform;
let userToken: string;
const userId = randomUUID();

beforeAll(async () => {
  platform = await startTestPlatform({
    factories: [
      (ctx) =>
        createFunctionsService(ctx, {
          configFile: path.join(FIXTURES, 'supabase', 'config.toml'),
          functionsDir: FUNCTIONS_DIR,
          envFile: path.join(FIXTURES, 'supabase', 'functions.env'),
          projectRoot: PROJECT_ROOT,
          watch: true,
        }),
    ],
  });
  userToken = await signAccessToken(
    platform.keys,
    { sub: userId, role: 'authenticated', aud: 'authenticated' },
    3600,
  );
});

afterAll(async () => {
  await platform?.close();
});

/** A supabase-js client with `key`, optionally acting with a user's access token (Node 20 has no WebSocket: use ws). */
const client = (key: string, accessToken?: string) =>
  createClient(platform.url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
    ...(accessToken ? { accessToken: async () => accessToken } : {}),
  });
const asUser = () => client(platform.keys.publishableKey, userToken);
const anon = () => client(platform.keys.publishableKey);
const admin = () => client(platform.keys.secretKey);
const fnUrl = (name: string) => `${platform.url}/functions/v1/${name}`;

describe('functions: invoke through supabase-js', () => {
  it('passes a user JWT, JSON in and out, and the hosted env vars', async () => {
    const { data, error } = await asUser().functions.invoke('echo', {
      body: { unit: '3-1-402', amount: 12050 },
    });
    expect(error).toBeNull();
    expect(data).toMatchObject({
      method: 'POST',
      path: '/echo',
      body: { unit: '3-1-402', amount: 12050 },
      role: 'authenticated',
      userId,
      greeting: '你好, 物业云',
      env: {
        SUPABASE_URL: platform.url,
        SUPABASE_DB_URL: true,
        SUPABASE_ANON_KEY: true,
        SUPABASE_SERVICE_ROLE_KEY: true,
        SUPABASE_PUBLISHABLE_KEYS: ['default'],
        SUPABASE_SECRET_KEYS: ['default'],
      },
    });
  });

  it('keeps the method, sub-path, query string and response headers', async () => {
    const { data, error, response } = await asUser().functions.invoke('echo/bills/2026-11?page=2', {
      method: 'GET',
    });
    expect(error).toBeNull();
    expect(data).toMatchObject({ method: 'GET', path: '/echo/bills/2026-11', search: '?page=2' });
    expect(response?.headers.get('x-fixture')).toBe('echo');
  });

  it('turns a non-2xx answer into FunctionsHttpError with the response as context', async () => {
    const { data, error } = await asUser().functions.invoke('echo?status=418', { body: {} });
    expect(data).toBeNull();
    expect(error).toBeInstanceOf(FunctionsHttpError);
    const context = (error as FunctionsHttpError).context as Response;
    expect(context.status).toBe(418);
    expect(await context.json()).toEqual({ code: 'fixture_error', message: 'asked for 418' });
  });

  it('round-trips binary bodies and streams server-sent events', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const bin = await asUser().functions.invoke('echo', { body: new Blob([bytes]) });
    expect(bin.error).toBeNull();
    expect(new Uint8Array(await (bin.data as Blob).arrayBuffer())).toEqual(bytes);

    const sse = await asUser().functions.invoke('echo?stream=1', { method: 'GET' });
    expect(sse.error).toBeNull();
    const text = await (sse.data as Response).text();
    expect(text).toBe('data: 1\n\ndata: 2\n\ndata: 3\n\n');
  });

  it('serves concurrent calls from one warm worker', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => asUser().functions.invoke('echo', { body: { i } })),
    );
    expect(results.every((r) => r.error === null)).toBe(true);
    expect(new Set(results.map((r) => (r.data as { pid: number }).pid)).size).toBe(1);
  });

  it('runs the project’s health function, which echoes the caller role', async () => {
    const { data, error } = await asUser().functions.invoke('health', { method: 'GET' });
    expect(error).toBeNull();
    expect(data).toMatchObject({ ok: true, role: 'authenticated' });
    expect(Date.parse((data as { time: string }).time)).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('functions: verify_jwt', () => {
  it('answers 401 "Missing authorization header" without any token or key', async () => {
    const res = await fetch(fnUrl('echo'), { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 401, message: 'Missing authorization header' });
  });

  it('answers 401 "Invalid JWT" for a bad or expired token', async () => {
    const { error } = await client(platform.keys.publishableKey, 'not.a.jwt').functions.invoke('echo', {
      body: {},
    });
    expect(error).toBeInstanceOf(FunctionsHttpError);
    const context = (error as FunctionsHttpError).context as Response;
    expect(context.status).toBe(401);
    expect(await context.json()).toEqual({ msg: 'Invalid JWT' });

    const expired = await signAccessToken(platform.keys, { sub: userId, role: 'authenticated' }, -60);
    const res = await fetch(fnUrl('echo'), {
      method: 'POST',
      headers: { Authorization: `Bearer ${expired}` },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ msg: 'Invalid JWT' });
  });

  it('lets the secret key through as service_role (the gateway maps it to the service JWT)', async () => {
    const { data, error } = await admin().functions.invoke('echo', { body: { job: true } });
    expect(error).toBeNull();
    expect(data).toMatchObject({ role: 'service_role' });
  });

  it('reaches a verify_jwt = false function with only the apikey, or with nothing', async () => {
    const { data, error } = await anon().functions.invoke('webhook-echo', { body: 'payload' });
    expect(error).toBeNull();
    expect(data).toEqual({ ok: true, method: 'POST', body: 'payload', hasApikey: true });

    const res = await fetch(fnUrl('webhook-echo'), { method: 'POST', body: 'signed-by-provider' });
    expect(res.status).toBe(200);
    expect((await res.json()).body).toBe('signed-by-provider');
  });

  it('passes CORS preflights to the function and keeps only its own CORS headers', async () => {
    const preflight = await fetch(fnUrl('health'), {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'authorization, x-client-info, apikey, content-type, x-region',
    );
    await preflight.body?.cancel();

    const plain = await fetch(fnUrl('webhook-echo'), {
      method: 'POST',
      headers: { Origin: 'http://localhost:3000' },
    });
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
    await plain.body?.cancel();
  });
});

describe('functions: worker life cycle', () => {
  it('answers 404 for an unknown or disabled function', async () => {
    for (const name of ['nope', 'disabled', '_shared']) {
      const res = await fetch(fnUrl(name), { headers: { apikey: platform.keys.publishableKey } });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ code: 'NOT_FOUND', message: 'Requested function was not found' });
    }
  });

  it('answers 503 BOOT_ERROR when a function cannot start, without downloading anything', async () => {
    for (const name of ['boot-fail', 'no-serve', 'remote-import']) {
      const res = await fetch(fnUrl(name), { headers: { apikey: platform.keys.publishableKey } });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        code: 'BOOT_ERROR',
        message: 'Worker failed to boot (please check logs)',
      });
    }
  });

  it('answers 500 WORKER_ERROR when the worker dies mid-request, then restarts it', async () => {
    const before = await asUser().functions.invoke('echo', { body: {} });
    const crash = await asUser().functions.invoke('echo?exit=1', { body: {} });
    expect(crash.error).toBeInstanceOf(FunctionsHttpError);
    const context = (crash.error as FunctionsHttpError).context as Response;
    expect(context.status).toBe(500);
    expect((await context.json()).code).toBe('WORKER_ERROR');
    const after = await asUser().functions.invoke('echo', { body: {} });
    expect(after.error).toBeNull();
    expect((after.data as { pid: number }).pid).not.toBe((before.data as { pid: number }).pid);
  });

  it('reloads a function after its source changes', async () => {
    const name = `tmp-reload-${randomUUID().slice(0, 8)}`;
    const dir = path.join(FUNCTIONS_DIR, name);
    const write = (version: string) =>
      fs.writeFileSync(
        path.join(dir, 'index.ts'),
        `Deno.serve(() => Response.json({ version: '${version}' }));\n`,
      );
    fs.mkdirSync(dir);
    try {
      write('v1');
      const first = await admin().functions.invoke(name, { body: {} });
      expect(first.data).toEqual({ version: 'v1' });
      write('v2');
      let version = 'v1';
      for (let i = 0; i < 100 && version !== 'v2'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const next = await admin().functions.invoke(name, { body: {} });
        version = (next.data as { version?: string } | null)?.version ?? version;
      }
      expect(version).toBe('v2');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
