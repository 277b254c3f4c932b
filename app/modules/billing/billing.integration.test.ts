import ExcelJS from 'exceljs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '~/lib/db.server';
import {
  asService,
  type BillingWorld,
  billsOf,
  buildBillingWorld,
  PROPERTY_RULE,
  publishAsService,
  WATER_RULE,
} from '../../../tests/support/billing-world';
import { createTestDatabase } from '../../../tests/support/platform';
import {
  adjustBill,
  collectionReport,
  listArrears,
  listBills,
  previewBillRun,
  publishBillRun,
  recordOfflinePayment,
  recordReading,
  requestRefund,
  waiveBill,
} from './billing.server';
import { BillingError } from './errors';
import { importReadings, readingsTemplate } from './readings-import.server';
import { getReceipt } from './receipt.server';
import { renderReceiptPdf } from './receipt-pdf.server';
import { myBills, myTrend } from './resident.server';
import { computeCharge, lateFeeFen } from './rules/engine';
import { feeRuleSchema } from './rules/rule.schema';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;
let db: Db;
let w: BillingWorld;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
  db = createDb(database.url, { max: 6 });
  w = await buildBillingWorld(pool);
  // Water readings: U1 used 150 m³ before this year (ignored), 170 by October, then 40 in November.
  await w.read(w.meters.u1, '2025-12-31', 1000);
  await w.read(w.meters.u1, '2026-10-31', 1170);
  await w.read(w.meters.u1, '2026-11-30', 1210);
  await w.read(w.meters.u2, '2026-11-01', 50);
  await w.read(w.meters.u2, '2026-11-29', 62.5);
});

afterAll(async () => {
  await db?.close();
  await pool?.end();
  await database?.drop();
});

const as = <T>(persona: keyof BillingWorld['users'], fn: Parameters<Db['withUser']>[1]) =>
  db.withUser(w.users[persona].claims, fn) as Promise<T>;

