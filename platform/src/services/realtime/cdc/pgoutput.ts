/**
 * Decoder for PostgreSQL's built-in logical decoding output plugin `pgoutput`, protocol version 1
 * (https://www.postgresql.org/docs/17/protocol-logicalrep-message-formats.html), and for the
 * replication stream's own CopyData framing (XLogData 'w', primary keepalive 'k').
 */

/** Column flag 1: the column is part of the replica identity key. */
export const KEY_COLUMN = 1;

export type RelationColumn = { flags: number; name: string; typeOid: number; typmod: number };
export type Relation = {
  relid: number;
  schema: string;
  table: string;
  /** d = default (primary key), n = nothing, f = full, i = index */
  replicaIdentity: string;
  columns: RelationColumn[];
};

/** An UPDATE that left a TOASTed value untouched does not resend it. */
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged-toast');
export type TupleValue = string | null | typeof UNCHANGED_TOAST;

export type PgOutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTime: Date; xid: number }
  | { tag: 'commit'; commitLsn: bigint; endLsn: bigint; commitTime: Date }
  | { tag: 'relation'; relation: Relation }
  | { tag: 'insert'; relid: number; newTuple: TupleValue[] }
  | {
      tag: 'update';
      relid: number;
      oldKind: 'K' | 'O' | null;
      oldTuple: TupleValue[] | null;
      newTuple: TupleValue[];
    }
  | { tag: 'delete'; relid: number; oldKind: 'K' | 'O'; oldTuple: TupleValue[] }
  | { tag: 'truncate'; relids: number[]; cascade: boolean; restartIdentity: boolean }
  | { tag: 'other'; code: string };

export type StreamFrame =
  | { kind: 'xlog'; walStart: bigint; walEnd: bigint; message: Buffer }
  | { kind: 'keepalive'; walEnd: bigint; replyRequested: boolean };

/** Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01. */
const PG_EPOCH_OFFSET_US = 946_684_800_000_000n;

export function pgTimestampToDate(us: bigint): Date {
  return new Date(Number((us + PG_EPOCH_OFFSET_US) / 1000n));
}

export function dateToPgTimestamp(d: Date): bigint {
  return BigInt(d.getTime()) * 1000n - PG_EPOCH_OFFSET_US;
}

class Reader {
  offset = 0;
  constructor(private readonly buf: Buffer) {}
  u8() {
    return this.buf.readUInt8(this.offset++);
  }
  i16() {
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  i32() {
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  u32() {
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  u64() {
    const v = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  i64() {
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  cstring() {
    const end = this.buf.indexOf(0, this.offset);
    if (end < 0) throw new Error('pgoutput: unterminated string');
    const s = this.buf.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return s;
  }
  bytes(n: number) {
    const b = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }
  char() {
    return String.fromCharCode(this.u8());
  }
}

export function decodeStreamFrame(data: Buffer): StreamFrame | null {
  const r = new Reader(data);
  const kind = r.char();
  if (kind === 'w') {
    const walStart = r.u64();
    const walEnd = r.u64();
    r.i64(); // server clock
    return { kind: 'xlog', walStart, walEnd, message: data.subarray(r.offset) };
  }
  if (kind === 'k') {
    const walEnd = r.u64();
    r.i64();
    return { kind: 'keepalive', walEnd, replyRequested: r.u8() === 1 };
  }
  return null;
}

/** Standby status update ('r'): everything up to `lsn` is written, flushed and applied. */
export function encodeStandbyStatus(lsn: bigint, replyRequested = false): Buffer {
  const b = Buffer.alloc(34);
  b.write('r', 0, 'ascii');
  b.writeBigUInt64BE(lsn, 1);
  b.writeBigUInt64BE(lsn, 9);
  b.writeBigUInt64BE(lsn, 17);
  b.writeBigInt64BE(dateToPgTimestamp(new Date()), 25);
  b.writeUInt8(replyRequested ? 1 : 0, 33);
  return b;
}

function readTuple(r: Reader): TupleValue[] {
  const n = r.i16();
  const values: TupleValue[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const kind = r.char();
    if (kind === 'n') values[i] = null;
    else if (kind === 'u') values[i] = UNCHANGED_TOAST;
    else if (kind === 't' || kind === 'b') values[i] = r.bytes(r.i32()).toString('utf8');
    else throw new Error(`pgoutput: unknown tuple value kind '${kind}'`);
  }
  return values;
}

export function decodePgOutput(data: Buffer): PgOutputMessage {
  const r = new Reader(data);
  const tag = r.char();
  switch (tag) {
    case 'B': {
      const finalLsn = r.u64();
      const commitTime = pgTimestampToDate(r.i64());
      return { tag: 'begin', finalLsn, commitTime, xid: r.u32() };
    }
    case 'C': {
      r.u8(); // flags
      const commitLsn = r.u64();
      const endLsn = r.u64();
      return { tag: 'commit', commitLsn, endLsn, commitTime: pgTimestampToDate(r.i64()) };
    }
    case 'R': {
      const relid = r.u32();
      const schema = r.cstring() || 'pg_catalog';
      const table = r.cstring();
      const replicaIdentity = r.char();
      const n = r.i16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < n; i++) {
        const flags = r.u8();
        const name = r.cstring();
        const typeOid = r.u32();
        columns.push({ flags, name, typeOid, typmod: r.i32() });
      }
      return { tag: 'relation', relation: { relid, schema, table, replicaIdentity, columns } };
    }
    case 'I': {
      const relid = r.u32();
      r.char(); // 'N'
      return { tag: 'insert', relid, newTuple: readTuple(r) };
    }
    case 'U': {
      const relid = r.u32();
      let marker = r.char();
      let oldKind: 'K' | 'O' | null = null;
      let oldTuple: TupleValue[] | null = null;
      if (marker === 'K' || marker === 'O') {
        oldKind = marker;
        oldTuple = readTuple(r);
        marker = r.char();
      }
      return { tag: 'update', relid, oldKind, oldTuple, newTuple: readTuple(r) };
    }
    case 'D': {
      const relid = r.u32();
      const oldKind = r.char() as 'K' | 'O';
      return { tag: 'delete', relid, oldKind, oldTuple: readTuple(r) };
    }
    case 'T': {
      const n = r.u32();
      const options = r.u8();
      const relids: number[] = [];
      for (let i = 0; i < n; i++) relids.push(r.u32());
      return { tag: 'truncate', relids, cascade: (options & 1) === 1, restartIdentity: (options & 2) === 2 };
    }
    default:
      return { tag: 'other', code: tag };
  }
}
