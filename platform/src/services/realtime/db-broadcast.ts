import pg from 'pg';
import type { Logger } from '../../log';

export const NOTIFY_CHANNEL = '_local_realtime_messages';

export type DbMessage = {
  id: string;
  topic: string;
  event: string;
  private: boolean;
  /** JSON text of the payload, or null when the message is binary. */
  payloadJson: string | null;
  binary: Buffer | null;
};

type Notice = { id: string; topic?: string; event?: string; private?: boolean; payload?: unknown };

/**
 * Broadcast from the database: listens for the NOTIFY that the trigger on realtime.messages
 * sends after commit (31_realtime_local.sql). Small messages arrive whole; for larger and binary
 * ones only the id arrives and the row is read. Messages are handed on in arrival (commit) order.
 */
export class DbBroadcastListener {
  private client: pg.Client | null = null;
  private starting: Promise<void> | null = null;
  private chain: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly opts: {
      databaseUrl: string;
      pool: pg.Pool;
      log: Logger;
      onMessage: (m: DbMessage) => void;
    },
  ) {}

  /** Resolves once LISTEN is in place: every message committed after that is delivered. */
  ensureStarted(): Promise<void> {
    if (this.client) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('the Realtime service is shutting down'));
    this.starting ??= this.connect().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async connect() {
    const client = new pg.Client({
      connectionString: this.opts.databaseUrl,
      application_name: 'realtime_local_broadcast',
    });
    const lost = (err: Error) => {
      if (this.client !== client) return;
      this.client = null;
      client.end().catch(() => {});
      if (this.closed) return;
      this.opts.log.warn('broadcast listener connection lost; reconnecting', { error: err.message });
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.ensureStarted().catch((e: Error) =>
          this.opts.log.error('broadcast listener did not reconnect', { error: e.message }),
        );
      }, 1_000);
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('connection ended')));
    client.on('notification', (n) => {
      if (n.channel === NOTIFY_CHANNEL && n.payload) this.onNotice(n.payload);
    });
    await client.connect();
    await client.query(`listen ${NOTIFY_CHANNEL}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
  }

  private onNotice(text: string) {
    let notice: Notice;
    try {
      notice = JSON.parse(text) as Notice;
    } catch {
      this.opts.log.warn('unreadable broadcast notification', { text: text.slice(0, 200) });
      return;
    }
    const whole = typeof notice.topic === 'string' && typeof notice.event === 'string';
    const ready: Promise<DbMessage | null> = whole
      ? Promise.resolve({
          id: notice.id,
          topic: notice.topic as string,
          event: notice.event as string,
          private: notice.private === true,
          payloadJson: JSON.stringify(notice.payload ?? null),
          binary: null,
        })
      : this.readRow(notice.id);
    this.chain = this.chain.then(async () => {
      try {
        const message = await ready;
        if (message) this.opts.onMessage(message);
      } catch (err) {
        this.opts.log.error('could not deliver a broadcast from the database', {
          id: notice.id,
          error: String(err),
        });
      }
    });
  }

  private async readRow(id: string): Promise<DbMessage | null> {
    const r = await this.opts.pool.query<{
      topic: string;
      event: string | null;
      private: boolean | null;
      payload: string | null;
      binary_payload: Buffer | null;
    }>(
      'select topic, event, private, payload::text as payload, binary_payload from realtime.messages where id = $1',
      [id],
    );
    const row = r.rows[0];
    if (!row) return null;
    return {
      id,
      topic: row.topic,
      event: row.event ?? '',
      private: row.private === true,
      payloadJson: row.binary_payload ? null : (row.payload ?? 'null'),
      binary: row.binary_payload,
    };
  }

  /**
   * Broadcast replay (private channels, `config.broadcast.replay`): the last `limit` (1–25)
   * messages of the topic inserted since `sinceMs`, oldest first — hosted Realtime.Messages.replay.
   */
  async replay(topic: string, sinceMs: number, limit: number): Promise<DbMessage[]> {
    const r = await this.opts.pool.query<{
      id: string;
      event: string | null;
      payload: string | null;
      binary_payload: Buffer | null;
    }>(
      `select id, event, payload::text as payload, binary_payload from realtime.messages
        where topic = $1 and private and extension = 'broadcast'
          and inserted_at >= to_timestamp($2::float8 / 1000) at time zone 'utc'
          and inserted_at < (now() at time zone 'utc') + interval '1 minute'
        order by inserted_at desc limit $3`,
      [topic, sinceMs, Math.max(1, Math.min(25, limit))],
    );
    return r.rows.reverse().map((row) => ({
      id: row.id,
      topic,
      event: row.event ?? '',
      private: true,
      payloadJson: row.binary_payload ? null : (row.payload ?? 'null'),
      binary: row.binary_payload,
    }));
  }

  async close() {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.starting?.catch(() => {});
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => {});
    await this.chain.catch(() => {});
  }
}