describe('the SQL bill run agrees with the TypeScript rule engine', () => {
  it('computes every line as the engine does (area with proration, annual water tiers)', async () => {
    const { rows } = await asService(pool, (tx) =>
      tx.query<{
        unit_id: string;
        fee_item_id: string;
        amount_fen: string;
        quantity: string;
        detail: Record<string, number>;
      }>(
        `select unit_id, fee_item_id, amount_fen, quantity, detail from billing.compute_charges($1, '2026-11-01')`,
        [w.communities.c1],
      ),
    );
    const property = feeRuleSchema.parse(PROPERTY_RULE);
    const water = feeRuleSchema.parse(WATER_RULE);
    const stays = await pool.query<{ unit_id: string; from: string | null; to: string | null }>(
      `select unit_id, min(move_in_date)::text as from, max(move_out_date)::text as to from public.occupancies
       where relation in ('owner', 'tenant') group by unit_id`,
    );
    const stay = (unitId: string) => {
      const s = stays.rows.find((r) => r.unit_id === unitId);
      return s ? { from: s.from, to: s.to } : null;
    };
    const expected = new Map<string, number>();
    for (const u of [w.units.u1, w.units.u2, w.units.u3]) {
      const charge = computeCharge({
        rule: property,
        cycle: 'monthly',
        month: '2026-11-01',
        billVacant: true,
        floorArea: 89.5,
        stay: stay(u.id),
      });
      if (charge) expected.set(`${u.id}:${w.items.property}`, charge.amountFen);
    }
    const u1Water = computeCharge({
      rule: water,
      cycle: 'monthly',
      month: '2026-11-01',
      billVacant: true,
      floorArea: null,
      stay: stay(w.units.u1.id),
      meter: { startReading: 1170, endReading: 1210, multiplier: 1, priorUse: 170 },
    });
    const u2Water = computeCharge({
      rule: water,
      cycle: 'monthly',
      month: '2026-11-01',
      billVacant: true,
      floorArea: null,
      stay: stay(w.units.u2.id),
      meter: { startReading: 50, endReading: 62.5, multiplier: 1, priorUse: 0 },
    });
    expected.set(`${w.units.u1.id}:${w.items.water}`, u1Water?.amountFen ?? -1);
    expected.set(`${w.units.u2.id}:${w.items.water}`, u2Water?.amountFen ?? -1);
    // 10 m³ at 5 + 30 m³ at 7 = 260.00; 12.5 m³ at 5 = 62.50; a full month of 89.5 m² × 2.50 = 223.75
    expect(u1Water?.amountFen).toBe(26_000);
    expect(u2Water?.amountFen).toBe(6_250);
    expect(expected.get(`${w.units.u3.id}:${w.items.property}`)).toBe(22_375);

    const actual = new Map(rows.map((r) => [`${r.unit_id}:${r.fee_item_id}`, Number(r.amount_fen)]));
    expect(actual).toEqual(expected);
    const u1w = rows.find((r) => r.unit_id === w.units.u1.id && r.fee_item_id === w.items.water);
    expect(u1w?.detail).toMatchObject({
      startReading: 1170,
      endReading: 1210,
      priorUse: 170,
      tierBasis: 'annual',
    });
  });

  it('prorates a move-in in the middle of the month like the engine', async () => {
    const { rows } = await asService(pool, (tx) =>
      tx.query<{ amount_fen: string; detail: { billableDays: number } }>(
        `select amount_fen, detail from billing.compute_charges($1, '2026-10-01') where unit_id = $2 and fee_item_id = $3`,
        [w.communities.c1, w.units.u1.id, w.items.property],
      ),
    );
    const moveIn = (
      await pool.query<{ d: string }>(
        `select min(move_in_date)::text as d from public.occupancies where unit_id = $1 and relation = 'owner'`,
        [w.units.u1.id],
      )
    ).rows[0].d;
    const engine = computeCharge({
      rule: feeRuleSchema.parse(PROPERTY_RULE),
      cycle: 'monthly',
      month: '2026-10-01',
      billVacant: true,
      floorArea: 89.5,
      stay: { from: moveIn, to: null },
    });
    expect(Number(rows[0].amount_fen)).toBe(engine?.amountFen);
    expect(rows[0].detail.billableDays).toBe(
      engine && 'billableDays' in engine.detail ? engine.detail.billableDays : -1,
    );
  });

  it('computes late fees in SQL exactly as lateFeeFen does', async () => {
    const rule = { lateFee: { dailyRateBp: 5, graceDays: 3, capBp: 2_000 } };
    const cases = [
      [10_000, '2026-01-15', '2026-01-15'],
      [10_000, '2026-01-15', '2026-01-19'],
      [3_333, '2026-01-15', '2026-02-20'],
      [22_375, '2025-01-15', '2026-11-22'],
      [99, '2026-01-15', '2026-03-01'],
    ] as const;
    for (const [principal, due, asOf] of cases) {
      const { rows } = await pool.query<{ fee: string }>(
        'select billing.late_fee_fen($1, $2, $3, $4) as fee',
        [principal, due, asOf, JSON.stringify(rule)],
      );
      expect(Number(rows[0].fee), `${principal} due ${due} paid ${asOf}`).toBe(
        lateFeeFen(principal, due, asOf, rule.lateFee),
      );
    }
  });
});

