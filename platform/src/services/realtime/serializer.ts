/**
 * Phoenix wire formats as realtime-js 2.119 speaks them.
 *
 * - vsn 1.0.0: text frames, JSON objects `{topic, event, payload, ref, join_ref}`.
 * - vsn 2.0.0: text frames are JSON arrays `[join_ref, ref, topic, event, payload]`; binary frames
 *   carry a kind byte. Clients send kind 0 (push with a binary payload) and kind 3 (user broadcast
 *   push — realtime-js sends every `channel.send({type:'broadcast'})` this way); the server sends
 *   kind 4 (user broadcast, the only binary frame realtime-js decodes) and kind 2 (Phoenix binary
 *   broadcast, for a kind 0 broadcast relayed as it came).
 */

export type Vsn = '1.0.0' | '2.0.0';

export type PhxMessage = {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
};

/** A decoded kind 3 frame: `channel.send({type:'broadcast', event, payload})` from realtime-js. */
export type UserBroadcastPush = {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  userEvent: string;
  metadata: Record<string, unknown>;
  encoding: 'json' | 'binary';
  payload: Buffer;
};

export type Incoming =
  | { kind: 'message'; message: PhxMessage }
  | { kind: 'binary-push'; message: PhxMessage & { payload: Buffer } }
  | { kind: 'user-broadcast'; push: UserBroadcastPush };

const KIND_PUSH = 0;
const KIND_BROADCAST = 2;
const KIND_USER_BROADCAST_PUSH = 3;
const KIND_USER_BROADCAST = 4;

export class FrameError extends Error {}

const emptyToNull = (s: string) => (s === '' ? null : s);

function readFields(buf: Buffer, start: number, sizes: number[]): { fields: string[]; offset: number } {
  let offset = start;
  const fields: string[] = [];
  for (const size of sizes) {
    if (offset + size > buf.length) throw new FrameError('binary frame is shorter than its header says');
    fields.push(buf.toString('utf8', offset, offset + size));
    offset += size;
  }
  return { fields, offset };
}

