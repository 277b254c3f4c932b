import type { SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestPlatform, type TestPlatform } from '../../../../tests/support/platform';
import { Inbox, mintUser, realtimeClient, sleep, subscribe } from './test-support';

let platform: TestPlatform;
const clients: SupabaseClient[] = [];
const client = async (opts: Parameters<typeof realtimeClient>[2] = {}) => {
  const c = await realtimeClient(platform.url, platform.keys, opts);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  platform = await startTestPlatform();
  await platform.sql.query(`
    create policy "signed-in users read the notice board" on realtime.messages for select to authenticated
      using (realtime.topic() = 'board' and (select auth.jwt() ->> 'tier') is distinct from 'banned');
  `);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.removeAllChannels()));
});
afterAll(async () => {
  await platform?.close();
});

type System = { extension: string; status: string; message: string; channel: string };

/** A token that expires `seconds` whole seconds from a second boundary, so it lives at least `seconds - 0.1` s. */
async function shortLivedUser(seconds: number, id?: string) {
  await sleep(1000 - (Date.now() % 1000));
  const user = await mintUser(platform.keys, { expiresIn: seconds, ...(id ? { id } : {}) });
  return { ...user, expiresAt: (Math.floor(Date.now() / 1000) + seconds) * 1000 };
}

describe('tokens on the websocket', () => {
  it('refuses the connection when the API key is not a valid token', async () => {
    const url = `${platform.url.replace('http', 'ws')}/realtime/v1/websocket?vsn=2.0.0&apikey=`;
    const status = (apikey: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url + apikey);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => {});
      });
    const expired = await mintUser(platform.keys, { expiresIn: -10 });
    expect(await status(expired.token)).toBe(401);
    expect(await status('not-a-token')).toBe(401);
    expect(await status(platform.keys.publishableKey)).toBe(101);
  });

  it('refuses joins with expired, malformed and foreign tokens with hosted reasons', async () => {
    const expired = await mintUser(platform.keys, { expiresIn: -30 });
    const foreign = await new SignJWT({ role: 'authenticated', sub: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('some-other-project-secret-that-is-long-enough'));
    const reasons: string[] = [];
    for (const token of [expired.token, 'garbage', foreign]) {
      const c = await client({ token });
      const outcome = await subscribe(c.channel('board'));
      reasons.push(outcome.error?.message ?? outcome.status);
    }
    expect(reasons[0]).toMatch(/^InvalidJWTToken: Token has expired \d+ seconds ago$/);
    expect(reasons[1]).toBe('MalformedJWT: The token provided is not a valid JWT');
    expect(reasons[2]).toBe('JwtSignatureError: Failed to validate JWT signature');
  });

  it('keeps a channel past its first token when the client refreshes it (access_token)', async () => {
    const user = await shortLivedUser(2);
    let token = user.token;
    const c = await client({ accessToken: async () => token });
    const system = new Inbox<System>();
    const statuses: string[] = [];
    const ch = c.channel('board', { config: { private: true } }).on('system', {}, (p) => system.push(p));
    const first = new Promise((resolve) =>
      ch.subscribe((s) => {
        statuses.push(s);
        resolve(s);
      }),
    );
    expect(await first).toBe('SUBSCRIBED');
    token = (await mintUser(platform.keys, { id: user.id, expiresIn: 3600 })).token;
    await c.realtime.setAuth();
    await sleep(user.expiresAt + 700 - Date.now());
    expect(system.items).toEqual([]);
    expect(statuses).toEqual(['SUBSCRIBED']);
    const inbox = new Inbox<unknown>();
    ch.on('broadcast', { event: 'ping' }, (m) => inbox.push(m));
    await platform.sql.query(`select realtime.send('{}', 'ping', 'board')`);
    await inbox.waitFor(1);
  });

  it('closes the channel with a system message when the token expires', async () => {
    const user = await shortLivedUser(1);
    const c = await client({ token: user.token });
    const system = new Inbox<System>();
    const statuses = new Inbox<string>();
    const ch = c.channel('board', { config: { private: true } }).on('system', {}, (p) => system.push(p));
    ch.subscribe((s) => statuses.push(s));
    await statuses.waitFor(1);
    expect(statuses.items[0]).toBe('SUBSCRIBED');
    const [msg] = await system.waitFor(1, 4_000);
    expect(msg).toMatchObject({ extension: 'system', status: 'error', channel: 'board' });
    expect(msg.message).toMatch(/^Token has expired \d+ seconds ago$/);
    await statuses.waitFor(2);
    expect(statuses.items[1]).toBe('CLOSED');
  });

  it('closes the channel when a refreshed token loses read permission', async () => {
    const user = await mintUser(platform.keys);
    let token = user.token;
    const c = await client({ accessToken: async () => token });
    const system = new Inbox<System>();
    const ch = c.channel('board', { config: { private: true } }).on('system', {}, (p) => system.push(p));
    expect((await subscribe(ch)).status).toBe('SUBSCRIBED');
    token = (await mintUser(platform.keys, { id: user.id, claims: { tier: 'banned' } })).token;
    await c.realtime.setAuth();
    const [msg] = await system.waitFor(1);
    expect(msg).toMatchObject({
      status: 'error',
      message: 'You no longer have permission to read from this Channel topic: board',
    });
  });
});