describe('bill runs', () => {
  it('previews without writing, then publishes idempotently', async () => {
    const preview = await as<Awaited<ReturnType<typeof previewBillRun>>>('finance_a', (tx) =>
      previewBillRun(tx, w.communities.c1, '2026-11-01'),
    );
    expect(preview.bills).toBe(5);
    expect(preview.newBills).toBe(5);
    expect(Number((await pool.query('select count(*) from public.bills')).rows[0].count)).toBe(0);

    const first = await as<Awaited<ReturnType<typeof publishBillRun>>>('finance_a', (tx) =>
      publishBillRun(tx, w.communities.c1, '2026-11-01'),
    );
    expect(first.createdBills).toBe(5);
    expect(first.createdFen).toBe(3 * 22_375 + 26_000 + 6_250);
    expect(first.notified).toBeGreaterThan(0);
    const again = await as<Awaited<ReturnType<typeof publishBillRun>>>('finance_a', (tx) =>
      publishBillRun(tx, w.communities.c1, '2026-11-01'),
    );
    expect(again.createdBills).toBe(0);
    // Concurrent publishes create nothing twice either.
    const both = await Promise.all([
      publishAsService(pool, w.communities.c1, '2026-10-01'),
      publishAsService(pool, w.communities.c1, '2026-10-01'),
    ]);
    // October: U1 moved in mid-month (prorated), U2 and U3 in full, U1's water up to 31 October.
    expect(both.map((r) => r.created_bills).sort()).toEqual([0, 4]);
    const run = await pool.query(
      'select bill_count, total_fen::int from public.bill_runs where period_start = $1',
      ['2026-11-01'],
    );
    expect(run.rows[0]).toEqual({ bill_count: 5, total_fen: first.createdFen });
    const charge = await pool.query(
      `select b.quantity::float, b.unit_price_e4::int, b.charge_fen::int, b.period_start::text, b.period_end::text, b.detail
       from public.bills b where b.unit_id = $1 and b.fee_item_id = $2 and b.period_start = '2026-11-01'`,
      [w.units.u3.id, w.items.property],
    );
    expect(charge.rows).toEqual([
      {
        quantity: 89.5,
        unit_price_e4: 25_000,
        charge_fen: 22_375,
        period_start: '2026-11-01',
        period_end: '2026-11-30',
        detail: { months: 1, billableDays: 30, periodDays: 30 },
      },
    ]);
    const notes = await pool.query(
      `select title, body from public.notifications where user_id = $1 and event_key like 'billing.published:%' order by created_at`,
      [w.users.owner_u1.id],
    );
    expect(notes.rows[0].title).toBe('2026年11月账单已出');
  });

  it('keeps fee items and rule versions that priced bills', async () => {
    await expect(
      as('finance_a', (tx) => tx.query('delete from public.fee_items where id = $1', [w.items.property])),
    ).rejects.toMatchObject({ message: 'billing.billed' });
    await expect(
      as('finance_a', (tx) =>
        tx.query('delete from public.fee_rule_versions where fee_item_id = $1', [w.items.water]),
      ),
    ).rejects.toMatchObject({ message: 'billing.billed' });
  });

  it('refuses staff without bill.manage and residents', async () => {
    await expect(
      as('front_desk_c1', (tx) => publishBillRun(tx, w.communities.c1, '2026-12-01')),
    ).rejects.toBeInstanceOf(BillingError);
    await expect(
      as('owner_u1', (tx) => publishBillRun(tx, w.communities.c1, '2026-12-01')),
    ).rejects.toMatchObject({
      code: 'billing.forbidden',
    });
    await expect(
      as('admin_b', (tx) => previewBillRun(tx, w.communities.c1, '2026-12-01')),
    ).rejects.toMatchObject({
      code: 'billing.forbidden',
    });
  });
});

