import type pg from 'pg';
import type { Tx } from '../../app/lib/db.server';
import { buildTenancyWorld } from '../rls/support/world';

/**
 * Billing on top of the tenancy world: in community C1, 物业费 priced per m² with a late fee
 * and 水费 on Beijing's annual water tiers with meters on U1 and U2. Rows go in as the
 * database owner, as a seed would; bill runs are published as the service role (a job).
 */

export const PROPERTY_RULE = {
  method: 'area',
  unitPriceE4: 25_000, // 2.50 元/m²·月
  proration: 'daily',
  lateFee: { dailyRateBp: 5, graceDays: 0, capBp: 10_000 },
  prepayDiscounts: [{ minMonths: 12, percentOffBp: 500 }],
};
export const WATER_RULE = {
  method: 'metered',
  tierBasis: 'annual',
  tiers: [
    { upTo: 180, unitPriceE4: 50_000 },
    { upTo: 260, unitPriceE4: 70_000 },
    { upTo: null, unitPriceE4: 90_000 },
  ],
};

/** Runs `fn` in a transaction as service_role (RLS bypassed, like a job). */
export async function asService<T>(pool: pg.Pool, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(
      `select set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true)`,
    );
    const result = await fn({ query: (text, values) => client.query(text, values as unknown[]) });
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback');
    throw err;
  } finally {
    client.release();
  }
}

export async function buildBillingWorld(pool: pg.Pool) {
  const sql: Tx = { query: (text, values) => pool.query(text, values as unknown[]) };
  const world = await buildTenancyWorld(sql);
  const { companyA, communities, units } = world;
  const item = async (name: string, kind: string, rule: object, from = '2026-01-01') => {
    const { rows } = await sql.query<{ id: string }>(
      `insert into public.fee_items (company_id, community_id, name, kind) values ($1, $2, $3, $4) returning id`,
      [companyA.id, communities.c1, name, kind],
    );
    await sql.query(
      `insert into public.fee_rule_versions (company_id, community_id, fee_item_id, effective_from, rule) values ($1, $2, $3, $4, $5)`,
      [companyA.id, communities.c1, rows[0].id, from, JSON.stringify(rule)],
    );
    return rows[0].id;
  };
  const property = await item('物业费', 'property', PROPERTY_RULE);
  const water = await item('水费', 'water', WATER_RULE);
  const meter = async (unitId: string) => {
    const { rows } = await sql.query<{ id: string }>(
      `insert into public.meters (company_id, community_id, unit_id, fee_item_id) values ($1, $2, $3, $4) returning id`,
      [companyA.id, communities.c1, unitId, water],
    );
    return rows[0].id;
  };
  const meters = { u1: await meter(units.u1.id), u2: await meter(units.u2.id) };
  const read = (meterId: string, readOn: string, reading: number) =>
    sql.query('insert into public.meter_readings (meter_id, read_on, reading) values ($1, $2, $3)', [
      meterId,
      readOn,
      reading,
    ]);
  return { ...world, sql, items: { property, water }, meters, read };
}

export type BillingWorld = Awaited<ReturnType<typeof buildBillingWorld>>;

/** Publishes the run of a month in C1 as a job would; returns the bills of U1. */
export async function publishAsService(pool: pg.Pool, communityId: string, month: string) {
  return asService(pool, async (tx) => {
    const { rows } = await tx.query<{ created_bills: number; created_fen: number }>(
      'select * from billing.publish_bill_run($1, $2::date)',
      [communityId, month],
    );
    return rows[0];
  });
}

export async function billsOf(pool: pg.Pool, unitId: string) {
  const { rows } = await pool.query<{
    id: string;
    fee_item_id: string;
    amount_fen: number;
    status: string;
    period_start: string;
  }>(
    `select id, fee_item_id, amount_fen::int, status, period_start::text from public.bills where unit_id = $1 order by period_start, amount_fen`,
    [unitId],
  );
  return rows;
}
