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
import {
  type CollectionReport,
  collectionReport,
  paymentForRefund,
  recordOfflinePayment,
  requestRefund,
} from './billing.server';
import { BillingError } from './errors';
import { getReceipt } from './receipt.server';
import { getRefundVoucher, refundVoucherTexts, renderRefundVoucherPdf } from './refund-voucher.server';

/**
 * Partial refunds against the real schema: per bill or the whole rest, vouchers, statuses,
 * never more than was paid (also under concurrency, with the database constraint behind the
 * lock), idempotent requests and provider events, and reports net of refunds.
 */

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;
let db: Db;
let w: BillingWorld;
let thisMonth: string;
let nextMonth: string;
let cashU1: string;
let cashU2: string;
let reportBefore: CollectionReport;

const addMonths = (month: string, n: number) => {
  const d = new Date(`${month}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.toISOString().slice(0, 10);
};

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 10 });
  db = createDb(database.url, { max: 10 });
  w = await buildBillingWorld(pool);
  const today = (await pool.query<{ d: string }>('select billing.today()::text as d')).rows[0].d;
  thisMonth = `${today.slice(0, 7)}-01`;
  nextMonth = addMonths(thisMonth, 1);
  // U1 used 20 m³ of water this month: two bills (物业费, 水费), paid in cash in one payment.
  const lastMonthEnd = new Date(Date.parse(`${thisMonth}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  await w.read(w.meters.u1, lastMonthEnd, 100);
  await w.read(w.meters.u1, today, 120);
  await publishAsService(pool, w.communities.c1, thisMonth);
  const billsOf = async (unitId: string) =>
    (
      await pool.query<{ id: string }>(
        `select id from public.bills where unit_id = $1 and status = 'unpaid' order by fee_item_id`,
        [unitId],
      )
    ).rows.map((r) => r.id);
  const u1 = await billsOf(w.units.u1.id);
  cashU1 = await as('front_desk_c1', (tx) =>
    recordOfflinePayment(tx, { billIds: u1, method: 'cash', payerName: '业主甲' }),
  );
  const u2 = await billsOf(w.units.u2.id);
  cashU2 = await as('front_desk_c1', (tx) =>
    recordOfflinePayment(tx, { billIds: u2, method: 'transfer', payerName: '邻居丁' }),
  );
  reportBefore = await as('finance_a', (tx) =>
    collectionReport(tx, w.communities.c1, Number(thisMonth.slice(0, 4))),
  );
});

afterAll(async () => {
  await db?.close();
  await pool?.end();
  await database?.drop();
});

const as = <T>(persona: keyof BillingWorld['users'], fn: (tx: Tx) => Promise<T>) =>
  db.withUser(w.users[persona].claims, fn) as Promise<T>;

const refusal = async (work: Promise<unknown>) => {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BillingError);
  return (err as BillingError).code;
};

const state = async (paymentId: string) => {
  const p = await pool.query<{ status: string; refund_fen: number }>(
    'select status, refund_fen::int from public.payments where id = $1',
    [paymentId],
  );
  const bills = await pool.query<{ id: string; status: string; refund_fen: number; paid: number }>(
    `select b.id, b.status, pb.refund_fen::int, (pb.amount_fen + pb.late_fee_fen)::int as paid
     from public.payment_bills pb join public.bills b on b.id = pb.bill_id where pb.payment_id = $1 order by b.fee_item_id`,
    [paymentId],
  );
  const refunds = await pool.query<{ n: number }>(
    'select count(*)::int as n from public.refunds where payment_id = $1',
    [paymentId],
  );
  return { ...p.rows[0], bills: bills.rows, refunds: refunds.rows[0].n };
};

