import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { JwtClaims, Tx } from '../../../app/lib/db.server';
import { attemptAs, type Outcome } from './run-as';
import { PERSONAS, type Persona } from './world';

/** One cell of an authorization matrix: a table (or function) × verb, tried by every persona. */
export type MatrixCell<W> = {
  /** Personas that must be allowed; all others must be denied. */
  allow: readonly Persona[];
  /** Creates, as the owner, a row the attempt needs (returns its key). */
  arrange?: (tx: Tx, w: W) => Promise<string>;
  /** The attempt, as the persona: how many rows it saw or changed (see attemptAs). */
  act: (tx: Tx, c: { w: W; persona: Persona; arranged: string }) => Promise<number>;
  /** SQLSTATEs besides 42501 that count as a refusal here (documented per cell). */
  refusals?: readonly string[];
};

export type MatrixSpec<W> = { table: string; cells: Record<string, MatrixCell<W>> };

/** Running totals for the one-line report a matrix prints when it ends. */
export type MatrixTally = { cells: number; leaks: string[]; wronglyDenied: string[] };

export const newTally = (): MatrixTally => ({ cells: 0, leaks: [], wronglyDenied: [] });

export const tallyLine = (name: string, t: MatrixTally) =>
  `${name} matrix: ${t.cells} cells, ${t.leaks.length} leaks, ${t.wronglyDenied.length} wrongly denied\n`;

/**
 * Registers one test per table × verb. Each runs the cell for every persona (in its own rolled
 * back transaction, as withUser would run it) and fails listing every wrong cell as
 * "persona: expected → actual". `env` is read when the tests run (after beforeAll).
 */
export function matrixTests<W extends { claims: Record<Persona, JwtClaims> }>(
  specs: readonly MatrixSpec<W>[],
  env: () => { client: pg.ClientBase; world: W },
  tally: MatrixTally,
): void {
  for (const spec of specs) {
    describe(spec.table, () => {
      for (const [verb, cell] of Object.entries(spec.cells)) {
        it(`${verb}: allowed for ${cell.allow.length === 0 ? 'nobody' : cell.allow.join(', ')}`, async () => {
          const { client, world } = env();
          const expected: Record<string, Outcome> = {};
          const actual: Record<string, Outcome> = {};
          for (const persona of PERSONAS) {
            expected[persona] = cell.allow.includes(persona) ? 'allow' : 'deny';
            actual[persona] = await attemptAs(
              client,
              world.claims[persona],
              (tx, arranged: string) => cell.act(tx, { w: world, persona, arranged }),
              cell.arrange ? (tx) => cell.arrange!(tx, world) : undefined,
              cell.refusals,
            );
            tally.cells += 1;
            if (actual[persona] === 'allow' && expected[persona] === 'deny')
              tally.leaks.push(`${spec.table} ${verb} ${persona}`);
            if (actual[persona] === 'deny' && expected[persona] === 'allow')
              tally.wronglyDenied.push(`${spec.table} ${verb} ${persona}`);
          }
          const wrong = PERSONAS.filter((p) => actual[p] !== expected[p]).map(
            (p) => `${p}: ${expected[p]} → ${actual[p]}`,
          );
          expect(wrong).toEqual([]);
        });
      }
    });
  }
}
