import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../app/lib/db.server';
import { type BillingWorld, buildBillingWorld, publishAsService } from '../support/billing-world';
import { createTestDatabase } from '../support/platform';
import { attemptAs, type Outcome, rows } from './support/run-as';
import { PERSONAS, type Persona } from './support/world';

/**
 * The authorization matrix of the billing tables: table × verb × persona → allow/deny, on the
 * tenancy world with community C1 billed (U1 owner_u1 with family, U2 neighbour_c1, U3 vacant).
 * Each cell runs as the persona (role + claims as withUser sets them) in a rolled-back transaction.
 */
type Cell = {
  allow: readonly Persona[];
  act: (tx: Tx, w: BillingWorld) => Promise<number>;
  refusals?: readonly string[];
};

const BILL_READERS_C1 = ['admin_a', 'manager_c1', 'front_desk_c1', 'finance_a'] as const;
const BILL_MANAGERS_C1 = ['admin_a', 'finance_a'] as const;
/** Residents holding bills.read for U1 (principals; family_full gets it in this file). */
const U1_BILL_READERS = ['owner_u1', 'family_full'] as const;
const C1_RESIDENTS = ['owner_u1', 'family_full', 'family_limited', 'neighbour_c1'] as const;
const SERVICE = ['service_role'] as const;
/** payment.record in C1 (front desk collections, prepayments at the desk). */
const RECORDERS_C1 = ['admin_a', 'manager_c1', 'front_desk_c1', 'finance_a'] as const;
/** payment.refund (finance). */
const REFUNDERS_C1 = ['admin_a', 'finance_a'] as const;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;
let client: pg.PoolClient;
let w: BillingWorld;
let u1Bill: string;
let u1PrepayPayment: string;
let u1PrepaidBill: string;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 3 });
  w = await buildBillingWorld(pool);
  await pool.query(
    `update public.occupancies set household_grants = '{members.read,bills.read}' where id = $1`,
    [w.occupancies.family_full],
  );
  await w.read(w.meters.u1, '2026-10-31', 100);
  await w.read(w.meters.u1, '2026-11-30', 120);
  await publishAsService(pool, w.communities.c1, '2026-11-01');
  u1Bill = (
    await pool.query<{ id: string }>('select id from public.bills where unit_id = $1 limit 1', [
      w.units.u1.id,
    ])
  ).rows[0].id;
  // An adjustment line on U1's bill (charges live on the bill itself).
  await pool.query(
    `insert into public.bill_lines (company_id, community_id, unit_id, bill_id, kind, description, amount_fen, reason)
     select company_id, community_id, unit_id, id, 'adjustment', '调整', -100, '测试' from public.bills where id = $1`,
    [u1Bill],
  );
  // A prepayment of U1 at the front desk (物业费, 6 months) and part of it refunded: rows for
  // the prepayments and refund_bills cells. Made after u1Bill, which stays an unpaid bill.
  await pool.query('update public.fee_items set prepay_max_months = 12 where id = $1', [w.items.property]);
  const serviceClient = await pool.connect();
  try {
    await serviceClient.query('begin');
    await serviceClient.query(`select set_config('role', 'service_role', true)`);
    u1PrepayPayment = (
      await serviceClient.query<{ id: string }>(
        `select billing.record_offline_prepayment($1, $2, 6, 'cash', '业主甲') as id`,
        [w.units.u1.id, w.items.property],
      )
    ).rows[0].id;
    u1PrepaidBill = (
      await serviceClient.query<{ bill_id: string }>(
        'select bill_id from public.payment_bills where payment_id = $1 limit 1',
        [u1PrepayPayment],
      )
    ).rows[0].bill_id;
    await serviceClient.query(`select * from billing.request_refund($1, '测试部分退款', $2::jsonb)`, [
      u1PrepayPayment,
      JSON.stringify([{ billId: u1PrepaidBill, amountFen: 100 }]),
    ]);
    await serviceClient.query('commit');
  } finally {
    serviceClient.release();
  }
  client = await pool.connect();
});

afterAll(async () => {
  client?.release();
  await pool?.end();
  await database?.drop();
});