describe('meter readings', () => {
  it('rejects a reading lower than the last one, with the reason', async () => {
    const err = (await as('finance_a', (tx) =>
      recordReading(tx, { meterId: w.meters.u2, readOn: '2026-12-31', reading: 60 }),
    ).catch((e: unknown) => e)) as BillingError;
    expect(err).toBeInstanceOf(BillingError);
    expect(err.code).toBe('billing.reading_decreased');
    expect(err.message).toMatch(/lower than the previous reading 62.5/);
    await as('finance_a', (tx) =>
      recordReading(tx, { meterId: w.meters.u2, readOn: '2026-12-31', reading: 70 }),
    );
    // Between two readings it must fit between them.
    await expect(
      as('finance_a', (tx) => recordReading(tx, { meterId: w.meters.u2, readOn: '2026-11-15', reading: 80 })),
    ).rejects.toMatchObject({ code: 'billing.reading_decreased' });
  });

  it('imports readings from Excel, row by row, with the reason for each rejected row', async () => {
    const template = new ExcelJS.Workbook();
    await template.xlsx.load(new Uint8Array(await readingsTemplate()).buffer);
    expect(template.worksheets[0].getRow(1).values).toEqual([
      undefined,
      '楼栋',
      '单元',
      '房号',
      '收费项目',
      '抄表日期',
      '读数',
    ]);
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('抄表');
    sheet.addRow(['楼栋', '单元', '房号', '收费项目', '抄表日期', '读数']);
    sheet.addRow(['1栋', 1, '102', '水费', '2027-01-31', 75]);
    sheet.addRow(['1栋', 1, '102', '水费', '2027-02-28', 60]);
    sheet.addRow(['1栋', 1, '103', '水费', '2027-01-31', 12]);
    sheet.addRow(['9栋', 1, '101', '水费', '2027-01-31', 1]);
    sheet.addRow(['1栋', 1, '101', '电费', '2027-01-31', 1]);
    const buffer = await book.xlsx.writeBuffer();
    const result = await as<Awaited<ReturnType<typeof importReadings>>>('finance_a', (tx) =>
      importReadings(tx, w.communities.c1, buffer as ArrayBuffer),
    );
    expect(result.ok).toBe(2);
    expect(result.rejected.map((r) => r.row)).toEqual([3, 5, 6]);
    expect(result.rejected[0].reason).toMatch(/读数低于上次读数/);
    expect(result.rejected[1].reason).toMatch(/找不到房屋/);
    expect(result.rejected[2].reason).toMatch(/找不到收费项目/);
    // U3 had no meter: the import created one.
    const meters = await pool.query('select count(*)::int as n from public.meters where unit_id = $1', [
      w.units.u3.id,
    ]);
    expect(meters.rows[0].n).toBe(1);
  });

  it('lets residents read but not write their readings', async () => {
    await expect(
      as('owner_u1', (tx) =>
        recordReading(tx, { meterId: w.meters.u1, readOn: '2026-12-31', reading: 1300 }),
      ),
    ).rejects.toMatchObject({ code: 'billing.forbidden' });
  });
});

