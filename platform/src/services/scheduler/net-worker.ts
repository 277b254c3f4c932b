import type pg from 'pg';
import type { Logger } from '../../log';

/**
 * The local pg_net worker: takes a batch of `net.http_request_queue` rows (removing them,
 * as pg_net does), sends them, and writes one `net._http_response` row per request under
 * the same id. Woken by NOTIFY pg_net_wake (sent by net.http_*); responses older than
 * pg_net's default TTL (6 hours) are deleted as it goes.
 */
const BATCH_SIZE = 200;
const TTL = '6 hours';

type Queued = {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string> | null;
  body: Buffer | null;
  timeout_milliseconds: number;
};

export class NetWorker {
  private draining: Promise<void> | null = null;
  private again = false;
  private lastCleanup = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {}

  /** Resolves when the pass in progress, if any, has finished. */
  async idle(): Promise<void> {
    await this.draining;
  }

  /** Sends everything queued; concurrent calls coalesce into one more pass. */
  drain(): Promise<void> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = (async () => {
      try {
        do {
          this.again = false;
          while ((await this.batch()) === BATCH_SIZE) {
            // a full batch: there may be more
          }
          await this.cleanup();
        } while (this.again);
      } catch (err) {
        this.log.warn('pg_net worker pass failed', { error: String(err) });
      } finally {
        this.draining = null;
      }
    })();
    return this.draining;
  }

  private async batch(): Promise<number> {
    const { rows } = await this.pool.query<Queued>(
      `delete from net.http_request_queue
        where id in (select id from net.http_request_queue order by id limit $1 for update skip locked)
        returning id, method, url, headers, body, timeout_milliseconds`,
      [BATCH_SIZE],
    );
    await Promise.all(rows.map((row) => this.send(row)));
    return rows.length;
  }

  private async send(row: Queued): Promise<void> {
    let result: {
      status: number | null;
      contentType: string | null;
      headers: Record<string, string> | null;
      content: string | null;
      timedOut: boolean;
      error: string | null;
    };
    const t0 = performance.now();
    try {
      const res = await fetch(row.url, {
        method: row.method.toUpperCase(),
        headers: row.headers ?? {},
        body: row.body && row.method.toUpperCase() !== 'GET' ? new Uint8Array(row.body) : undefined,
        signal: AbortSignal.timeout(row.timeout_milliseconds),
      });
      result = {
        status: res.status,
        contentType: res.headers.get('content-type'),
        headers: Object.fromEntries(res.headers),
        content: await res.text(),
        timedOut: false,
        error: null,
      };
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      result = {
        status: null,
        contentType: null,
        headers: null,
        content: null,
        timedOut,
        error: timedOut
          ? `Timeout of ${row.timeout_milliseconds} ms reached. Total time: ${Math.round(performance.now() - t0)} ms`
          : `Couldn't connect to server: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`,
      };
    }
    this.log.debug('pg_net request', {
      id: row.id,
      method: row.method,
      url: row.url,
      status: result.status,
      error: result.error,
    });
    await this.pool.query(
      `insert into net._http_response (id, status_code, content_type, headers, content, timed_out, error_msg)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [
        row.id,
        result.status,
        result.contentType,
        result.headers,
        result.content,
        result.timedOut,
        result.error,
      ],
    );
  }

  private async cleanup() {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    await this.pool.query(`delete from net._http_response where created < now() - interval '${TTL}'`);
  }
}
