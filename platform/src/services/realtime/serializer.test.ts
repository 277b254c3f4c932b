import Serializer from '@supabase/realtime-js/src/lib/serializer';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeUserBroadcast, encodeText, encodeUserBroadcast, FrameError } from './serializer';

// realtime-js's own serializer is the reference for the binary layouts.
const client = new Serializer();
function clientEncode(msg: Parameters<Serializer['encode']>[0]): Buffer {
  let out: ArrayBuffer | string = '';
  client.encode(msg, (r: ArrayBuffer | string) => {
    out = r;
  });
  return Buffer.from(out as unknown as ArrayBuffer);
}

describe('Phoenix serializer', () => {
  it('decodes the kind 3 frame realtime-js sends for channel.send(broadcast)', () => {
    const decoded = decodeFrame(
      '2.0.0',
      clientEncode({
        join_ref: '7',
        ref: '12',
        topic: 'realtime:楼栋-3',
        event: 'broadcast',
        payload: { type: 'broadcast', event: 'msg', payload: { a: '你好' } },
      }),
      true,
    );
    expect(decoded.kind).toBe('user-broadcast');
    if (decoded.kind !== 'user-broadcast') return;
    expect(decoded.push).toMatchObject({
      joinRef: '7',
      ref: '12',
      topic: 'realtime:楼栋-3',
      userEvent: 'msg',
      encoding: 'json',
      metadata: {},
    });
    expect(JSON.parse(decoded.push.payload.toString())).toEqual({ a: '你好' });
  });

  it('decodes binary payloads and the allowed metadata', () => {
    const bytes = new Uint8Array([1, 2, 3]).buffer;
    const decoded = decodeFrame(
      '2.0.0',
      clientEncode({
        join_ref: '1',
        ref: '2',
        topic: 'realtime:t',
        event: 'broadcast',
        payload: { type: 'broadcast', event: 'b', payload: bytes, persist: true },
      }),
      true,
    );
    if (decoded.kind !== 'user-broadcast') throw new Error('expected a user broadcast');
    expect(decoded.push.encoding).toBe('binary');
    expect(decoded.push.metadata).toEqual({ persist: true });
    expect([...decoded.push.payload]).toEqual([1, 2, 3]);
  });

  it('encodes kind 4 frames that realtime-js decodes', () => {
    const frame = encodeUserBroadcast(
      'realtime:room',
      'INSERT',
      { id: 'abc' },
      'json',
      Buffer.from('{"x":1}'),
    );
    const ab = frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.length) as ArrayBuffer;
    let decoded: unknown;
    client.decode(ab, (m: unknown) => {
      decoded = m;
    });
    expect(decoded).toEqual({
      join_ref: null,
      ref: null,
      topic: 'realtime:room',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'INSERT', payload: { x: 1 }, meta: { id: 'abc' } },
    });
    expect(decodeUserBroadcast(frame)).toEqual({
      topic: 'realtime:room',
      event: 'INSERT',
      meta: { id: 'abc' },
      payload: { x: 1 },
    });
  });

  it('reads and writes text frames of both versions', () => {
    const m = { joinRef: '1', ref: '2', topic: 'realtime:a', event: 'phx_join', payload: { config: {} } };
    expect(decodeFrame('2.0.0', Buffer.from(encodeText('2.0.0', m)), false)).toEqual({
      kind: 'message',
      message: m,
    });
    expect(JSON.parse(encodeText('1.0.0', m))).toEqual({
      topic: 'realtime:a',
      event: 'phx_join',
      payload: { config: {} },
      ref: '2',
      join_ref: '1',
    });
    expect(decodeFrame('1.0.0', Buffer.from(encodeText('1.0.0', m)), false)).toEqual({
      kind: 'message',
      message: m,
    });
  });

  it('rejects truncated and unknown binary frames', () => {
    expect(() => decodeFrame('2.0.0', Buffer.from([3, 5, 5, 5, 5, 0, 1, 65]), true)).toThrow(FrameError);
    expect(() => decodeFrame('2.0.0', Buffer.from([9]), true)).toThrow(FrameError);
    expect(() => decodeFrame('1.0.0', Buffer.from([4]), true)).toThrow(FrameError);
  });
});