describe('bills as residents and staff see them', () => {
  it('shows a resident only their household bills, unpaid first, with today’s late fee', async () => {
    const bills = await as<Awaited<ReturnType<typeof myBills>>>('owner_u1', (tx) => myBills(tx));
    expect(bills.length).toBe(4);
    expect(new Set(bills.map((b) => b.unitLabel))).toEqual(new Set(['1栋1单元101']));
    expect(bills.every((b) => b.status === 'unpaid' && b.canPay)).toBe(true);
    const october = bills.find((b) => b.periodStart === '2026-10-01' && b.feeItemName === '物业费');
    // Due 2026-10-15; the late fee is what the engine says for today.
    const today = (await pool.query<{ d: string }>('select billing.today()::text as d')).rows[0].d;
    expect(october?.lateFeeFen).toBe(
      lateFeeFen(october?.amountFen ?? 0, '2026-10-15', today, PROPERTY_RULE.lateFee),
    );
    // The tier breakdown is recomputed from the rule version: 10 m³ at 5 元, then 30 m³ at 7 元.
    const water = bills.find((b) => b.periodStart === '2026-11-01' && b.feeItemName === '水费');
    expect(water?.lines[0].detail).toMatchObject({
      priorUse: 170,
      tiers: [
        { from: 0, to: 180, quantity: 10, unitPriceE4: 50_000 },
        { from: 180, to: 260, quantity: 30, unitPriceE4: 70_000 },
      ],
    });
    const neighbour = await as<Awaited<ReturnType<typeof myBills>>>('neighbour_c1', (tx) => myBills(tx));
    expect(neighbour.every((b) => b.unitLabel === '1栋1单元102')).toBe(true);
    expect(await as<Awaited<ReturnType<typeof myBills>>>('resident_c3', (tx) => myBills(tx))).toEqual([]);
    const family = await as<Awaited<ReturnType<typeof myBills>>>('family_limited', (tx) => myBills(tx));
    expect(family).toEqual([]);
  });

  it('gives the resident a 12-month trend per fee type', async () => {
    const trend = await as<Awaited<ReturnType<typeof myTrend>>>('owner_u1', (tx) => myTrend(tx));
    expect(trend.months).toHaveLength(12);
    const property = trend.series.find((s) => s.kind === 'property');
    expect(property?.fen.at(-1)).toBe(22_375);
  });

  it('filters staff lists and lists arrears', async () => {
    const overdue = await as<Awaited<ReturnType<typeof listBills>>>('finance_a', (tx) =>
      listBills(tx, { communityId: w.communities.c1, status: 'overdue' }),
    );
    expect(overdue.rows.length).toBeGreaterThan(0);
    expect(overdue.rows.every((b) => b.overdue && b.status === 'unpaid')).toBe(true);
    const arrears = await as<Awaited<ReturnType<typeof listArrears>>>('finance_a', (tx) =>
      listArrears(tx, w.communities.c1),
    );
    expect(arrears.map((a) => a.unitLabel).sort()).toEqual(['1栋1单元101', '1栋1单元102', '1栋1单元103']);
    expect(
      await as<Awaited<ReturnType<typeof listBills>>>('technician_c1', (tx) =>
        listBills(tx, { communityId: w.communities.c1 }),
      ),
    ).toMatchObject({ total: 0 });
  });
});

