import { encodeBinaryBroadcast, encodeText, encodeUserBroadcast, type Vsn } from './serializer';

/**
 * Private and public channels of the same name are different rooms (hosted keys its pubsub
 * topic by both), so a public broadcast never reaches private members and vice versa.
 */
export const topicKey = (subTopic: string, isPrivate: boolean) =>
  `${isPrivate ? 'private' : 'public'}:${subTopic}`;

/** One joined channel, as the hub sees it. */
export interface Member {
  readonly key: string;
  /** The client's topic, `realtime:<sub-topic>`. */
  readonly topic: string;
  readonly vsn: Vsn;
  canReceiveBroadcast(): boolean;
  canReceivePresence(): boolean;
  /** True for a message this member already got by replay (broadcast `meta.id`). */
  replayed(messageId: string): boolean;
  send(data: string | Buffer, binary: boolean): void;
}

/**
 * A broadcast on its way out.
 * - `json`: a map payload `{type:'broadcast', event, payload, meta?}` (REST batch, vsn 1 clients), sent as text.
 * - `user`: hosted's UserBroadcast (realtime-js kind 3 pushes, broadcasts from the database, REST
 *   single): binary kind 4 for vsn 2.0.0; JSON text for vsn 1.0.0 (binary payloads cannot be).
 * - `binary`: a kind 0 push relayed as Phoenix's kind 2 frame (vsn 2.0.0 only).
 */
export type OutBroadcast =
  | { type: 'json'; payload: Record<string, unknown> }
  | {
      type: 'user';
      userEvent: string;
      encoding: 'json' | 'binary';
      body: Buffer;
      meta: Record<string, unknown> | null;
    }
  | { type: 'binary'; body: Buffer };

type Encoded = { data: string | Buffer; binary: boolean } | null;

function encodeFor(vsn: Vsn, topic: string, msg: OutBroadcast): Encoded {
  if (msg.type === 'json')
    return {
      data: encodeText(vsn, { joinRef: null, ref: null, topic, event: 'broadcast', payload: msg.payload }),
      binary: false,
    };
  if (msg.type === 'binary')
    return vsn === '2.0.0'
      ? { data: encodeBinaryBroadcast(topic, 'broadcast', msg.body), binary: true }
      : null;
  if (vsn === '2.0.0')
    return {
      data: encodeUserBroadcast(topic, msg.userEvent, msg.meta, msg.encoding, msg.body),
      binary: true,
    };
  if (msg.encoding !== 'json') return null;
  const payload: Record<string, unknown> = {
    type: 'broadcast',
    event: msg.userEvent,
    payload: JSON.parse(msg.body.toString('utf8')),
  };
  if (msg.meta) payload.meta = msg.meta;
  return {
    data: encodeText(vsn, { joinRef: null, ref: null, topic, event: 'broadcast', payload }),
    binary: false,
  };
}

export class Hub {
  private readonly rooms = new Map<string, Set<Member>>();

  add(member: Member) {
    const room = this.rooms.get(member.key);
    if (room) room.add(member);
    else this.rooms.set(member.key, new Set([member]));
  }

  remove(member: Member) {
    const room = this.rooms.get(member.key);
    if (!room) return;
    room.delete(member);
    if (room.size === 0) this.rooms.delete(member.key);
  }

  members(key: string): ReadonlySet<Member> {
    return this.rooms.get(key) ?? new Set();
  }

  get size() {
    let n = 0;
    for (const room of this.rooms.values()) n += room.size;
    return n;
  }

  /** Fans a broadcast out to the room, encoding it once per serializer. Returns the number of deliveries. */
  broadcast(key: string, msg: OutBroadcast, except?: Member): number {
    const room = this.rooms.get(key);
    if (!room) return 0;
    const cache = new Map<string, Encoded>();
    const id =
      msg.type === 'user'
        ? msg.meta?.id
        : msg.type === 'json'
          ? (msg.payload.meta as { id?: unknown } | undefined)?.id
          : undefined;
    let delivered = 0;
    for (const m of room) {
      if (m === except || !m.canReceiveBroadcast()) continue;
      if (typeof id === 'string' && m.replayed(id)) continue;
      const cacheKey = `${m.vsn}\u0000${m.topic}`;
      let enc = cache.get(cacheKey);
      if (enc === undefined) {
        enc = encodeFor(m.vsn, m.topic, msg);
        cache.set(cacheKey, enc);
      }
      if (!enc) continue;
      m.send(enc.data, enc.binary);
      delivered++;
    }
    return delivered;
  }

  /** `presence_diff` to every member allowed to see presence. */
  presenceDiff(key: string, diff: { joins: Record<string, unknown>; leaves: Record<string, unknown> }) {
    const room = this.rooms.get(key);
    if (!room) return;
    const cache = new Map<string, string>();
    for (const m of room) {
      if (!m.canReceivePresence()) continue;
      const cacheKey = `${m.vsn}\u0000${m.topic}`;
      let text = cache.get(cacheKey);
      if (text === undefined) {
        text = encodeText(m.vsn, {
          joinRef: null,
          ref: null,
          topic: m.topic,
          event: 'presence_diff',
          payload: diff,
        });
        cache.set(cacheKey, text);
      }
      m.send(text, false);
    }
  }
}
