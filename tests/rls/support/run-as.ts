import type pg from 'pg';
import { applySettings, claimSettings, type JwtClaims, type Tx } from '../../../app/lib/db.server';

export type Outcome = 'allow' | 'deny';

/** Thrown to roll back a unit of work on purpose. */
class Rollback extends Error {}

/**
 * One attempt, in its own transaction that is always rolled back: `arrange` runs as the
 * database owner (RLS bypassed) to create rows the attempt needs, then the caller's role and
 * claims are set exactly as `withUser` sets them (the same `claimSettings`, and
 * `private.prepare_request()`), then `act` runs.
 *
 * `act` returns how many rows it saw or changed. 1+ is "allow"; 0 rows, or a refusal with
 * SQLSTATE 42501 (no grant, RLS violation, immutable column, forbidden), is "deny". Any other
 * error is a broken test case, not a denial, and is rethrown — unless the case lists it in `refusals`.
 */
export async function attemptAs<A>(
  client: pg.ClientBase,
  claims: JwtClaims,
  act: (tx: Tx, arranged: A) => Promise<number>,
  arrange?: (tx: Tx) => Promise<A>,
  /** Further SQLSTATEs that count as a refusal for this attempt (e.g. a check constraint). */
  refusals: readonly string[] = [],
): Promise<Outcome> {
  const tx: Tx = {
    query: (query, values) =>
      client.query({
        ...(typeof query === 'string' ? { text: query } : query),
        values: values as unknown[] | undefined,
      }),
  };
  let outcome: Outcome = 'deny';
  await client.query('begin');
  try {
    const arranged = (arrange ? await arrange(tx) : undefined) as A;
    // As withUser does: claims, then the request's prepared scope, so the policies answer
    // through the same fast path the app uses (a write in `act` falls back as it would there).
    await applySettings(tx, claimSettings(claims), { prepareRequest: claims.role === 'authenticated' });
    try {
      outcome = (await act(tx, arranged)) > 0 ? 'allow' : 'deny';
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (code !== '42501' && !refusals.includes(code)) throw err;
      outcome = 'deny';
    }
    throw new Rollback();
  } catch (err) {
    await client.query('rollback');
    if (!(err instanceof Rollback)) throw err;
  }
  return outcome;
}

/** Rows affected (insert/update/delete) or counted (`select count(*) as n`). */
export async function rows(tx: Tx, text: string, values: unknown[] = []): Promise<number> {
  const r = await tx.query<{ n?: number }>(text, values);
  if (r.command === 'SELECT') return Number(r.rows[0]?.n ?? r.rowCount ?? 0);
  return r.rowCount ?? 0;
}
