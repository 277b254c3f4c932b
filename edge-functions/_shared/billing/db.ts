/**
 * Database access for the billing functions, in two trust levels as the app has them:
 * `withCaller`/`asCaller` run as the user whose JWT the gateway verified (role and claims set in
 * the transaction exactly as PostgREST does, so RLS and the billing.* permission checks apply);
 * `withService` is service_role, for the webhook and jobs only.
 *
 * Round trips: the pool's connections use pg's pipeline mode, so statements written one after
 * another go out without waiting for each answer; the server still runs them strictly in order.
 * `begin` and the settings travel with the work's first statement, and `asCaller` sends begin,
 * settings, its one statement and commit together: one round trip (PostgREST does the same).
 * If the settings fail, every later statement of that transaction fails too (the transaction is
 * aborted), so no work ever runs without them.
 */
import pg from 'pg';

export type Sql = Pick<pg.PoolClient, 'query'>;

export type BillingDb = {
  withCaller<T>(claims: Record<string, unknown>, work: (sql: Sql) => Promise<T>): Promise<T>;
  /** One statement as the caller, in its own transaction, in one round trip; its rows. */
  asCaller<R = Record<string, unknown>>(
    claims: Record<string, unknown>,
    text: string,
    values?: unknown[],
  ): Promise<R[]>;
  withService<T>(reason: string, work: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

type Settings = Array<[string, string]>;

/** `select set_config($1, $2, true), …` as a named statement: planned once per connection. */
function settingsQuery(settings: Settings): pg.QueryConfig {
  return {
    name: `billing_settings_${settings.length}`,
    text: `select ${settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ')}`,
    values: settings.flat(),
  };
}

export function createBillingDb(databaseUrl: string, max: number): BillingDb {
  // Connections stay open for a minute of quiet: a new one costs authentication and the first
  // planning of every billing function it calls.
  const pool = new pg.Pool({ connectionString: databaseUrl, max, idleTimeoutMillis: 60_000, pipeline: true });
  pool.on('error', (err: Error) => console.error('idle billing database connection failed:', err.message));

  async function run<T>(settings: Settings, work: (sql: Sql) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      // One write: begin, the settings and the work's first statement leave together.
      const socket = client.connection.stream;
      socket.cork();
      let prelude: Promise<unknown>;
      let pending: Promise<T>;
      try {
        prelude = Promise.all([client.query('begin'), client.query(settingsQuery(settings))]);
        prelude.catch(() => {}); // awaited below, after the work that was pipelined behind it
        pending = work(client); // runs up to its first await
      } finally {
        socket.uncork();
      }
      const result = await pending.catch(async (err) => {
        await prelude; // a failed prelude is the cause; the work only saw an aborted transaction
        throw err;
      });
      await prelude;
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async function once<R>(settings: Settings, text: string, values: unknown[]): Promise<R[]> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      // A failed statement makes `commit` answer ROLLBACK: the connection is idle again either way.
      // All four leave in one write.
      const socket = client.connection.stream;
      socket.cork();
      let sent: Promise<pg.QueryResult>[];
      try {
        sent = [
          client.query('begin'),
          client.query(settingsQuery(settings)),
          client.query(text, values),
          client.query('commit'),
        ];
      } finally {
        socket.uncork();
      }
      const steps = await Promise.allSettled(sent);
      const failed = steps.find((step) => step.status === 'rejected'); // the first, in order of execution
      if (failed) throw failed.reason;
      return (steps[2] as PromiseFulfilledResult<pg.QueryResult>).value.rows as R[];
    } catch (err) {
      // Not an answer from the server (for example a dropped connection): do not reuse the client.
      if (!(err instanceof Error && 'severity' in err))
        broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      client.release(broken);
    }
  }

  function callerSettings(claims: Record<string, unknown>): Settings {
    if (claims.role !== 'authenticated' || typeof claims.sub !== 'string') {
      throw new Error('withCaller needs the claims of a signed-in user');
    }
    return [
      ['role', 'authenticated'],
      ['request.jwt.claims', JSON.stringify(claims)],
      ['request.jwt.claim.sub', claims.sub],
      ['request.jwt.claim.role', 'authenticated'],
      ['statement_timeout', '8000'],
    ];
  }

  return {
    withCaller(claims, work) {
      return run(callerSettings(claims), work);
    },
    asCaller(claims, text, values = []) {
      return once(callerSettings(claims), text, values);
    },
    withService(reason, work) {
      return run(
        [
          ['role', 'service_role'],
          ['request.jwt.claims', JSON.stringify({ role: 'service_role' })],
          ['app.service_reason', reason],
        ],
        work,
      );
    },
    close: () => pool.end(),
  };
}

/** Maps a refusal raised by billing SQL (message = code) to an HTTP status; null for anything else. */
export function billingErrorStatus(err: unknown): { status: number; code: string } | null {
  const e = err as { message?: string; code?: string };
  const code = e.message ?? '';
  if (!code.startsWith('billing.')) return null;
  if (e.code === '42501') return { status: 403, code };
  if (e.code === '55P03' || code === 'billing.bill_not_unpaid' || code === 'billing.bill_locked')
    return { status: 409, code };
  return { status: 422, code };
}
