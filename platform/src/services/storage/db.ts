import type { IncomingMessage } from 'node:http';
import type pg from 'pg';
import type { Caller } from './caller';

/** What hosted Storage records in the transaction for policies (`request.method`, `storage.operation`, …). */
export type RequestScope = {
  caller: Caller;
  method: string;
  path: string;
  headers: Record<string, string>;
  operation: string;
};

const HIDDEN_HEADERS = new Set(['authorization', 'apikey', 'cookie', 'x-signature']);

export function requestScope(
  req: IncomingMessage,
  caller: Caller,
  path: string,
  operation: string,
): RequestScope {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || HIDDEN_HEADERS.has(k)) continue;
    headers[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return { caller, method: req.method ?? 'GET', path: path.split('?')[0], headers, operation };
}

/**
 * One transaction on the owner's pool. It starts as the database owner (RLS bypassed, for
 * bookkeeping such as locking the row being replaced) and `becomeCaller()` switches it, for
 * the rest of the transaction, to the caller's role and claims — the same settings hosted
 * Storage makes (`src/internal/database/postgres/scope.ts`), so storage policies apply.
 */
export class Tx {
  constructor(readonly client: pg.PoolClient) {}

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]) {
    return this.client.query<R>(text, values);
  }

  async becomeCaller(scope: RequestScope) {
    const { caller } = scope;
    await this.client.query(
      `select set_config('role', $1, true),
              set_config('request.jwt.claim.role', $1, true),
              set_config('request.jwt', $2, true),
              set_config('request.jwt.claim.sub', $3, true),
              set_config('request.jwt.claims', $4, true),
              set_config('request.headers', $5, true),
              set_config('request.method', $6, true),
              set_config('request.path', $7, true),
              set_config('storage.operation', $8, true)`,
      [
        caller.role,
        caller.jwt,
        caller.sub ?? '',
        JSON.stringify({ ...caller.claims, role: caller.role }),
        JSON.stringify(scope.headers),
        scope.method,
        scope.path,
        scope.operation,
      ],
    );
  }
}

/** Runs `fn` in a transaction; Storage's own deletes are allowed in it (`storage.allow_delete_query`). */
export async function transaction<T>(pool: pg.Pool, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(`begin; select set_config('storage.allow_delete_query', 'true', true)`);
    const result = await fn(new Tx(client));
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/** A transaction that runs entirely as the caller. */
export function asCaller<T>(pool: pg.Pool, scope: RequestScope, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(pool, async (tx) => {
    await tx.becomeCaller(scope);
    return fn(tx);
  });
}

/** Thrown inside a transaction to undo it after a permission check succeeded. */
const ROLLBACK = Symbol('rollback');

/**
 * Runs `fn` as the caller and always rolls it back: hosted Storage's way of asking "would
 * RLS let this insert/upsert through?" before it reads an upload's bytes.
 */
export async function testPermission(pool: pg.Pool, scope: RequestScope, fn: (tx: Tx) => Promise<unknown>) {
  try {
    await asCaller(pool, scope, async (tx) => {
      await fn(tx);
      throw ROLLBACK;
    });
  } catch (err) {
    if (err !== ROLLBACK) throw err;
  }
}