export function decodeFrame(vsn: Vsn, data: Buffer, isBinary: boolean): Incoming {
  if (!isBinary) {
    const parsed = JSON.parse(data.toString('utf8')) as unknown;
    if (vsn === '2.0.0') {
      if (!Array.isArray(parsed) || parsed.length < 5) throw new FrameError('expected a V2 array');
      const [joinRef, ref, topic, event, payload] = parsed as [unknown, unknown, unknown, unknown, unknown];
      if (typeof topic !== 'string' || typeof event !== 'string')
        throw new FrameError('topic and event must be strings');
      return {
        kind: 'message',
        message: { joinRef: strOrNull(joinRef), ref: strOrNull(ref), topic, event, payload },
      };
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new FrameError('expected a JSON object');
    const m = parsed as Record<string, unknown>;
    if (typeof m.topic !== 'string' || typeof m.event !== 'string')
      throw new FrameError('topic and event must be strings');
    return {
      kind: 'message',
      message: {
        joinRef: strOrNull(m.join_ref),
        ref: strOrNull(m.ref),
        topic: m.topic,
        event: m.event,
        payload: m.payload,
      },
    };
  }
  if (vsn !== '2.0.0') throw new FrameError('binary frames need vsn 2.0.0');
  if (data.length < 1) throw new FrameError('empty binary frame');
  const kind = data[0];
  if (kind === KIND_PUSH) {
    if (data.length < 5) throw new FrameError('binary push header is truncated');
    const { fields, offset } = readFields(data, 5, [data[1], data[2], data[3], data[4]]);
    const [joinRef, ref, topic, event] = fields;
    return {
      kind: 'binary-push',
      message: {
        joinRef: emptyToNull(joinRef),
        ref: emptyToNull(ref),
        topic,
        event,
        payload: data.subarray(offset),
      },
    };
  }
  if (kind === KIND_USER_BROADCAST_PUSH) {
    if (data.length < 7) throw new FrameError('user broadcast push header is truncated');
    const encoding = data[6] === 0 ? 'binary' : 'json';
    const { fields, offset } = readFields(data, 7, [data[1], data[2], data[3], data[4], data[5]]);
    const [joinRef, ref, topic, userEvent, metaText] = fields;
    let metadata: Record<string, unknown> = {};
    if (metaText !== '') {
      const parsed = JSON.parse(metaText) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        metadata = parsed as Record<string, unknown>;
    }
    return {
      kind: 'user-broadcast',
      push: {
        joinRef: emptyToNull(joinRef),
        ref: emptyToNull(ref),
        topic,
        userEvent,
        metadata,
        encoding,
        payload: data.subarray(offset),
      },
    };
  }
  throw new FrameError(`unknown binary frame kind ${kind}`);
}

function strOrNull(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : String(v);
}

/** A text frame in the connection's serializer. */
export function encodeText(vsn: Vsn, m: PhxMessage): string {
  if (vsn === '2.0.0') return JSON.stringify([m.joinRef, m.ref, m.topic, m.event, m.payload]);
  return JSON.stringify({
    topic: m.topic,
    event: m.event,
    payload: m.payload,
    ref: m.ref,
    join_ref: m.joinRef,
  });
}

function sized(s: string | null | undefined, what: string): Buffer {
  const b = Buffer.from(s ?? '', 'utf8');
  if (b.length > 255) throw new FrameError(`${what} is ${b.length} bytes; binary frames allow 255`);
  return b;
}

/** Kind 4: `[4, topicLen, eventLen, metaLen, enc, topic, event, meta, payload]` — decoded by realtime-js. */
export function encodeUserBroadcast(
  topic: string,
  userEvent: string,
  metadata: Record<string, unknown> | null,
  encoding: 'json' | 'binary',
  payload: Buffer,
): Buffer {
  const t = sized(topic, 'topic');
  const e = sized(userEvent, 'event');
  const m = sized(metadata ? JSON.stringify(metadata) : '', 'metadata');
  const header = Buffer.from([
    KIND_USER_BROADCAST,
    t.length,
    e.length,
    m.length,
    encoding === 'json' ? 1 : 0,
  ]);
  return Buffer.concat([header, t, e, m, payload]);
}

/** Kind 2: Phoenix's binary broadcast `[2, topicLen, eventLen, topic, event, payload]`. */
export function encodeBinaryBroadcast(topic: string, event: string, payload: Buffer): Buffer {
  const t = sized(topic, 'topic');
  const e = sized(event, 'event');
  return Buffer.concat([Buffer.from([KIND_BROADCAST, t.length, e.length]), t, e, payload]);
}

/** realtime-js side of kind 3, for tests and the benchmark's light client. */
export function encodeUserBroadcastPush(
  p: Omit<UserBroadcastPush, 'metadata'> & { metadata?: Record<string, unknown> },
): Buffer {
  const j = sized(p.joinRef, 'join_ref');
  const r = sized(p.ref, 'ref');
  const t = sized(p.topic, 'topic');
  const e = sized(p.userEvent, 'event');
  const m = sized(
    p.metadata && Object.keys(p.metadata).length > 0 ? JSON.stringify(p.metadata) : '',
    'metadata',
  );
  const header = Buffer.from([
    KIND_USER_BROADCAST_PUSH,
    j.length,
    r.length,
    t.length,
    e.length,
    m.length,
    p.encoding === 'json' ? 1 : 0,
  ]);
  return Buffer.concat([header, j, r, t, e, m, p.payload]);
}

/** Client side of kind 4, for tests and the benchmark's light client. */
export function decodeUserBroadcast(data: Buffer): {
  topic: string;
  event: string;
  meta?: Record<string, unknown>;
  payload: unknown;
} {
  if (data[0] !== KIND_USER_BROADCAST) throw new FrameError(`not a user broadcast frame (kind ${data[0]})`);
  const { fields, offset } = readFields(data, 5, [data[1], data[2], data[3]]);
  const [topic, event, meta] = fields;
  const body = data.subarray(offset);
  return {
    topic,
    event,
    ...(meta ? { meta: JSON.parse(meta) as Record<string, unknown> } : {}),
    payload: data[4] === 1 ? (JSON.parse(body.toString('utf8')) as unknown) : body,
  };
}
