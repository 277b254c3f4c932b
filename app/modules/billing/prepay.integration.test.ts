import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db, type Tx } from '~/lib/db.server';
import {
  asService,
  type BillingWorld,
  buildBillingWorld,
  publishAsService,
} from '../../../tests/support/billing-world';
import { createTestDatabase } from '../../../tests/support/platform';
import { BillingError } from './errors';
import {
  cancelPrepayment,
  openPrepayments,
  prepayOptions,
  prepayQuote,
  recordOfflinePrepayment,
  reservePrepayment,
  startPrepayment,
} from './prepay.server';
import { getReceipt } from './receipt.server';
import { renderReceiptPdf } from './receipt-pdf.server';
import { myBills } from './resident.server';
import { prepayPlan } from './rules/engine';
import { feeRuleSchema } from './rules/rule.schema';

/**
 * Prepayment (预缴) against the real schema: amounts from SQL equal the engine's, front desk
 * and online (reserve → checkout → webhook) paths, idempotency with the bill run, and pending
 * bills that disappear when their checkout does not pay.
 */

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;
let db: Db;
let w: BillingWorld;
let today: string;
let thisMonth: string;
let nextMonth: string;

/** The rule in force today: 2.60 元/m², 3 % off from 6 months, 5 % or "12 for 11" from 12. */
const CURRENT_RULE = {
  method: 'area',
  unitPriceE4: 26_000,
  proration: 'daily',
  prepayDiscounts: [
    { minMonths: 6, percentOffBp: 300 },
    { minMonths: 12, percentOffBp: 500 },
    { minMonths: 12, freeMonths: 1 },
  ],
};

