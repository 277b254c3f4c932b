/**
 * A child process of the notify benchmark holding a share of the connected residents: each is a
 * raw Phoenix websocket joined to its private topic `user:<uid>`. It records when the inbox
 * broadcast of the benchmark's notice arrives (epoch ms).
 */
import { PhoenixClient } from '../realtime/phoenix-client';

export type ToWorker =
  | { type: 'setup'; url: string; users: { id: string; token: string }[] }
  | { type: 'collect'; link: string }
  | { type: 'stop' };
export type FromWorker =
  | { type: 'ready'; ms: number; joined: number; failed: number; errors: string[] }
  | { type: 'samples'; receivedAt: number[]; missing: number };

const clients: { client: PhoenixClient; id: string; received: Map<string, number> }[] = [];
const send = (m: FromWorker) => process.send?.(m);

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

process.on('message', async (m: ToWorker) => {
  if (m.type === 'setup') {
    const t0 = performance.now();
    let joined = 0;
    const errors: string[] = [];
    for (const user of m.users) {
      const received = new Map<string, number>();
      const client = new PhoenixClient(m.url);
      client.onDelivery = (d, receivedAt) => {
        const link = (d.payload as { link?: string } | null)?.link;
        if (d.kind === 'broadcast' && d.event === 'notification' && link && !received.has(link)) {
          received.set(link, receivedAt);
        }
      };
      clients.push({ client, id: user.id, received });
    }
    await inBatches(clients, 50, async (c) => {
      await c.client.connect();
      const user = m.users.find((u) => u.id === c.id)!;
      const { reply } = await c.client.join(
        `user:${c.id}`,
        { private: true, broadcast: { self: false, ack: false }, presence: { enabled: false } },
        user.token,
      );
      if (reply.status === 'ok') joined++;
      else if (errors.length < 3) errors.push(JSON.stringify(reply.response));
    });
    send({
      type: 'ready',
      ms: Math.round(performance.now() - t0),
      joined,
      failed: m.users.length - joined,
      errors,
    });
  } else if (m.type === 'collect') {
    const receivedAt: number[] = [];
    let missing = 0;
    for (const c of clients) {
      const at = c.received.get(m.link);
      if (at === undefined) missing++;
      else receivedAt.push(at);
    }
    send({ type: 'samples', receivedAt, missing });
  } else if (m.type === 'stop') {
    for (const c of clients) c.client.close();
    process.exit(0);
  }
});
