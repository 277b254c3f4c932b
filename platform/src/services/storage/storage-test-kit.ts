import { randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import type { TestPlatform } from '../../../../tests/support/platform';
import { signAccessToken } from '../../jwt';

/** A signed-in user as the conformance tests need one: a token minted with the platform's key. */
export type TestUser = { id: string; token: string; client: SupabaseClient };

const noPersist = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false };
// Node 20 has no global WebSocket, and supabase-js builds its realtime client eagerly.
const realtime = { transport: WebSocket as unknown as typeof globalThis.WebSocket };

/** A client with the publishable key (a browser without a session) or the secret key (server-side admin). */
export function clientWithKey(platform: TestPlatform, key: 'publishable' | 'secret'): SupabaseClient {
  const apiKey = key === 'secret' ? platform.keys.secretKey : platform.keys.publishableKey;
  return createClient(platform.url, apiKey, { auth: noPersist, realtime });
}

/** A supabase-js client for a user of the test platform (no Auth service needed). */
export async function signInAs(platform: TestPlatform, id = randomUUID()): Promise<TestUser> {
  const token = await signAccessToken(
    platform.keys,
    { sub: id, role: 'authenticated', aud: 'authenticated', email: `${id.slice(0, 8)}@example.test` },
    3600,
  );
  const client = createClient(platform.url, platform.keys.publishableKey, {
    auth: noPersist,
    realtime,
    global: { headers: { Authorization: `Bearer ${token}` } },
  });
  return { id, token, client };
}

/** The smallest valid PNG (1×1, transparent). */
export const PNG_1X1 = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

/** Deterministic pseudo-random bytes (fast; no crypto needed for test payloads). */
export function bytesOf(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  for (; i < size; i++) out[i] = i & 0xff;
  return out;
}
