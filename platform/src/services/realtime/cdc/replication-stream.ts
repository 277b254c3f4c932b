import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../../../log';
import { decodePgOutput, decodeStreamFrame, encodeStandbyStatus, type PgOutputMessage } from './pgoutput';

export type ReplicationStreamOptions = {
  databaseUrl: string;
  publication: string;
  log: Logger;
  onMessage: (message: PgOutputMessage) => void;
  /** Called once when the stream ends for any reason other than `stop()`. */
  onClose: (error: Error) => void;
};

type ReplicationConnection = {
  on(event: 'copyData', listener: (msg: { chunk: Buffer }) => void): void;
  once(event: 'replicationStart', listener: () => void): void;
  sendCopyFromChunk(chunk: Buffer): void;
};

/**
 * A logical replication stream of the publication through `pgoutput`, on a connection in
 * replication mode with a TEMPORARY slot: it exists only while the service streams, so a stopped
 * service never makes the database keep WAL, and a dropped test database has no slot left behind.
 */
export class ReplicationStream {
  private client: pg.Client | null = null;
  private lastLsn = 0n;
  private statusTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  readonly slot = `realtime_local_${randomBytes(5).toString('hex')}`;

  constructor(private readonly opts: ReplicationStreamOptions) {}

  /** Resolves once the server streams: every transaction committed after that is delivered. */
  async start(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.opts.databaseUrl,
      replication: 'database',
      // Values arrive in their text form; pin the settings that shape it.
      options: '-c datestyle=ISO,MDY -c timezone=UTC -c intervalstyle=postgres -c extra_float_digits=1',
      application_name: 'realtime_local_cdc',
    } as pg.ClientConfig);
    this.client = client;
    let started = false;
    const fail = (err: Error) => {
      if (this.stopped || this.client !== client) return;
      this.client = null;
      this.clearTimer();
      client.end().catch(() => {});
      if (started) this.opts.onClose(err);
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('replication connection closed')));
    await client.connect();
    await client.query(
      `CREATE_REPLICATION_SLOT ${this.slot} TEMPORARY LOGICAL pgoutput (SNAPSHOT 'nothing')`,
    );
    const conn = (client as unknown as { connection: ReplicationConnection }).connection;
    conn.on('copyData', (msg) => this.onCopyData(conn, msg.chunk));
    const streaming = new Promise<void>((resolve) => conn.once('replicationStart', () => resolve()));
    const publication = this.opts.publication.replace(/'/g, "''");
    const running = client.query(
      `START_REPLICATION SLOT ${this.slot} LOGICAL 0/0 (proto_version '1', publication_names '"${publication}"')`,
    );
    await Promise.race([
      streaming,
      running.then(
        () => Promise.reject(new Error('replication ended before it started')),
        (err: Error) => Promise.reject(err),
      ),
    ]);
    running.catch((err: Error) => fail(err));
    started = true;
    this.statusTimer = setInterval(() => this.sendStatus(conn), 10_000);
    this.statusTimer.unref();
  }

  private onCopyData(conn: ReplicationConnection, chunk: Buffer) {
    const frame = decodeStreamFrame(chunk);
    if (!frame) return;
    if (frame.kind === 'keepalive') {
      if (frame.walEnd > this.lastLsn) this.lastLsn = frame.walEnd;
      if (frame.replyRequested) this.sendStatus(conn);
      return;
    }
    let message: PgOutputMessage;
    try {
      message = decodePgOutput(frame.message);
    } catch (err) {
      this.opts.log.error('undecodable pgoutput message', { error: String(err) });
      return;
    }
    if (message.tag === 'commit' && message.endLsn > this.lastLsn) this.lastLsn = message.endLsn;
    this.opts.onMessage(message);
  }

  private sendStatus(conn: ReplicationConnection) {
    if (!this.client) return;
    try {
      conn.sendCopyFromChunk(encodeStandbyStatus(this.lastLsn));
    } catch (err) {
      this.opts.log.warn('could not send replication status', { error: String(err) });
    }
  }

  private clearTimer() {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => {});
  }
}
