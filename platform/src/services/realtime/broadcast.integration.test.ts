import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestPlatform, type TestPlatform } from '../../../../tests/support/platform';
import { decodeUserBroadcast, encodeUserBroadcastPush } from './serializer';
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
  // Private rooms `room:<user id>`: the member reads and writes its own room; `shared` is readable by everyone signed in.
  await platform.sql.query(`
    create policy "read own room" on realtime.messages for select to authenticated
      using (realtime.topic() = 'room:' || (select auth.uid())::text or realtime.topic() = 'shared');
    create policy "write own room" on realtime.messages for insert to authenticated
      with check (realtime.topic() = 'room:' || (select auth.uid())::text);
  `);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.removeAllChannels()));
});
afterAll(async () => {
  await platform?.close();
});

describe('broadcast', () => {
  it('delivers between clients, and to the sender only with self', async () => {
    const a = await client();
    const b = await client();
    const aInbox = new Inbox<unknown>();
    const bInbox = new Inbox<unknown>();
    const chA = a
      .channel('lobby', { config: { broadcast: { self: true } } })
      .on('broadcast', { event: 'hello' }, (m) => aInbox.push(m));
    const chB = b.channel('lobby').on('broadcast', { event: 'hello' }, (m) => bInbox.push(m));
    expect((await subscribe(chA)).status).toBe('SUBSCRIBED');
    expect((await subscribe(chB)).status).toBe('SUBSCRIBED');

    expect(await chA.send({ type: 'broadcast', event: 'hello', payload: { n: 1, text: '你好' } })).toBe('ok');
    await bInbox.waitFor(1);
    await aInbox.waitFor(1);
    expect(bInbox.items[0]).toEqual({ type: 'broadcast', event: 'hello', payload: { n: 1, text: '你好' } });
    expect(aInbox.items[0]).toEqual(bInbox.items[0]);

    await chB.send({ type: 'broadcast', event: 'hello', payload: { n: 2 } });
    await aInbox.waitFor(2);
    await sleep(100);
    expect(bInbox.items).toHaveLength(1); // no self for b
  });

  it('acknowledges a broadcast when ack is set', async () => {
    const a = await client();
    const ch = a.channel('acked', { config: { broadcast: { ack: true } } });
    expect((await subscribe(ch)).status).toBe('SUBSCRIBED');
    const t0 = Date.now();
    expect(await ch.send({ type: 'broadcast', event: 'x', payload: {} })).toBe('ok');
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('carries binary payloads in 2.0.0 binary frames both ways', async () => {
    const a = await client();
    const b = await client();
    const inbox = new Inbox<{ payload: unknown }>();
    const chA = a.channel('bytes');
    const chB = b.channel('bytes').on('broadcast', { event: 'blob' }, (m) => inbox.push(m as never));
    await subscribe(chA);
    await subscribe(chB);
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await chA.send({ type: 'broadcast', event: 'blob', payload: bytes.buffer });
    const [m] = await inbox.waitFor(1);
    expect(m.payload).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(m.payload as ArrayBuffer)]).toEqual([0, 1, 2, 250, 255]);
  });

  it('speaks the raw 2.0.0 frames realtime-js expects: kind 3 in, kind 4 out, text replies', async () => {
    const url = `${platform.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${platform.keys.publishableKey}&vsn=2.0.0`;
    const open = (ws: WebSocket) => new Promise((r) => ws.once('open', r));
    const sender = new WebSocket(url);
    const receiver = new WebSocket(url);
    await Promise.all([open(sender), open(receiver)]);
    const frames: { data: Buffer; isBinary: boolean }[] = [];
    receiver.on('message', (data, isBinary) => frames.push({ data: data as Buffer, isBinary }));
    const replies: unknown[] = [];
    sender.on('message', (data) => replies.push(JSON.parse(String(data))));
    const join = (ws: WebSocket) =>
      ws.send(
        JSON.stringify(['1', '1', 'realtime:raw', 'phx_join', { config: { broadcast: { ack: true } } }]),
      );
    join(sender);
    join(receiver);
    await sleep(300);
    expect(replies[0]).toEqual([
      '1',
      '1',
      'realtime:raw',
      'phx_reply',
      { status: 'ok', response: { postgres_changes: [] } },
    ]);
    sender.send(
      encodeUserBroadcastPush({
        joinRef: '1',
        ref: '2',
        topic: 'realtime:raw',
        userEvent: 'ping',
        encoding: 'json',
        payload: Buffer.from('{"a":1}'),
      }),
    );
    sender.send(JSON.stringify([null, '3', 'phoenix', 'heartbeat', {}]));
    await sleep(300);
    const binary = frames.find((f) => f.isBinary);
    expect(binary).toBeDefined();
    expect(binary?.data[0]).toBe(4);
    expect(decodeUserBroadcast(binary!.data)).toEqual({
      topic: 'realtime:raw',
      event: 'ping',
      payload: { a: 1 },
    });
    expect(replies).toContainEqual(['1', '2', 'realtime:raw', 'phx_reply', { status: 'ok', response: {} }]);
    expect(replies).toContainEqual([null, '3', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
    sender.close();
    receiver.close();
  });

  it('answers Phoenix edge cases like the server does', async () => {
    const url = `${platform.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${platform.keys.publishableKey}&vsn=1.0.0`;
    const ws = new WebSocket(url);
    await new Promise((r) => ws.once('open', r));
    const replies = new Inbox<{
      topic: string;
      event: string;
      payload: { status: string; response: Record<string, unknown> };
      ref: string;
    }>();
    ws.on('message', (data) => replies.push(JSON.parse(String(data))));
    const send = (m: Record<string, unknown>) => ws.send(JSON.stringify(m));
    send({ topic: 'realtime:', event: 'phx_join', payload: {}, ref: '1', join_ref: '1' });
    send({ topic: 'realtime:nowhere', event: 'broadcast', payload: {}, ref: '2', join_ref: '9' });
    send({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '3', join_ref: null });
    await replies.waitFor(3);
    const byRef = Object.fromEntries(replies.items.map((r) => [r.ref, r.payload]));
    expect(byRef['1']).toEqual({
      status: 'error',
      response: { reason: 'TopicNameRequired: You must provide a topic name' },
    });
    expect(byRef['2']).toEqual({ status: 'error', response: { reason: 'unmatched topic' } });
    expect(byRef['3']).toEqual({ status: 'ok', response: {} });
    ws.close();
  });

  it('serves vsn 1.0.0 clients with JSON objects, including broadcasts from 2.0.0 clients', async () => {
    const v1 = await client({ vsn: '1.0.0' });
    const v2 = await client();
    const inbox = new Inbox<unknown>();
    const ch1 = v1.channel('mixed').on('broadcast', { event: 'e' }, (m) => inbox.push(m));
    const ch2 = v2.channel('mixed');
    expect((await subscribe(ch1)).status).toBe('SUBSCRIBED');
    await subscribe(ch2);
    await ch2.send({ type: 'broadcast', event: 'e', payload: { from: 'v2' } });
    const [m] = await inbox.waitFor(1);
    expect(m).toEqual({ type: 'broadcast', event: 'e', payload: { from: 'v2' } });
  });

  it('sends over REST before the channel is joined, and through httpSend', async () => {
    const listener = await client();
    const inbox = new Inbox<{ event: string; payload: unknown }>();
    const ch = listener.channel('rest').on('broadcast', { event: '*' }, (m) => inbox.push(m as never));
    await subscribe(ch);
    const sender = await client();
    const unjoined = sender.channel('rest');
    expect(await unjoined.send({ type: 'broadcast', event: 'via-rest', payload: { ok: true } })).toBe('ok');
    expect(await unjoined.httpSend('via-http', { n: 1 })).toEqual({ success: true });
    await inbox.waitFor(2);
    expect(inbox.items.map((m) => [m.event, m.payload])).toEqual([
      ['via-rest', { ok: true }],
      ['via-http', { n: 1 }],
    ]);
  });
});

describe('private channels', () => {
  it('refuses a join without a matching policy, with the reason the client expects', async () => {
    const user = await mintUser(platform.keys);
    const c = await client({ token: user.token });
    const outcome = await subscribe(c.channel('room:someone-else', { config: { private: true } }));
    expect(outcome.status).toBe('CHANNEL_ERROR');
    expect(outcome.error?.message).toBe(
      'Unauthorized: You do not have permissions to read from this Channel topic: room:someone-else',
    );
  });

  it('refuses an anonymous client on a private channel', async () => {
    const outcome = await subscribe((await client()).channel('shared', { config: { private: true } }));
    expect(outcome.error?.message).toBe(
      'Unauthorized: You do not have permissions to read from this Channel topic: shared',
    );
  });

  it('lets members broadcast only where the INSERT policy allows', async () => {
    const alice = await mintUser(platform.keys);
    const bob = await mintUser(platform.keys);
    const a = await client({ token: alice.token });
    const b = await client({ token: bob.token });
    const inbox = new Inbox<unknown>();
    // Both read `shared`; nobody may write there.
    const chA = a.channel('shared', { config: { private: true, broadcast: { ack: true } } });
    const chB = b
      .channel('shared', { config: { private: true } })
      .on('broadcast', { event: '*' }, (m) => inbox.push(m));
    expect((await subscribe(chA)).status).toBe('SUBSCRIBED');
    expect((await subscribe(chB)).status).toBe('SUBSCRIBED');
    expect(await chA.send({ type: 'broadcast', event: 'x', payload: {} }, { timeout: 500 })).toBe(
      'timed out',
    );

    // Alice's own room: readable and writable by her.
    const own = a.channel(`room:${alice.id}`, {
      config: { private: true, broadcast: { self: true, ack: true } },
    });
    const ownInbox = new Inbox<unknown>();
    own.on('broadcast', { event: 'note' }, (m) => ownInbox.push(m));
    expect((await subscribe(own)).status).toBe('SUBSCRIBED');
    expect(await own.send({ type: 'broadcast', event: 'note', payload: { hi: 1 } })).toBe('ok');
    await ownInbox.waitFor(1);
    await sleep(100);
    expect(inbox.items).toHaveLength(0);
  });

  it('does not mix a public and a private channel of the same name', async () => {
    const alice = await mintUser(platform.keys);
    const a = await client({ token: alice.token });
    const pub = await client();
    const privInbox = new Inbox<unknown>();
    const chPriv = a
      .channel(`room:${alice.id}`, { config: { private: true } })
      .on('broadcast', { event: '*' }, (m) => privInbox.push(m));
    expect((await subscribe(chPriv)).status).toBe('SUBSCRIBED');
    const chPub = pub.channel(`room:${alice.id}`);
    expect((await subscribe(chPub)).status).toBe('SUBSCRIBED');
    await chPub.send({ type: 'broadcast', event: 'sneaky', payload: {} });
    await sleep(200);
    expect(privInbox.items).toHaveLength(0);
  });

  it('replays recent stored messages on a private channel, then continues live without repeats', async () => {
    const alice = await mintUser(platform.keys);
    const topic = `room:${alice.id}`;
    for (const n of [1, 2, 3])
      await platform.sql.query(`select realtime.send($1::jsonb, 'saved', $2)`, [
        JSON.stringify({ n }),
        topic,
      ]);
    const a = await client({ token: alice.token });
    const inbox = new Inbox<{ payload: { n: number }; meta?: { replayed?: boolean; id: string } }>();
    const ch = a
      .channel(topic, {
        config: { private: true, broadcast: { replay: { since: Date.now() - 60_000, limit: 2 } } },
      })
      .on('broadcast', { event: 'saved' }, (m) => inbox.push(m as never));
    expect((await subscribe(ch)).status).toBe('SUBSCRIBED');
    await inbox.waitFor(2);
    await platform.sql.query(`select realtime.send('{"n": 4}', 'saved', $1)`, [topic]);
    await inbox.waitFor(3);
    await sleep(100);
    expect(inbox.items.map((m) => [m.payload.n, m.meta?.replayed ?? false])).toEqual([
      [2, true],
      [3, true],
      [4, false],
    ]);
  });

  it('checks write permission for REST broadcasts to private topics', async () => {
    const alice = await mintUser(platform.keys);
    const a = await client({ token: alice.token });
    const inbox = new Inbox<unknown>();
    const own = a
      .channel(`room:${alice.id}`, { config: { private: true } })
      .on('broadcast', { event: '*' }, (m) => inbox.push(m));
    expect((await subscribe(own)).status).toBe('SUBSCRIBED');
    const sender = await client({ token: alice.token });
    expect(
      await sender.channel(`room:${alice.id}`, { config: { private: true } }).httpSend('hi', { x: 1 }),
    ).toEqual({ success: true });
    await inbox.waitFor(1);
    await expect(
      sender.channel('shared', { config: { private: true } }).httpSend('hi', { x: 1 }),
    ).rejects.toThrow('Unauthorized');
  });

  it('tells a channel that asked for replication_ready that it is ready', async () => {
    const c = await client();
    const system = new Inbox<{ extension: string; status: string; message: string }>();
    const ch = c
      .channel('ready', { config: { broadcast: { replication_ready: true } } })
      .on('system', {}, (p) => system.push(p));
    await subscribe(ch);
    const [msg] = await system.waitFor(1);
    expect(msg).toMatchObject({
      extension: 'system',
      status: 'ok',
      message: 'Replication connection established',
    });
  });
});
