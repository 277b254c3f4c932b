import type pg from 'pg';

/** Anything that runs a query: the pool, or one client inside a transaction. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/**
 * Thrown inside a transaction to keep what it wrote and still fail the request (GoTrue's
 * `NewCommitWithError`), e.g. a revoked session after refresh-token reuse, or a burnt code.
 */
export class CommitThenThrow extends Error {
  constructor(readonly error: Error) {
    super(error.message);
  }
}

/**
 * Runs `fn` in one transaction on one pooled connection. Inside `fn`, use only `tx`: asking the
 * pool for a second connection while holding one can starve the pool under parallel requests.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    let result: T;
    try {
      result = await fn(client);
    } catch (err) {
      if (err instanceof CommitThenThrow) {
        await client.query('commit');
        throw err.error;
      }
      await client.query('rollback').catch(() => {});
      throw err;
    }
    await client.query('commit');
    return result;
  } finally {
    client.release();
  }
}