describe('partial refunds at the front desk (cash)', () => {
  it('refunds part of one bill of two with a voucher; the rest later; statuses follow', async () => {
    const payment = await as('finance_a', (tx) => paymentForRefund(tx, cashU1));
    expect(payment.bills).toHaveLength(2);
    const [first, second] = payment.bills;
    expect(first.refundableFen).toBe(first.paidFen);

    const part = await as('finance_a', (tx) =>
      requestRefund(tx, cashU1, '电梯停运，退部分物业费', {
        items: [{ billId: first.billId, amountFen: 5_000 }],
      }),
    );
    expect(part).toMatchObject({ status: 'succeeded', provider: 'offline', amountFen: 5_000 });
    expect(part.voucherNo).toMatch(/^T\d{4}00000001$/);
    let s = await state(cashU1);
    expect(s.status).toBe('partially_refunded');
    expect(s.refund_fen).toBe(5_000);
    expect(s.bills.find((b) => b.id === first.billId)).toMatchObject({
      status: 'partially_refunded',
      refund_fen: 5_000,
    });
    expect(s.bills.find((b) => b.id === second.billId)).toMatchObject({ status: 'paid', refund_fen: 0 });

    // The voucher handed over with the cash: amounts, the bill, the reason, in Chinese capitals.
    const voucher = await as('finance_a', (tx) => getRefundVoucher(tx, part.refundId));
    const texts = refundVoucherTexts(voucher);
    expect(texts.fields).toContainEqual(['退款凭证号', part.voucherNo]);
    expect(texts.fields).toContainEqual(['退款方式', '现金']);
    expect(texts.totalCapitals).toBe('伍拾元整');
    expect(texts.items).toHaveLength(1);
    const pdf = await renderRefundVoucherPdf(voucher);
    const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await getDocument({ data: pdf, isEvalSupported: false }).promise;
    const text = (await (await doc.getPage(1)).getTextContent()).items
      .map((i) => ('str' in i ? i.str : ''))
      .join('');
    for (const part_ of [
      '退款凭证',
      String(part.voucherNo),
      '伍拾元整',
      '电梯停运，退部分物业费',
      '财务专用章',
    ]) {
      expect(text).toContain(part_);
    }
    // The e-receipt lists the refund.
    const receipt = await as('front_desk_c1', (tx) => getReceipt(tx, cashU1));
    expect(receipt.status).toBe('partially_refunded');
    expect(receipt.refunds).toMatchObject([{ voucherNo: part.voucherNo, amountFen: 5_000 }]);

    // The rest of everything.
    const rest = await as('finance_a', (tx) => requestRefund(tx, cashU1, '退房，余款全退'));
    expect(rest.amountFen).toBe(first.paidFen - 5_000 + second.paidFen);
    expect(rest.voucherNo).toMatch(/^T\d{4}00000002$/);
    s = await state(cashU1);
    expect(s.status).toBe('refunded');
    expect(s.bills.map((b) => b.status)).toEqual(['refunded', 'refunded']);
    expect(s.bills.every((b) => b.refund_fen === b.paid)).toBe(true);
    expect(await refusal(as('finance_a', (tx) => requestRefund(tx, cashU1, '再退')))).toBe(
      'billing.payment_not_refundable',
    );
    // Every refund is in the audit log (refund, its lines, the payment's counter and status).
    const audit = await pool.query<{ table_name: string; n: number }>(
      `select table_name, count(*)::int as n from audit.log
       where table_name in ('refunds', 'refund_bills') and (new_values ->> 'payment_id' = $1::text or row_id = any (
         select id from public.refunds where payment_id::text = $1::text))
       group by 1 order by 1`,
      [cashU1],
    );
    expect(audit.rows).toEqual([
      { table_name: 'refund_bills', n: 3 },
      { table_name: 'refunds', n: 4 },
    ]);
  });

  it('refuses more than is left, foreign bills, no reason and the wrong staff — changing nothing', async () => {
    const before = await state(cashU2);
    const payment = await as('finance_a', (tx) => paymentForRefund(tx, cashU2));
    const bill = payment.bills[0];
    expect(
      await refusal(
        as('finance_a', (tx) =>
          requestRefund(tx, cashU2, '多退', {
            items: [{ billId: bill.billId, amountFen: bill.paidFen + 1 }],
          }),
        ),
      ),
    ).toBe('billing.refund_exceeds_paid');
    const foreign = (
      await pool.query<{ id: string }>(
        'select bill_id as id from public.payment_bills where payment_id = $1',
        [cashU1],
      )
    ).rows[0].id;
    expect(
      await refusal(
        as('finance_a', (tx) =>
          requestRefund(tx, cashU2, '错单', { items: [{ billId: foreign, amountFen: 100 }] }),
        ),
      ),
    ).toBe('billing.refund_amount_invalid');
    expect(
      await refusal(
        as('finance_a', (tx) =>
          requestRefund(tx, cashU2, '  ', { items: [{ billId: bill.billId, amountFen: 100 }] }),
        ),
      ),
    ).toBe('billing.reason_required');
    for (const persona of ['front_desk_c1', 'manager_c2', 'owner_u1', 'admin_b'] as const) {
      expect(
        await refusal(
          as(persona, (tx) =>
            requestRefund(tx, cashU2, '退款', { items: [{ billId: bill.billId, amountFen: 100 }] }),
          ),
        ),
      ).toBe('billing.forbidden');
    }
    // The database refuses amounts the form schema would never send, too.
    await expect(
      as('finance_a', (tx) =>
        tx.query(`select * from billing.request_refund($1, '负数', $2::jsonb)`, [
          cashU2,
          JSON.stringify([{ billId: bill.billId, amountFen: -100 }]),
        ]),
      ),
    ).rejects.toMatchObject({ message: 'billing.refund_amount_invalid' });
    expect(await state(cashU2)).toEqual(before);
  });

  it('concurrent partial refunds never exceed what was paid (row lock first, check constraint behind it)', async () => {
    const payment = await as('finance_a', (tx) => paymentForRefund(tx, cashU2));
    const bill = payment.bills[0];
    const share = Math.floor(bill.paidFen / 3) + 1; // two fit, a third never does
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        as('finance_a', (tx) =>
          requestRefund(tx, cashU2, `并发退款 ${i}`, { items: [{ billId: bill.billId, amountFen: share }] }),
        ),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(2);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'billing.refund_exceeds_paid' });
    }
    const s = await state(cashU2);
    expect(s.refund_fen).toBe(2 * share);
    expect(s.bills[0].refund_fen).toBe(2 * share);
    const sum = await pool.query<{ n: number }>(
      `select coalesce(sum(amount_fen), 0)::int as n from public.refunds where payment_id = $1 and status = 'succeeded'`,
      [cashU2],
    );
    expect(sum.rows[0].n).toBe(2 * share);
    // Even written around billing.request_refund, the ceiling holds.
    await expect(
      asService(pool, (tx) =>
        tx.query(
          `insert into public.refunds (company_id, community_id, payment_id, amount_fen, reason)
           select company_id, community_id, id, amount_fen - refund_fen + 1, 'bypass' from public.payments where id = $1`,
          [cashU2],
        ),
      ),
    ).rejects.toMatchObject({ code: '23514', constraint: 'payments_refund_within_amount' });
  });

  it('a resubmitted form (same refund id) returns the same refund, never a second one', async () => {
    const payment = await as('finance_a', (tx) => paymentForRefund(tx, cashU2));
    const bill = payment.bills[0];
    const refundId = crypto.randomUUID();
    const submit = () =>
      as('finance_a', (tx) =>
        requestRefund(tx, cashU2, '重复提交', { items: [{ billId: bill.billId, amountFen: 1 }], refundId }),
      );
    const [a, b] = await Promise.all([submit(), submit()]);
    expect(a).toEqual(b);
    expect(a.refundId).toBe(refundId);
    const n = await pool.query('select count(*)::int as n from public.refunds where id = $1', [refundId]);
    expect(n.rows[0].n).toBe(1);
    expect(await refusal(as('finance_a', (tx) => requestRefund(tx, cashU1, '挪用编号', { refundId })))).toBe(
      'billing.duplicate',
    );
  });
});