const addMonths = (month: string, n: number) => {
  const d = new Date(`${month}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.toISOString().slice(0, 10);
};

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 8 });
  db = createDb(database.url, { max: 8 });
  w = await buildBillingWorld(pool);
  today = (await pool.query<{ d: string }>('select billing.today()::text as d')).rows[0].d;
  thisMonth = `${today.slice(0, 7)}-01`;
  nextMonth = addMonths(thisMonth, 1);
  // 物业费 may be prepaid up to 12 months; today's version has the offers, and a price rise is
  // already published for three months from now (a prepayment keeps today's price).
  await pool.query('update public.fee_items set prepay_max_months = 12 where id = $1', [w.items.property]);
  await pool.query('update public.fee_items set prepay_max_months = 12 where id = $1', [w.items.water]);
  await pool.query(
    `insert into public.fee_rule_versions (company_id, community_id, fee_item_id, effective_from, rule)
     values ($1, $2, $3, $4, $5), ($1, $2, $3, $6, $7)`,
    [
      w.companyA.id,
      w.communities.c1,
      w.items.property,
      thisMonth,
      JSON.stringify(CURRENT_RULE),
      addMonths(thisMonth, 3),
      JSON.stringify({ ...CURRENT_RULE, unitPriceE4: 30_000 }),
    ],
  );
  await publishAsService(pool, w.communities.c1, thisMonth);
  await pool.query(
    `update public.occupancies set household_grants = '{members.read,bills.read,bills.pay}' where id = $1`,
    [w.occupancies.family_full],
  );
});

afterAll(async () => {
  await db?.close();
  await pool?.end();
  await database?.drop();
});

const as = <T>(persona: keyof BillingWorld['users'], fn: (tx: Tx) => Promise<T>) =>
  db.withUser(w.users[persona].claims, fn) as Promise<T>;

const propertyBills = async (unitId: string) =>
  (
    await pool.query<{
      id: string;
      status: string;
      period_start: string;
      amount_fen: number;
      prepayment_id: string | null;
    }>(
      `select id, status, period_start::text, amount_fen::int, prepayment_id from public.bills
       where unit_id = $1 and fee_item_id = $2 order by period_start`,
      [unitId, w.items.property],
    )
  ).rows;

const expectRefusal = async (work: Promise<unknown>, code: string) => {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BillingError);
  expect((err as BillingError).code).toBe(code);
};

describe('quotes', () => {
  it('prices the coming months with today’s rule version and the best offer, exactly as the engine', async () => {
    const quote = await as('owner_u1', (tx) =>
      prepayQuote(tx, { unitId: w.units.u1.id, feeItemId: w.items.property, months: 12 }),
    );
    const engine = prepayPlan({
      rule: feeRuleSchema.parse(CURRENT_RULE),
      cycle: 'monthly',
      firstPeriod: nextMonth,
      months: 12,
      floorArea: 89.5,
      dueDays: 14,
    });
    // 89.5 m² × 2.60 = 232.70 a month (not the 3.00 of the version three months ahead);
    // "12 for 11" (232.70 off) beats 5 % (139.62 off).
    expect(quote).toMatchObject({
      months: 12,
      periodStart: nextMonth,
      grossFen: 279_240,
      discountFen: 23_270,
      netFen: 255_970,
      offer: { minMonths: 12, freeMonths: 1 },
      offerLabel: '预缴优惠（12个月送1个月）',
    });
    expect(quote.grossFen).toBe(engine.grossFen);
    expect(quote.discountFen).toBe(engine.discountFen);
    expect(quote.periods).toEqual(engine.periods.map(({ dueDate: _d, ...p }) => p));
    const six = await as('owner_u1', (tx) =>
      prepayQuote(tx, { unitId: w.units.u1.id, feeItemId: w.items.property, months: 6 }),
    );
    // 139,620 × 3 % = 4,188.6 → 4,189.
    expect(six).toMatchObject({ grossFen: 139_620, discountFen: 4_189, netFen: 135_431 });
  });

  it('lists what a unit may prepay; refuses bad months, metered items and other people’s units', async () => {
    const options = await as('owner_u1', (tx) => prepayOptions(tx, w.units.u1.id));
    // 水费 is metered: its use is not known ahead, so it is not offered even though allowed.
    expect(options.map((o) => o.feeItemName)).toEqual(['物业费']);
    expect(options[0]).toMatchObject({ chargeFen: 23_270, firstPeriod: nextMonth, maxMonths: 12 });
    expect(options[0].monthChoices).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const before = await pool.query('select count(*)::int as n from public.bills');
    // Beyond the item's 12 months: refused by the database (the form schema allows up to 24).
    await expectRefusal(
      as('owner_u1', (tx) =>
        reservePrepayment(tx, { unitId: w.units.u1.id, feeItemId: w.items.property, months: 13 }),
      ),
      'billing.prepay_months_invalid',
    );
    // The database refuses what the form schema would never send, too.
    await expect(
      as('owner_u1', (tx) =>
        tx.query('select * from billing.reserve_prepayment($1, $2, 0)', [w.units.u1.id, w.items.property]),
      ),
    ).rejects.toMatchObject({ message: 'billing.prepay_months_invalid' });
    await expectRefusal(
      as('owner_u1', (tx) => prepayQuote(tx, { unitId: w.units.u1.id, feeItemId: w.items.water, months: 3 })),
      'billing.prepay_unavailable',
    );
    await expectRefusal(
      as('neighbour_c1', (tx) =>
        prepayQuote(tx, { unitId: w.units.u1.id, feeItemId: w.items.property, months: 3 }),
      ),
      'billing.forbidden',
    );
    await expectRefusal(
      as('family_limited', (tx) =>
        reservePrepayment(tx, { unitId: w.units.u1.id, feeItemId: w.items.property, months: 3 }),
      ),
      'billing.forbidden',
    );
    await expectRefusal(
      as('manager_c2', (tx) => prepayOptions(tx, w.units.u1.id)),
      'billing.forbidden',
    );
    expect((await pool.query('select count(*)::int as n from public.bills')).rows[0]).toEqual(before.rows[0]);
  });
});

describe('at the front desk', () => {
  it('takes cash for 6 months: paid bills with discount lines, a receipt showing the discount', async () => {
    await expectRefusal(
      as('technician_c1', (tx) =>
        recordOfflinePrepayment(tx, {
          unitId: w.units.u3.id,
          feeItemId: w.items.property,
          months: 6,
          method: 'cash',
          payerName: '业主丙',
        }),
      ),
      'billing.forbidden',
    );
    const paymentId = await as('front_desk_c1', (tx) =>
      recordOfflinePrepayment(tx, {
        unitId: w.units.u3.id,
        feeItemId: w.items.property,
        months: 6,
        method: 'cash',
        payerName: '业主丙',
      }),
    );
    const bills = (await propertyBills(w.units.u3.id)).filter((b) => b.prepayment_id);
    expect(bills.map((b) => b.period_start)).toEqual([0, 1, 2, 3, 4, 5].map((i) => addMonths(nextMonth, i)));
    expect(bills.every((b) => b.status === 'paid')).toBe(true);
    // 4,189 fen off spread over 6 bills: 699, 698 × 5.
    expect(bills.map((b) => b.amount_fen)).toEqual([22_571, 22_572, 22_572, 22_572, 22_572, 22_572]);
    const lines = await pool.query<{ amount_fen: number; description: string }>(
      `select amount_fen::int, description from public.bill_lines where bill_id = any ($1::uuid[]) and kind = 'discount'
       order by amount_fen`,
      [bills.map((b) => b.id)],
    );
    expect(lines.rows.map((l) => l.amount_fen)).toEqual([-699, -698, -698, -698, -698, -698]);
    expect(new Set(lines.rows.map((l) => l.description))).toEqual(new Set(['预缴优惠（6个月减3%）']));

    const receipt = await as('front_desk_c1', (tx) => getReceipt(tx, paymentId));
    expect(receipt.amountFen).toBe(135_431);
    expect(receipt.prepay).toEqual({ months: 6, label: '预缴优惠（6个月减3%）', discountFen: 4_189 });
    expect(receipt.items.reduce((n, i) => n + i.discountFen, 0)).toBe(4_189);
    const pdf = await renderReceiptPdf(receipt);
    const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await getDocument({ data: pdf, isEvalSupported: false }).promise;
    const text = (await (await doc.getPage(1)).getTextContent()).items
      .map((i) => ('str' in i ? i.str : ''))
      .join('');
    expect(text).toContain('预缴优惠（6个月减3%）：-¥41.89');
    expect(text).toContain('¥1354.31');
  });

  it('a later bill run for those months creates nothing twice; a new prepayment continues after them', async () => {
    const before = await propertyBills(w.units.u3.id);
    const run = await publishAsService(pool, w.communities.c1, nextMonth);
    const after = await propertyBills(w.units.u3.id);
    expect(after.filter((b) => b.period_start === nextMonth)).toHaveLength(1);
    expect(after.find((b) => b.period_start === nextMonth)?.prepayment_id).not.toBeNull();
    expect(after.length).toBe(before.length);
    expect(run.created_bills).toBeGreaterThan(0); // U1 and U2 were billed for that month
    const options = await as('front_desk_c1', (tx) => prepayOptions(tx, w.units.u3.id));
    expect(options[0].firstPeriod).toBe(addMonths(nextMonth, 6));
  });
});

describe('online', () => {
  const session = (intentId: string, amount: number, paid = true) =>
    JSON.stringify({
      id: `cs_${intentId.slice(0, 8)}`,
      client_reference_id: intentId,
      payment_status: paid ? 'paid' : 'unpaid',
      amount_total: amount,
      payment_intent: `pi_${intentId.slice(0, 8)}`,
    });
  const webhook = (eventId: string, type: string, sessionJson: string) =>
    asService(pool, async (tx) => {
      const r = await tx.query<{ applied: { outcome: string } }>(
        `select billing.apply_checkout_event('stripe', $1, $2, now(), $3::jsonb, 'card') as applied`,
        [eventId, type, sessionJson],
      );
      return r.rows[0].applied.outcome;
    });
  const begin = (persona: keyof BillingWorld['users'], billIds: string[]) =>
    as(persona, async (tx) => {
      const r = await tx.query<{ intent_id: string; amount_fen: number }>(
        `select * from billing.begin_payment($1::uuid[], 'stripe', '{card}')`,
        [billIds],
      );
      return r.rows[0];
    });

  it('reserves pending bills that are not owed, pays them through the ordinary checkout and webhook', async () => {
    const reserved = await as('owner_u1', (tx) =>
      reservePrepayment(tx, { unitId: w.units.u1.id, feeItemId: w.items.property, months: 12 }),
    );
    expect(reserved).toMatchObject({ netFen: 255_970, reused: false });
    expect(reserved.billIds).toHaveLength(12);
    // Not owed while pending: not in the resident's bills, no reminders, not in the arrears.
    const mine = await as('owner_u1', (tx) => myBills(tx));
    expect(mine.some((b) => reserved.billIds.includes(b.id))).toBe(false);
    // The same choice again (back from the checkout page): the same prepayment and bills.
    const again = await as('owner_u1', (tx) =>
      reservePrepayment(tx, { unitId: w.units.u1.id, feeItemId: w.items.property, months: 12 }),
    );
    expect(again).toEqual({ ...reserved, reused: true });
    // Another household member cannot start a second one, nor pay these bills.
    await expectRefusal(
      as('family_full', (tx) =>
        reservePrepayment(tx, { unitId: w.units.u1.id, feeItemId: w.items.property, months: 6 }),
      ),
      'billing.prepay_in_progress',
    );
    await expect(begin('family_full', reserved.billIds)).rejects.toMatchObject({
      message: 'billing.bill_not_unpaid',
    });
    // Only all of them: a part is refused.
    await expect(begin('owner_u1', reserved.billIds.slice(1))).rejects.toMatchObject({
      message: 'billing.bill_not_unpaid',
    });

    const intent = await begin('owner_u1', reserved.billIds);
    expect(intent.amount_fen).toBe(255_970);
    const link = await pool.query('select intent_id from public.prepayments where id = $1', [
      reserved.prepaymentId,
    ]);
    expect(link.rows[0].intent_id).toBe(intent.intent_id);
    const outcomes = await Promise.all([
      webhook('evt_prepay_1', 'checkout.session.completed', session(intent.intent_id, 255_970)),
      webhook('evt_prepay_1', 'checkout.session.completed', session(intent.intent_id, 255_970)),
    ]);
    expect(outcomes.sort()).toEqual(['duplicate_event', 'settled']);
    const bills = await propertyBills(w.units.u1.id);
    const prepaid = bills.filter((b) => b.prepayment_id === reserved.prepaymentId);
    expect(prepaid.map((b) => b.status)).toEqual(Array(12).fill('paid'));
    const p = await pool.query('select status, payment_id from public.prepayments where id = $1', [
      reserved.prepaymentId,
    ]);
    expect(p.rows[0].status).toBe('paid');
    const receipt = await as('owner_u1', (tx) => getReceipt(tx, p.rows[0].payment_id));
    expect(receipt.prepay?.label).toBe('预缴优惠（12个月送1个月）');
    expect(receipt.amountFen).toBe(255_970);
    // Paid prepaid bills show like any paid bill.
    const after = await as('owner_u1', (tx) => myBills(tx));
    expect(
      after.filter((b) => reserved.billIds.includes(b.id) && b.status === 'paid').length,
    ).toBeGreaterThan(0);
  });

  it('a checkout that expires removes the pending bills; the months are free again', async () => {
    const reserved = await as('neighbour_c1', (tx) =>
      reservePrepayment(tx, { unitId: w.units.u2.id, feeItemId: w.items.property, months: 6 }),
    );
    const intent = await begin('neighbour_c1', reserved.billIds);
    expect(
      await webhook('evt_prepay_exp', 'checkout.session.expired', session(intent.intent_id, 0, false)),
    ).toBe('expired');
    const left = await pool.query('select count(*)::int as n from public.bills where id = any ($1::uuid[])', [
      reserved.billIds,
    ]);
    expect(left.rows[0].n).toBe(0);
    const p = await pool.query('select status, cancel_reason from public.prepayments where id = $1', [
      reserved.prepaymentId,
    ]);
    expect(p.rows[0]).toEqual({ status: 'cancelled', cancel_reason: 'checkout expired' });
    // The removal is in the audit log, bill by bill.
    const audit = await pool.query(
      `select count(*)::int as n from audit.log where table_name = 'bills' and action = 'DELETE' and row_id = any ($1::uuid[])`,
      [reserved.billIds],
    );
    expect(audit.rows[0].n).toBe(6);

    // The money still arrives (a late success): kept as a duplicate and refunded in full.
    expect(
      await webhook('evt_prepay_late', 'checkout.session.completed', session(intent.intent_id, 135_431)),
    ).toBe('duplicate_payment');
    const dup = await pool.query(
      `select p.status, r.amount_fen::int as refund from public.payments p join public.refunds r on r.payment_id = p.id
       where p.intent_id = $1`,
      [intent.intent_id],
    );
    expect(dup.rows).toEqual([{ status: 'duplicate', refund: 135_431 }]);

    // The same months can be prepaid again.
    const second = await as('neighbour_c1', (tx) =>
      reservePrepayment(tx, { unitId: w.units.u2.id, feeItemId: w.items.property, months: 6 }),
    );
    expect(second.billIds).toHaveLength(6);
    expect(second.prepaymentId).not.toBe(reserved.prepaymentId);
  });

  it('a checkout abandoned without any webhook stops holding its months at the next bill run', async () => {
    const open = await as('neighbour_c1', (tx) => openPrepayments(tx, w.units.u2.id));
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ mine: true, months: 6, checkoutUrl: null });
    const intent = await begin(
      'neighbour_c1',
      (
        await pool.query<{ id: string }>(
          `select id from public.bills where prepayment_id = $1 order by period_start`,
          [open[0].prepaymentId],
        )
      ).rows.map((r) => r.id),
    );
    await pool.query(
      `update public.payment_intents set expires_at = now() - interval '1 hour' where id = $1`,
      [intent.intent_id],
    );
    const monthOfRun = addMonths(nextMonth, 1);
    await publishAsService(pool, w.communities.c1, monthOfRun);
    const p = await pool.query('select status from public.prepayments where id = $1', [open[0].prepaymentId]);
    expect(p.rows[0].status).toBe('cancelled');
    // …and the run billed U2 for that month as usual.
    const u2 = await propertyBills(w.units.u2.id);
    expect(u2.filter((b) => b.period_start === monthOfRun).map((b) => b.status)).toEqual(['unpaid']);
  });

  it('a reservation whose checkout could not start is withdrawn; concurrent reservations: one wins', async () => {
    const failing = await startPrepayment(
      {
        run: (work) => db.withUser(w.users.owner_u1.claims, work),
        checkout: async () => {
          throw new BillingError('billing.payment_unavailable');
        },
      },
      { unitId: w.units.u1.id, feeItemId: w.items.property, months: 1 },
    ).catch((e: unknown) => e);
    expect((failing as BillingError).code).toBe('billing.payment_unavailable');
    expect(
      (
        await pool.query(
          `select count(*)::int as n from public.prepayments where unit_id = $1 and status = 'pending'`,
          [w.units.u1.id],
        )
      ).rows[0].n,
    ).toBe(0);

    const results = await Promise.allSettled(
      (['owner_u1', 'family_full'] as const).map((persona) =>
        as(persona, (tx) =>
          reservePrepayment(tx, { unitId: w.units.u1.id, feeItemId: w.items.property, months: 2 }),
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'billing.prepay_in_progress' });
    // Only its payer may withdraw it, and only while no checkout is open on it.
    const winner = (
      results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ prepaymentId: string }>
    ).value;
    const payer = (
      await pool.query<{ payer_user_id: string }>(
        'select payer_user_id from public.prepayments where id = $1',
        [winner.prepaymentId],
      )
    ).rows[0].payer_user_id;
    const [payerPersona, otherPersona] =
      payer === w.users.owner_u1.id
        ? (['owner_u1', 'family_full'] as const)
        : (['family_full', 'owner_u1'] as const);
    await expectRefusal(
      as(otherPersona, (tx) => cancelPrepayment(tx, winner.prepaymentId)),
      'billing.forbidden',
    );
    expect(await as(payerPersona, (tx) => cancelPrepayment(tx, winner.prepaymentId))).toBe(true);
    expect(await as(payerPersona, (tx) => cancelPrepayment(tx, winner.prepaymentId))).toBe(false);
  });
});
