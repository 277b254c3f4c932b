import WebSocket from 'ws';
import { decodeUserBroadcast } from '../../platform/src/services/realtime/serializer';

export type Reply = { status: string; response: Record<string, unknown> };
export type Delivery =
  | { kind: 'broadcast'; topic: string; event: string; payload: unknown }
  | { kind: 'postgres_changes'; topic: string; payload: { ids: number[]; data: Record<string, unknown> } }
  | { kind: 'other'; topic: string; event: string; payload: unknown };

/**
 * A minimal Phoenix vsn 2.0.0 client, the same frames realtime-js sends and reads (JSON arrays,
 * binary kind 4 broadcasts), light enough to hold thousands of sockets in one process.
 */
export class PhoenixClient {
  private ws: WebSocket | null = null;
  private ref = 0;
  private readonly pending = new Map<string, (r: Reply) => void>();
  private heartbeat: NodeJS.Timeout | null = null;
  onDelivery: (d: Delivery, receivedAt: number) => void = () => {};

  constructor(private readonly url: string) {}

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, { perMessageDeflate: false });
      this.ws = ws;
      ws.once('open', () => {
        this.heartbeat = setInterval(() => this.send(null, 'phoenix', 'heartbeat', {}), 25_000);
        resolve();
      });
      ws.once('error', reject);
      ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    });
  }

  private onFrame(data: Buffer, isBinary: boolean) {
    const receivedAt = performance.timeOrigin + performance.now();
    if (isBinary) {
      const m = decodeUserBroadcast(data);
      this.onDelivery({ kind: 'broadcast', topic: m.topic, event: m.event, payload: m.payload }, receivedAt);
      return;
    }
    const [, ref, topic, event, payload] = JSON.parse(data.toString('utf8')) as [
      string | null,
      string | null,
      string,
      string,
      unknown,
    ];
    if (event === 'phx_reply' && ref !== null) {
      const resolve = this.pending.get(ref);
      this.pending.delete(ref);
      resolve?.(payload as Reply);
      return;
    }
    if (event === 'broadcast') {
      const p = payload as { event: string; payload: unknown };
      this.onDelivery({ kind: 'broadcast', topic, event: p.event, payload: p.payload }, receivedAt);
    } else if (event === 'postgres_changes') {
      this.onDelivery({ kind: 'postgres_changes', topic, payload: payload as never }, receivedAt);
    } else {
      this.onDelivery({ kind: 'other', topic, event, payload }, receivedAt);
    }
  }

  private send(joinRef: string | null, topic: string, event: string, payload: unknown): string {
    const ref = String(++this.ref);
    this.ws?.send(JSON.stringify([joinRef, ref, topic, event, payload]));
    return ref;
  }

  request(
    joinRef: string | null,
    topic: string,
    event: string,
    payload: unknown,
    timeoutMs = 30_000,
  ): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const ref = this.send(joinRef, topic, event, payload);
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new Error(`${event} on ${topic} timed out`));
      }, timeoutMs);
      this.pending.set(ref, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  /** Joins `realtime:<subTopic>`; the join ref is the join push's ref, as Phoenix does. */
  async join(
    subTopic: string,
    config: Record<string, unknown>,
    accessToken: string,
  ): Promise<{ joinRef: string; reply: Reply }> {
    const topic = `realtime:${subTopic}`;
    const joinRef = String(this.ref + 1);
    const reply = await this.request(joinRef, topic, 'phx_join', { config, access_token: accessToken });
    return { joinRef, reply };
  }

  leave(subTopic: string, joinRef: string): Promise<Reply> {
    return this.request(joinRef, `realtime:${subTopic}`, 'phx_leave', {});
  }

  close() {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.ws?.terminate();
  }
}