const u1Bills = (tx: Tx) =>
  rows(tx, 'select count(*)::int as n from public.bills where unit_id = $1', [w.units.u1.id]);

const MATRIX: Record<string, Cell> = {
  'bills: select U1': { allow: [...BILL_READERS_C1, ...U1_BILL_READERS, ...SERVICE], act: u1Bills },
  'bills: update': {
    allow: [...SERVICE],
    act: (tx) => rows(tx, `update public.bills set amount_fen = 1 where id = $1`, [u1Bill]),
  },
  'bills: delete': {
    allow: [...SERVICE],
    act: (tx) => rows(tx, 'delete from public.bills where id = $1', [u1Bill]),
    refusals: ['23503'],
  },
  'bill_lines: select U1': {
    allow: [...BILL_READERS_C1, ...U1_BILL_READERS, ...SERVICE],
    act: (tx) =>
      rows(tx, 'select count(*)::int as n from public.bill_lines where unit_id = $1', [w.units.u1.id]),
  },
  'fee_items: select C1': {
    allow: [...BILL_READERS_C1, ...C1_RESIDENTS, ...SERVICE],
    act: (tx) =>
      rows(tx, 'select count(*)::int as n from public.fee_items where community_id = $1', [w.communities.c1]),
  },
  'fee_items: insert C1': {
    allow: [...BILL_MANAGERS_C1, ...SERVICE],
    act: (tx) =>
      rows(
        tx,
        `insert into public.fee_items (company_id, community_id, name, kind) values ($1, $2, '停车费', 'parking')`,
        [w.companyA.id, w.communities.c1],
      ),
  },
  'fee_rule_versions: insert C1': {
    allow: [...BILL_MANAGERS_C1, ...SERVICE],
    act: (tx) =>
      rows(
        tx,
        `insert into public.fee_rule_versions (company_id, community_id, fee_item_id, effective_from, rule)
         values ($1, $2, $3, '2027-01-01', '{"method":"area","unitPriceE4":30000}')`,
        [w.companyA.id, w.communities.c1, w.items.property],
      ),
  },
  'meter_readings: insert U1': {
    allow: [...BILL_MANAGERS_C1, ...SERVICE],
    act: (tx) =>
      rows(
        tx,
        `insert into public.meter_readings (meter_id, read_on, reading) values ($1, '2026-12-31', 150)`,
        [w.meters.u1],
      ),
  },
  'meter_readings: select U1': {
    allow: [...BILL_READERS_C1, ...U1_BILL_READERS, ...SERVICE],
    act: (tx) =>
      rows(tx, 'select count(*)::int as n from public.meter_readings where meter_id = $1', [w.meters.u1]),
  },
  'bill_runs: select C1': {
    allow: [...BILL_READERS_C1, ...SERVICE],
    act: (tx) =>
      rows(tx, 'select count(*)::int as n from public.bill_runs where community_id = $1', [w.communities.c1]),
  },
  'payment_intents: insert directly': {
    allow: [...SERVICE],
    act: (tx) =>
      rows(
        tx,
        `insert into public.payment_intents (company_id, community_id, user_id, provider, amount_fen, methods, expires_at)
         values ($1, $2, $3, 'stripe', 100, '{card}', now())`,
        [w.companyA.id, w.communities.c1, w.users.owner_u1.id],
      ),
  },
  'payments: insert directly': {
    allow: [...SERVICE],
    act: (tx) =>
      rows(
        tx,
        `insert into public.payments (company_id, community_id, receipt_no, payer_name, method, provider, status, amount_fen)
         values ($1, $2, 'R000', 'x', 'cash', 'offline', 'succeeded', 100)`,
        [w.companyA.id, w.communities.c1],
      ),
  },
  'begin_payment on U1 bills': {
    allow: ['owner_u1'],
    act: (tx) =>
      rows(tx, `select count(*)::int as n from billing.begin_payment($1::uuid[], 'stripe', '{card}')`, [
        [u1Bill],
      ]),
    refusals: ['P0001', '55P03'],
  },
  'prepayments: select U1': {
    allow: [...BILL_READERS_C1, ...U1_BILL_READERS, ...SERVICE],
    act: (tx) =>
      rows(tx, 'select count(*)::int as n from public.prepayments where unit_id = $1', [w.units.u1.id]),
  },
  'prepayments: insert directly': {
    allow: [...SERVICE],
    act: (tx) =>
      rows(
        tx,
        `insert into public.prepayments (company_id, community_id, unit_id, fee_item_id, rule_version_id, months,
           period_start, period_end, gross_fen, discount_fen, net_fen, periods, status)
         select company_id, community_id, unit_id, fee_item_id, rule_version_id, months, period_start + 3650,
           period_end + 3650, gross_fen, discount_fen, net_fen, periods, 'pending'
         from public.prepayments where unit_id = $1 limit 1`,
        [w.units.u1.id],
      ),
  },
  'prepayments: update': {
    allow: [...SERVICE],
    act: (tx) =>
      rows(tx, `update public.prepayments set cancel_reason = 'x' where unit_id = $1`, [w.units.u1.id]),
  },
  'refund_bills: select U1 payment': {
    allow: [...BILL_READERS_C1, ...SERVICE],
    act: (tx) =>
      rows(tx, 'select count(*)::int as n from public.refund_bills where payment_id = $1', [u1PrepayPayment]),
  },
  'refund_bills: insert directly': {
    allow: [...SERVICE],
    act: (tx) =>
      rows(
        tx,
        `insert into public.refund_bills (refund_id, bill_id, payment_id, company_id, amount_fen)
         select r.id, pb.bill_id, r.payment_id, r.company_id, 1
         from public.refunds r join public.payment_bills pb on pb.payment_id = r.payment_id
         where r.payment_id = $1
           and not exists (select 1 from public.refund_bills x where x.refund_id = r.id and x.bill_id = pb.bill_id)
         limit 1`,
        [u1PrepayPayment],
      ),
  },
  'prepay_quote U1': {
    allow: [...RECORDERS_C1, ...U1_BILL_READERS, ...SERVICE],
    act: (tx, world) =>
      rows(tx, 'select count(billing.prepay_quote($1, $2, 3))::int as n', [
        world.units.u1.id,
        world.items.property,
      ]),
  },
  'reserve_prepayment U1 (online)': {
    allow: ['owner_u1'],
    act: (tx, world) =>
      rows(tx, 'select count(*)::int as n from billing.reserve_prepayment($1, $2, 3)', [
        world.units.u1.id,
        world.items.property,
      ]),
  },
  'record_offline_prepayment U3 (front desk)': {
    allow: [...RECORDERS_C1, ...SERVICE],
    act: (tx, world) =>
      rows(tx, `select count(billing.record_offline_prepayment($1, $2, 3, 'cash', '业主丙'))::int as n`, [
        world.units.u3.id,
        world.items.property,
      ]),
  },
  'request_refund part of a U1 payment': {
    allow: [...REFUNDERS_C1, ...SERVICE],
    act: (tx) =>
      rows(tx, `select count(*)::int as n from billing.request_refund($1, '测试', $2::jsonb)`, [
        u1PrepayPayment,
        JSON.stringify([{ billId: u1PrepaidBill, amountFen: 100 }]),
      ]),
  },
  'publish_bill_run C1': {
    allow: [...BILL_MANAGERS_C1, ...SERVICE],
    act: (tx, world) =>
      rows(tx, `select count(*)::int as n from billing.publish_bill_run($1, '2026-12-01')`, [
        world.communities.c1,
      ]),
  },
};

describe('billing authorization matrix', () => {
  for (const [name, cell] of Object.entries(MATRIX)) {
    it(name, async () => {
      const outcomes: Record<string, Outcome> = {};
      for (const persona of PERSONAS) {
        outcomes[persona] = await attemptAs(
          client,
          claimsOf(persona),
          (tx) => cell.act(tx, w),
          undefined,
          cell.refusals,
        );
      }
      const expected = Object.fromEntries(
        PERSONAS.map((p) => [p, cell.allow.includes(p) ? 'allow' : 'deny']),
      );
      expect(outcomes).toEqual(expected);
    });
  }
});

function claimsOf(persona: Persona) {
  if (persona === 'anonymous') return { role: 'anon' as const };
  if (persona === 'service_role') return { role: 'service_role' as const };
  return w.users[persona].claims;
}