describe('online partial refunds', () => {
  let paymentId: string;
  let billId: string;
  const refundResult = (refundId: string, status: string, providerId: string) =>
    as('finance_a', async (tx) => {
      const r = await tx.query<{ o: string }>('select billing.apply_refund_result($1, $2, $3) as o', [
        refundId,
        status,
        providerId,
      ]);
      return r.rows[0].o;
    });
  const chargeRefunded = (eventId: string, refunds: object[]) =>
    asService(pool, async (tx) => {
      const r = await tx.query<{ applied: { outcome: string } }>(
        `select billing.apply_charge_refunded_event('stripe', $1, 'charge.refunded', now(), $2::jsonb) as applied`,
        [eventId, JSON.stringify(refunds)],
      );
      return r.rows[0].applied.outcome;
    });

  beforeAll(async () => {
    await publishAsService(pool, w.communities.c1, nextMonth);
    billId = (
      await pool.query<{ id: string }>(
        `select id from public.bills where unit_id = $1 and period_start = $2 and status = 'unpaid'`,
        [w.units.u2.id, nextMonth],
      )
    ).rows[0].id;
    const intent = await as('neighbour_c1', async (tx) => {
      const r = await tx.query<{ intent_id: string; amount_fen: number }>(
        `select * from billing.begin_payment($1::uuid[], 'stripe', '{card}')`,
        [[billId]],
      );
      return r.rows[0];
    });
    const applied = await asService(pool, async (tx) => {
      const r = await tx.query<{ applied: { paymentId: string } }>(
        `select billing.apply_checkout_event('stripe', 'evt_online_paid', 'checkout.session.completed', now(), $1::jsonb, 'card') as applied`,
        [
          JSON.stringify({
            id: 'cs_online',
            client_reference_id: intent.intent_id,
            payment_status: 'paid',
            amount_total: intent.amount_fen,
            payment_intent: 'pi_online',
          }),
        ],
      );
      return r.rows[0].applied;
    });
    paymentId = applied.paymentId;
  });

  it('is pending until the provider answers; a failed one releases what it reserved', async () => {
    const first = await as('finance_a', (tx) =>
      requestRefund(tx, paymentId, '多收 10 元', { items: [{ billId, amountFen: 1_000 }] }),
    );
    expect(first).toMatchObject({ status: 'pending', provider: 'stripe', voucherNo: null });
    expect((await state(paymentId)).refund_fen).toBe(1_000);
    expect(await refundResult(first.refundId, 'failed', 're_failed')).toBe('refund_failed');
    const s = await state(paymentId);
    expect(s).toMatchObject({ status: 'succeeded', refund_fen: 0 });
    expect(s.bills[0]).toMatchObject({ status: 'paid', refund_fen: 0 });
  });

  it('completes on charge.refunded (listed by the provider) once; later refund events change nothing', async () => {
    const again = await as('finance_a', (tx) =>
      requestRefund(tx, paymentId, '多收 10 元', { items: [{ billId, amountFen: 1_000 }] }),
    );
    const listed = [
      {
        id: 're_ok',
        object: 'refund',
        amount: 1_000,
        status: 'succeeded',
        metadata: { refund_id: again.refundId },
      },
    ];
    const outcomes = await Promise.all([
      chargeRefunded('evt_ch_1', listed),
      chargeRefunded('evt_ch_1', listed),
    ]);
    expect(outcomes.sort()).toEqual(['duplicate_event', 'refund_succeeded']);
    expect(await chargeRefunded('evt_ch_2', listed)).toBe('ignored:no_change');
    const late = await asService(pool, async (tx) => {
      const r = await tx.query<{ applied: { outcome: string } }>(
        `select billing.apply_refund_event('stripe', 'evt_re_1', 'refund.updated', now(), $1::jsonb) as applied`,
        [JSON.stringify(listed[0])],
      );
      return r.rows[0].applied.outcome;
    });
    expect(late).toBe('ignored:succeeded');
    const s = await state(paymentId);
    expect(s).toMatchObject({ status: 'partially_refunded', refund_fen: 1_000 });
    expect(s.bills[0].status).toBe('partially_refunded');
    const refund = await pool.query(
      'select status, voucher_no, provider_refund_id from public.refunds where id = $1',
      [again.refundId],
    );
    expect(refund.rows[0]).toMatchObject({ status: 'succeeded', provider_refund_id: 're_ok' });
    expect(refund.rows[0].voucher_no).toMatch(/^T\d{12}$/);
  });
});

