/**
 * SERVICE-ROLE database access: bypasses row-level security. Only for jobs, webhooks and
 * other server-to-server work whose caller has been checked (`requireSecretKey`); a function
 * that serves a user must act through that user's token (supabase-js with their JWT) instead.
 */
import pg from 'pg';
import type { PlatformEnv } from './env.ts';

let pool: pg.Pool | undefined;

function servicePool(env: Pick<PlatformEnv, 'SUPABASE_DB_URL'>): pg.Pool {
  if (!pool) {
    // One isolate serves few requests at a time; keep the footprint on the database small.
    pool = new pg.Pool({ connectionString: env.SUPABASE_DB_URL, max: 3, idleTimeoutMillis: 10_000 });
    pool.on('error', (err: Error) => console.error('idle database connection failed:', err.message));
  }
  return pool;
}

/**
 * Runs `work` in one transaction as `service_role`, with the claims PostgREST would set for
 * the service key, so triggers and helpers that read `auth.role()` see the same as on the API.
 */
export async function withServiceRole<T>(
  env: Pick<PlatformEnv, 'SUPABASE_DB_URL'>,
  work: (db: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await servicePool(env).connect();
  try {
    await client.query('begin');
    await client.query(
      `select set_config('role', 'service_role', true), set_config('request.jwt.claims', $1, true)`,
      [JSON.stringify({ role: 'service_role' })],
    );
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
