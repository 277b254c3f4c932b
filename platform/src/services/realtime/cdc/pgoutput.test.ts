import { describe, expect, it } from 'vitest';
import {
  decodePgOutput,
  decodeStreamFrame,
  encodeStandbyStatus,
  pgTimestampToDate,
  UNCHANGED_TOAST,
} from './pgoutput';

const cstr = (s: string) => Buffer.concat([Buffer.from(s), Buffer.from([0])]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const i16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const text = (s: string) => Buffer.concat([Buffer.from('t'), u32(Buffer.byteLength(s)), Buffer.from(s)]);

describe('pgoutput decoding', () => {
  it('reads Relation messages', () => {
    const msg = Buffer.concat([
      Buffer.from('R'),
      u32(16384),
      cstr('public'),
      cstr('notes'),
      Buffer.from('d'),
      i16(2),
      Buffer.from([1]),
      cstr('id'),
      u32(20),
      u32(0xffffffff),
      Buffer.from([0]),
      cstr('body'),
      u32(25),
      u32(0xffffffff),
    ]);
    expect(decodePgOutput(msg)).toEqual({
      tag: 'relation',
      relation: {
        relid: 16384,
        schema: 'public',
        table: 'notes',
        replicaIdentity: 'd',
        columns: [
          { flags: 1, name: 'id', typeOid: 20, typmod: -1 },
          { flags: 0, name: 'body', typeOid: 25, typmod: -1 },
        ],
      },
    });
  });

  it('reads updates with an old key tuple, nulls and unchanged TOAST values', () => {
    const tuple = (...cols: Buffer[]) => Buffer.concat([i16(cols.length), ...cols]);
    const msg = Buffer.concat([
      Buffer.from('U'),
      u32(16384),
      Buffer.from('K'),
      tuple(text('1'), Buffer.from('n')),
      Buffer.from('N'),
      tuple(text('2'), Buffer.from('u')),
    ]);
    expect(decodePgOutput(msg)).toEqual({
      tag: 'update',
      relid: 16384,
      oldKind: 'K',
      oldTuple: ['1', null],
      newTuple: ['2', UNCHANGED_TOAST],
    });
  });

  it('reads the stream framing and writes standby status updates', () => {
    const k = Buffer.alloc(18);
    k.write('k', 0);
    k.writeBigUInt64BE(99n, 1);
    k.writeUInt8(1, 17);
    expect(decodeStreamFrame(k)).toEqual({ kind: 'keepalive', walEnd: 99n, replyRequested: true });
    const status = encodeStandbyStatus(1234n);
    expect(status.toString('ascii', 0, 1)).toBe('r');
    expect(status.readBigUInt64BE(1)).toBe(1234n);
    expect(pgTimestampToDate(0n).toISOString()).toBe('2000-01-01T00:00:00.000Z');
  });
});
