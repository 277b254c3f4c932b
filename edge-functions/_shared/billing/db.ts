/**
 * Database access for the billing functions, in two trust levels as the app has them:
 * `withCaller` runs as the user whose JWT the gateway verified (role and claims set in the
 * transaction exactly as PostgREST does, so RLS and the billing.* permission checks apply);
 * `withService` is service_role, for the webhook and jobs only.
 */
import pg from 'pg';

export type Sql = Pick<pg.PoolClient, 'query'>;

export type BillingDb = {
  withCaller<T>(claims: Record<string, unknown>, work: (sql: Sql) => Promise<T>): Promise<T>;
  withService<T>(reason: string, work: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export function createBillingDb(databaseUrl: string, max: number): BillingDb {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, idleTimeoutMillis: 10_000 });
  pool.on('error', (err: Error) => console.error('idle billing database connection failed:', err.message));

  async function run<T>(settings: Array<[string, string]>, work: (sql: Sql) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const calls = settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ');
      await client.query(`select ${calls}`, settings.flat());
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  return {
    withCaller(claims, work) {
      if (claims.role !== 'authenticated' || typeof claims.sub !== 'string') {
        throw new Error('withCaller needs the claims of a signed-in user');
      }
      return run(
        [
          ['role', 'authenticated'],
          ['request.jwt.claims', JSON.stringify(claims)],
          ['request.jwt.claim.sub', claims.sub],
          ['request.jwt.claim.role', 'authenticated'],
          ['statement_timeout', '8000'],
        ],
        work,
      );
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
