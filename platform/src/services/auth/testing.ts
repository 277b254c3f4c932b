import { randomBytes } from 'node:crypto';
import { createClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startTestPlatform, type TestPlatform } from '../../../../tests/support/platform';
import type { AuthConfig } from './config';
import type { OutboxMessage } from './outbox';
import { authServiceFactory } from './service';

/**
 * Test support for the Auth service's integration tests: a platform with only the Auth service
 * (so the tests do not depend on the other services), on the built-in defaults — neither
 * supabase/config.toml nor AUTH_* variables of the shell — plus the file's own settings.
 */
export function startAuthPlatform(config: Partial<AuthConfig> = {}): Promise<TestPlatform> {
  return startTestPlatform({ factories: [authServiceFactory({ config, env: {}, configFile: null })] });
}

// Node 20 has no global WebSocket; supabase-js needs one to construct its realtime client.
export const realtimeTransport = { transport: WebSocket as unknown as typeof globalThis.WebSocket };
const noPersist = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false };

/** A supabase-js client with the publishable key, like a browser (no stored session). */
export function anonClient(platform: TestPlatform, opts: SupabaseClientOptions<'public'> = {}) {
  return createClient(platform.url, platform.keys.publishableKey, {
    ...opts,
    auth: { ...noPersist, ...opts.auth },
    realtime: realtimeTransport,
  });
}

/** A supabase-js client with the secret key (server-side admin). */
export function adminClient(platform: TestPlatform) {
  return createClient(platform.url, platform.keys.secretKey, {
    auth: noPersist,
    realtime: realtimeTransport,
  });
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.com`;
}

/** A random mainland mobile number in the `+86…` form people type. */
export function uniquePhone(): string {
  return `+86139${String(randomBytes(4).readUInt32BE(0) % 100_000_000).padStart(8, '0')}`;
}

/** The outbox as a test reads it: `GET /_dev/outbox?to=…&format=json`, newest first. */
export async function outbox(platform: TestPlatform, to: string): Promise<OutboxMessage[]> {
  const res = await fetch(`${platform.url}/_dev/outbox?format=json&to=${encodeURIComponent(to)}`);
  if (!res.ok) throw new Error(`outbox answered ${res.status}`);
  return ((await res.json()) as { messages: OutboxMessage[] }).messages;
}

/** The code of the newest message to `to`. */
export async function latestOtp(platform: TestPlatform, to: string): Promise<string> {
  const [m] = await outbox(platform, to);
  if (!m?.otp) throw new Error(`no code in the outbox for ${to}`);
  return m.otp;
}

/** Lets the next code to `recipient` go out at once, as if the send interval had passed. */
export async function forgetLastSend(platform: TestPlatform, recipient: string): Promise<void> {
  await platform.sql.query(`delete from _local_platform.auth_send_log where recipient = $1`, [
    recipient.includes('@') ? recipient.toLowerCase() : recipient.replace(/^\+/, '').replaceAll(' ', ''),
  ]);
}

/** Raw fetch to `/auth/v1` with the publishable key and the API version header auth-js sends. */
export function authFetch(platform: TestPlatform, path: string, init: RequestInit & { jwt?: string } = {}) {
  const headers = new Headers(init.headers);
  headers.set('apikey', platform.keys.publishableKey);
  if (!headers.has('X-Supabase-Api-Version')) headers.set('X-Supabase-Api-Version', '2024-01-01');
  if (init.jwt) headers.set('Authorization', `Bearer ${init.jwt}`);
  if (init.body && !headers.has('Content-Type'))
    headers.set('Content-Type', 'application/json;charset=UTF-8');
  return fetch(`${platform.url}/auth/v1${path}`, { ...init, headers, redirect: 'manual' });
}