describe('adjustments, waivers, front desk and refunds', () => {
  it('adjusts and waives with a reason, audited', async () => {
    const [bill] = (await billsOf(pool, w.units.u3.id)).filter((b) => b.period_start === '2026-11-01');
    await expect(as('finance_a', (tx) => adjustBill(tx, bill.id, -1000, ''))).rejects.toMatchObject({
      code: 'billing.reason_required',
    });
    expect(await as<number>('finance_a', (tx) => adjustBill(tx, bill.id, -1000, '电梯停运一周，减收'))).toBe(
      bill.amount_fen - 1000,
    );
    await expect(as('front_desk_c1', (tx) => waiveBill(tx, bill.id, '困难户'))).rejects.toMatchObject({
      code: 'billing.forbidden',
    });
    await as('finance_a', (tx) => waiveBill(tx, bill.id, '困难户减免'));
    const audit = await pool.query(
      `select table_name, action, new_values ->> 'reason' as reason from audit.log
       where table_name = 'bill_lines' and new_values ->> 'bill_id' = $1 order by id`,
      [bill.id],
    );
    expect(audit.rows).toEqual([
      { table_name: 'bill_lines', action: 'INSERT', reason: '电梯停运一周，减收' },
      { table_name: 'bill_lines', action: 'INSERT', reason: '困难户减免' },
    ]);
    await expect(as('finance_a', (tx) => adjustBill(tx, bill.id, 100, 'again'))).rejects.toMatchObject({
      code: 'billing.bill_not_unpaid',
    });
  });

  it('takes cash at the front desk with the late fee, issues a receipt, and refunds it', async () => {
    const u3 = (await billsOf(pool, w.units.u3.id)).filter((b) => b.status === 'unpaid');
    const paymentId = await as<string>('front_desk_c1', (tx) =>
      recordOfflinePayment(tx, { billIds: u3.map((b) => b.id), method: 'cash', payerName: '业主丙' }),
    );
    const receipt = await as<Awaited<ReturnType<typeof getReceipt>>>('front_desk_c1', (tx) =>
      getReceipt(tx, paymentId),
    );
    expect(receipt.receiptNo).toMatch(/^R\d{4}\d{8}$/);
    expect(receipt.items.length).toBe(u3.length);
    expect(receipt.amountFen).toBe(receipt.items.reduce((n, i) => n + i.amountFen + i.lateFeeFen, 0));
    expect(receipt.items.some((i) => i.lateFeeFen > 0)).toBe(true);
    await expect(
      as('front_desk_c1', (tx) =>
        recordOfflinePayment(tx, { billIds: u3.map((b) => b.id), method: 'cash', payerName: 'x' }),
      ),
    ).rejects.toMatchObject({ code: 'billing.bill_not_unpaid' });

    // The e-receipt PDF embeds a Noto Sans SC subset: its text is extractable.
    const pdf = await renderReceiptPdf(receipt);
    const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await getDocument({ data: pdf, isEvalSupported: false }).promise;
    const text = (await (await doc.getPage(1)).getTextContent()).items
      .map((i) => ('str' in i ? i.str : ''))
      .join('');
    for (const part of [
      '电子缴费凭证',
      receipt.receiptNo,
      '业主丙',
      '现金',
      '财务专用章',
      receipt.communityName,
    ]) {
      expect(text).toContain(part);
    }
    await expect(as('front_desk_c1', (tx) => requestRefund(tx, paymentId, '多收'))).rejects.toMatchObject({
      code: 'billing.forbidden',
    });
    const refund = await as<Awaited<ReturnType<typeof requestRefund>>>('finance_a', (tx) =>
      requestRefund(tx, paymentId, '多收'),
    );
    expect(refund).toMatchObject({ status: 'succeeded', provider: 'offline' });
    const after = await billsOf(pool, w.units.u3.id);
    expect(after.filter((b) => u3.some((x) => x.id === b.id)).every((b) => b.status === 'refunded')).toBe(
      true,
    );
  });

  it('reports the collection rate by fee type, building and month', async () => {
    const report = await as<Awaited<ReturnType<typeof collectionReport>>>('finance_a', (tx) =>
      collectionReport(tx, w.communities.c1, 2026),
    );
    expect(report.byMonth.map((m) => m.key)).toEqual(['2026-10', '2026-11']);
    expect(report.totals.bills).toBeGreaterThan(0);
    expect(report.byKind.map((k) => k.key).sort()).toEqual(['property', 'water']);
  });
});

describe('checkout locks', () => {
  it('lets exactly one of two concurrent checkouts lock a bill', async () => {
    await pool.query(
      `update public.occupancies set household_grants = '{members.read,bills.read,bills.pay}' where id = $1`,
      [w.occupancies.family_full],
    );
    const [bill] = (await billsOf(pool, w.units.u1.id)).filter((b) => b.status === 'unpaid');
    const begin = (persona: 'owner_u1' | 'family_full') =>
      db.withUser(w.users[persona].claims, (tx) =>
        tx.query(`select * from billing.begin_payment($1::uuid[], 'stripe', '{card}')`, [[bill.id]]),
      );
    const results = await Promise.allSettled([begin('owner_u1'), begin('family_full')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason.message).toBe('billing.bill_locked');
    // While locked, staff can neither adjust nor take cash for it.
    await expect(as('finance_a', (tx) => adjustBill(tx, bill.id, 100, 'x'))).rejects.toMatchObject({
      code: 'billing.bill_locked',
    });
    await expect(
      as('front_desk_c1', (tx) =>
        recordOfflinePayment(tx, { billIds: [bill.id], method: 'cash', payerName: 'x' }),
      ),
    ).rejects.toMatchObject({ code: 'billing.bill_locked' });
    // A neighbour may not pay someone else's bill.
    await expect(
      db.withUser(w.users.neighbour_c1.claims, (tx) =>
        tx.query(`select * from billing.begin_payment($1::uuid[], 'stripe', '{card}')`, [[bill.id]]),
      ),
    ).rejects.toMatchObject({ message: 'billing.forbidden' });
  });
});
