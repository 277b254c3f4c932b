/**
 * A child process of the realtime benchmark holding a share of the subscribers, so that client
 * work does not run on the server's event loop. Talks to the parent over IPC.
 */
import { type Delivery, PhoenixClient } from './phoenix-client';

export type BenchUser = { token: string; community: number };
export type ToWorker =
  | { type: 'setup'; url: string; users: BenchUser[] }
  | { type: 'join'; mode: 'broadcast' | 'pg' }
  | { type: 'leave' }
  | { type: 'collect' }
  | { type: 'stop' };
export type FromWorker =
  | { type: 'ready'; ms: number }
  | { type: 'joined'; ok: number; failed: number; errors: string[]; ms: number }
  | { type: 'left' }
  | { type: 'samples'; latencies: number[]; other: number };

const clients: { client: PhoenixClient; user: BenchUser; joined?: { topic: string; joinRef: string } }[] = [];
let latencies: number[] = [];
let other = 0;

const send = (m: FromWorker) => process.send?.(m);

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

function sentAt(d: Delivery): number | undefined {
  if (d.kind === 'broadcast') return (d.payload as { record?: { sent_at?: number } })?.record?.sent_at;
  if (d.kind === 'postgres_changes')
    return (d.payload.data.record as { sent_at?: number } | undefined)?.sent_at;
  return undefined;
}

process.on('message', async (m: ToWorker) => {
  if (m.type === 'setup') {
    const t0 = performance.now();
    for (const user of m.users) {
      const client = new PhoenixClient(m.url);
      client.onDelivery = (d, receivedAt) => {
        const at = sentAt(d);
        if (typeof at === 'number') latencies.push(receivedAt - at);
        else other++;
      };
      clients.push({ client, user });
    }
    await inBatches(clients, 50, (c) => c.client.connect());
    send({ type: 'ready', ms: Math.round(performance.now() - t0) });
  } else if (m.type === 'join') {
    const t0 = performance.now();
    let ok = 0;
    const errors: string[] = [];
    await inBatches(clients, 25, async (c) => {
      const topic = m.mode === 'broadcast' ? `community:${c.user.community}` : `changes:${c.user.community}`;
      const config =
        m.mode === 'broadcast'
          ? { private: true, broadcast: { self: false, ack: false }, presence: { enabled: false } }
          : {
              private: false,
              postgres_changes: [
                {
                  event: 'INSERT',
                  schema: 'public',
                  table: 'bench_events',
                  filter: `community_id=eq.${c.user.community}`,
                },
              ],
            };
      try {
        const { joinRef, reply } = await c.client.join(topic, config, c.user.token);
        if (reply.status === 'ok') {
          ok++;
          c.joined = { topic, joinRef };
        } else errors.push(JSON.stringify(reply.response));
      } catch (err) {
        errors.push(String(err));
      }
    });
    send({
      type: 'joined',
      ok,
      failed: errors.length,
      errors: errors.slice(0, 3),
      ms: Math.round(performance.now() - t0),
    });
  } else if (m.type === 'leave') {
    await inBatches(clients, 50, async (c) => {
      if (c.joined) await c.client.leave(c.joined.topic, c.joined.joinRef).catch(() => {});
      c.joined = undefined;
    });
    send({ type: 'left' });
  } else if (m.type === 'collect') {
    send({ type: 'samples', latencies, other });
    latencies = [];
    other = 0;
  } else if (m.type === 'stop') {
    for (const c of clients) c.client.close();
    process.exit(0);
  }
});