describe('reports', () => {
  it('count collections net of refunds (principal first), by month, kind and building', async () => {
    const year = Number(thisMonth.slice(0, 4));
    const after = await as('finance_a', (tx) => collectionReport(tx, w.communities.c1, year));
    const refunded = await pool.query<{ bill_id: string; amount: number; refunded: number }>(
      `select b.id as bill_id, b.amount_fen::int as amount, sum(rb.amount_fen)::int as refunded
       from public.refund_bills rb join public.refunds r on r.id = rb.refund_id and r.status = 'succeeded'
       join public.bills b on b.id = rb.bill_id where b.period_start = $1 group by b.id, b.amount_fen`,
      [thisMonth],
    );
    const principal = refunded.rows.reduce((n, r) => n + Math.min(r.refunded, r.amount), 0);
    expect(principal).toBeGreaterThan(0);
    const month = (r: CollectionReport) => r.byMonth.find((m) => m.key === thisMonth.slice(0, 7));
    expect(month(after)?.dueFen).toBe(month(reportBefore)?.dueFen);
    expect(month(after)?.paidFen).toBe((month(reportBefore)?.paidFen ?? 0) - principal);
    expect(month(after)?.refundedFen).toBe(principal);
    // U1's two bills were wholly refunded: they no longer count as paid bills.
    expect(month(after)?.paidBills).toBe((month(reportBefore)?.paidBills ?? 0) - 2);
    expect(after.totals.refundedFen).toBeGreaterThanOrEqual(principal);
  });
});
