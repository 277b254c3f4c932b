import { randomUUID } from 'node:crypto';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { signAccessToken } from '../../jwt';
import type { PlatformKeys } from '../../keys';

/** Helpers for the Realtime integration tests: real supabase-js clients and minted user tokens. */

export type TestUser = { id: string; token: string };

export async function mintUser(
  keys: PlatformKeys,
  opts: { id?: string; expiresIn?: number; claims?: Record<string, unknown> } = {},
): Promise<TestUser> {
  const id = opts.id ?? randomUUID();
  const token = await signAccessToken(
    keys,
    {
      sub: id,
      role: 'authenticated',
      aud: 'authenticated',
      email: `${id.slice(0, 8)}@example.com`,
      ...opts.claims,
    },
    opts.expiresIn ?? 3600,
  );
  return { id, token };
}

/**
 * supabase-js as an app uses it. Node 20 has no global WebSocket, so `ws` is the transport (the
 * browser's native one in the app). With `token` (or a changing `accessToken` callback) the client
 * acts as that user through supabase-js's `accessToken` option — its Realtime client re-reads
 * the token after every join, so a one-off `realtime.setAuth(token)` would be replaced by the API
 * key without an Auth session. `realtime.setAuth()` before any join puts the token into the first
 * join, as Supabase's docs ask for private channels.
 */
export async function realtimeClient(
  url: string,
  keys: PlatformKeys,
  opts: { token?: string; vsn?: '1.0.0' | '2.0.0'; accessToken?: () => Promise<string> } = {},
): Promise<SupabaseClient> {
  const token = opts.token;
  const accessToken = opts.accessToken ?? (token ? async () => token : undefined);
  const client = createClient(url, keys.publishableKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    ...(accessToken ? { accessToken } : {}),
    realtime: { transport: WebSocket as never, ...(opts.vsn ? { vsn: opts.vsn } : {}) },
  });
  if (accessToken) await client.realtime.setAuth();
  return client;
}

export type SubscribeOutcome = { status: string; error?: Error };

/** Subscribes and resolves with the first terminal status (SUBSCRIBED, CHANNEL_ERROR, TIMED_OUT, CLOSED). */
export function subscribe(channel: RealtimeChannel, timeoutMs = 10_000): Promise<SubscribeOutcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ status: 'TEST_TIMEOUT' }), timeoutMs);
    channel.subscribe((status, error) => {
      clearTimeout(timer);
      resolve({ status, error });
    });
  });
}

/** Collects values pushed by callbacks and waits for a count of them. */
export class Inbox<T> {
  readonly items: T[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];

  push = (item: T) => {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => {
      if (this.items.length >= w.n) w.resolve();
      return this.items.length < w.n;
    });
  };

  async waitFor(n: number, timeoutMs = 5_000): Promise<T[]> {
    if (this.items.length < n) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `expected ${n} item(s), got ${this.items.length}: ${JSON.stringify(this.items).slice(0, 500)}`,
              ),
            ),
          timeoutMs,
        );
        this.waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
    return this.items;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
