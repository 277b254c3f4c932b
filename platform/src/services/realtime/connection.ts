import { WebSocket } from 'ws';
import { Channel, type ChannelHost } from './channel';
import type { RealtimeDeps } from './deps';
import { decodeFrame, encodeText, type Incoming, type PhxMessage, type Vsn } from './serializer';

/** Phoenix closes a websocket that sent nothing (not even a heartbeat) for this long. */
export const IDLE_TIMEOUT_MS = 60_000;
/** A client this far behind on reading is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * One websocket: the Phoenix socket. Heartbeats are answered at once; every other message goes
 * through a queue per topic, so a slow join never holds up other channels and messages on one
 * channel keep their order.
 */
export class Connection implements ChannelHost {
  readonly channels = new Map<string, Channel>();
  private readonly queues = new Map<string, Promise<void>>();
  lastSeen = Date.now();
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    readonly vsn: Vsn,
    readonly socketToken: string,
    readonly headers: Record<string, string>,
    readonly deps: RealtimeDeps,
    private readonly onClosed: (c: Connection) => void,
  ) {
    ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    ws.on('close', () => this.cleanup());
    ws.on('error', (err) => {
      deps.log.debug('websocket error', { error: err.message });
      this.cleanup();
    });
  }

  send(data: string | Buffer, binary: boolean) {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.deps.log.warn('dropping a websocket client that does not keep up', {
        buffered: this.ws.bufferedAmount,
      });
      this.ws.terminate();
      return;
    }
    this.ws.send(data, { binary });
  }

  push(m: PhxMessage) {
    this.send(encodeText(this.vsn, m), false);
  }

  detach(channel: Channel) {
    if (this.channels.get(channel.topic) === channel) this.channels.delete(channel.topic);
  }

  /** Closes the websocket (server shutdown, idle timeout). */
  close(code = 1001, reason = 'server shutting down') {
    this.cleanup();
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), 1_000).unref();
  }

  private cleanup() {
    if (this.closed) return;
    this.closed = true;
    for (const ch of this.channels.values()) ch.close();
    this.channels.clear();
    this.onClosed(this);
  }

  private onFrame(data: Buffer, isBinary: boolean) {
    this.lastSeen = Date.now();
    let incoming: Incoming;
    try {
      incoming = decodeFrame(this.vsn, data, isBinary);
    } catch (err) {
      this.deps.log.debug('ignoring an undecodable frame', { error: String(err) });
      return;
    }
    if (incoming.kind === 'message' && incoming.message.topic === 'phoenix') {
      if (incoming.message.event === 'heartbeat') {
        this.push({
          joinRef: null,
          ref: incoming.message.ref,
          topic: 'phoenix',
          event: 'phx_reply',
          payload: { status: 'ok', response: {} },
        });
      }
      return;
    }
    const topic = incoming.kind === 'user-broadcast' ? incoming.push.topic : incoming.message.topic;
    const previous = this.queues.get(topic) ?? Promise.resolve();
    const next = previous.then(() => this.handle(incoming)).catch((err: Error) => this.crashed(topic, err));
    this.queues.set(topic, next);
    void next.then(() => {
      if (this.queues.get(topic) === next) this.queues.delete(topic);
    });
  }

  /**
   * A channel whose handler failed is dropped with `phx_error`, as Phoenix does when a channel
   * process crashes; the client then rejoins it.
   */
  private crashed(topic: string, err: Error) {
    this.deps.log.error('realtime message handling failed', { topic, error: err.stack ?? String(err) });
    const ch = this.channels.get(topic);
    if (!ch) return;
    this.channels.delete(topic);
    ch.close();
    this.push({ joinRef: ch.joinRef, ref: ch.joinRef, topic, event: 'phx_error', payload: {} });
  }

  private async handle(incoming: Incoming) {
    if (this.closed) return;
    if (incoming.kind === 'user-broadcast') {
      const ch = this.channelFor(incoming.push.topic, incoming.push.joinRef);
      if (ch) await ch.onUserBroadcast(incoming.push);
      return;
    }
    const m = incoming.message;
    if (m.event === 'phx_join') {
      await this.join(m);
      return;
    }
    const ch = this.channelFor(m.topic, m.joinRef);
    if (!ch) {
      // Phoenix answers a push to a topic it has no channel for like this.
      if (m.ref !== null)
        this.push({
          joinRef: m.joinRef,
          ref: m.ref,
          topic: m.topic,
          event: 'phx_reply',
          payload: { status: 'error', response: { reason: 'unmatched topic' } },
        });
      return;
    }
    switch (m.event) {
      case 'phx_leave':
        this.channels.delete(m.topic);
        ch.close();
        ch.reply(m.ref, 'ok');
        return;
      case 'broadcast':
        await ch.onBroadcast(m);
        return;
      case 'presence':
        await ch.onPresence(m);
        return;
      case 'access_token':
        await ch.onAccessToken(m);
        return;
      default:
        this.deps.log.debug('unexpected message from client', { topic: m.topic, event: m.event });
    }
  }

  private channelFor(topic: string, joinRef: string | null): Channel | undefined {
    const ch = this.channels.get(topic);
    if (ch && joinRef !== null && ch.joinRef !== null && joinRef !== ch.joinRef) return undefined;
    return ch;
  }

  private async join(m: PhxMessage) {
    const replyError = (reason: string) =>
      this.push({
        joinRef: m.joinRef,
        ref: m.ref,
        topic: m.topic,
        event: 'phx_reply',
        payload: { status: 'error', response: { reason } },
      });
    if (!m.topic.startsWith('realtime:')) {
      replyError('unmatched topic');
      return;
    }
    if (m.topic === 'realtime:') {
      replyError('TopicNameRequired: You must provide a topic name');
      return;
    }
    const existing = this.channels.get(m.topic);
    if (existing) {
      // Phoenix closes the older channel of a duplicate join.
      this.channels.delete(m.topic);
      existing.close();
      this.push({
        joinRef: existing.joinRef,
        ref: existing.joinRef,
        topic: m.topic,
        event: 'phx_close',
        payload: {},
      });
    }
    const channel = new Channel(this, m.topic, m.joinRef);
    let result: Awaited<ReturnType<Channel['join']>>;
    try {
      result = await channel.join(m.payload);
    } catch (err) {
      this.deps.log.error('join failed', { topic: m.topic, error: (err as Error).stack ?? String(err) });
      result = { ok: false, reason: 'UnknownErrorOnChannel: Unknown Error on Channel' };
    }
    if (!result.ok || this.closed) {
      channel.close();
      if (!result.ok) replyError(result.reason);
      return;
    }
    this.channels.set(m.topic, channel);
    this.push({
      joinRef: m.joinRef,
      ref: m.ref,
      topic: m.topic,
      event: 'phx_reply',
      payload: { status: 'ok', response: result.response },
    });
    channel.afterJoin();
  }
}
