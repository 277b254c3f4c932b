import type { Tx } from '~/lib/db.server';
import {
  BILL_PAGE_SIZE,
  type BillFilter,
  type BillStatus,
  billFilterSchema,
  type FeeItemInput,
  type FeeKind,
  feeItemInputSchema,
  type PaymentMethod,
  type PaymentStatus,
  type ReadingInput,
  type RefundItem,
  type RuleVersionInput,
  readingInputSchema,
  refundItemsSchema,
  ruleVersionInputSchema,
} from './billing.schema';
import { BillingError, mapDbErrors } from './errors';
import { tieredPrice } from './rules/engine';
import { type FeeRule, feeRuleSchema } from './rules/rule.schema';

/**
 * The billing domain. Every function takes the caller's transaction: `withUser` for people
 * (RLS and the billing.* functions' own permission checks apply), `withServiceRoleDangerously`
 * for jobs. Results are plain DTOs; money is integer fen.
 */

// ---------------------------------------------------------------------------------------
// Fee items and rules
// ---------------------------------------------------------------------------------------

export type FeeItemDto = {
  id: string;
  name: string;
  kind: FeeKind;
  billingCycle: 'monthly' | 'quarterly' | 'yearly';
  appliesTo: string[];
  billVacant: boolean;
  dueDays: number;
  active: boolean;
  /** 0: no prepayment; otherwise the most months one may prepay. */
  prepayMaxMonths: number;
  rules: { id: string; effectiveFrom: string; rule: FeeRule; note: string | null }[];
};

export async function listFeeItems(tx: Tx, communityId: string): Promise<FeeItemDto[]> {
  const { rows } = await tx.query<{
    id: string;
    name: string;
    kind: FeeKind;
    billing_cycle: FeeItemDto['billingCycle'];
    applies_to: string[];
    bill_vacant: boolean;
    due_days: number;
    active: boolean;
    prepay_max_months: number;
    rules: FeeItemDto['rules'] | null;
  }>(
    `select fi.id, fi.name, fi.kind, fi.billing_cycle, fi.applies_to::text[] as applies_to, fi.bill_vacant, fi.due_days, fi.active,
       fi.prepay_max_months,
       (select jsonb_agg(jsonb_build_object('id', v.id, 'effectiveFrom', v.effective_from, 'rule', v.rule, 'note', v.note)
                         order by v.effective_from desc)
        from public.fee_rule_versions v where v.fee_item_id = fi.id) as rules
     from public.fee_items fi
     where fi.community_id = $1
     order by fi.sort_order, fi.name`,
    [communityId],
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    billingCycle: r.billing_cycle,
    appliesTo: r.applies_to,
    billVacant: r.bill_vacant,
    dueDays: r.due_days,
    active: r.active,
    prepayMaxMonths: r.prepay_max_months,
    rules: r.rules ?? [],
  }));
}

/** Allows prepaying a fee item up to `months` months (0 closes it); bill.manage through RLS. */
export async function setPrepayMaxMonths(tx: Tx, feeItemId: string, months: number): Promise<void> {
  if (!Number.isInteger(months) || months < 0 || months > 24)
    throw new BillingError('billing.prepay_months_invalid');
  await mapDbErrors(async () => {
    const { rowCount } = await tx.query('update public.fee_items set prepay_max_months = $2 where id = $1', [
      feeItemId,
      months,
    ]);
    if (!rowCount) throw new BillingError('billing.forbidden');
  });
}

export async function createFeeItem(tx: Tx, input: FeeItemInput): Promise<string> {
  const v = feeItemInputSchema.parse(input);
  return mapDbErrors(async () => {
    const { rows } = await tx.query<{ id: string }>(
      `insert into public.fee_items (company_id, community_id, name, kind, billing_cycle, applies_to, bill_vacant, due_days)
       select c.company_id, c.id, $2, $3, $4, $5::public.unit_use[], $6, $7 from public.communities c where c.id = $1
       returning id`,
      [v.communityId, v.name, v.kind, v.billingCycle, v.appliesTo, v.billVacant, v.dueDays],
    );
    if (!rows[0]) throw new BillingError('billing.forbidden');
    return rows[0].id;
  });
}

export async function addRuleVersion(tx: Tx, input: RuleVersionInput): Promise<string> {
  const v = ruleVersionInputSchema.parse(input);
  return mapDbErrors(async () => {
    const { rows } = await tx.query<{ id: string }>(
      `insert into public.fee_rule_versions (company_id, community_id, fee_item_id, effective_from, rule, note)
       select fi.company_id, fi.community_id, fi.id, $2, $3, $4 from public.fee_items fi where fi.id = $1
       returning id`,
      [v.feeItemId, v.effectiveFrom, JSON.stringify(v.rule), v.note ?? null],
    );
    if (!rows[0]) throw new BillingError('billing.forbidden');
    return rows[0].id;
  });
}

// ---------------------------------------------------------------------------------------
// Meters and readings
// ---------------------------------------------------------------------------------------

export type MeterDto = {
  id: string;
  unitId: string;
  unitLabel: string;
  feeItemId: string;
  feeItemName: string;
  serial: string | null;
  lastReadOn: string | null;
  lastReading: number | null;
};

export async function listMeters(tx: Tx, communityId: string): Promise<MeterDto[]> {
  const { rows } = await tx.query<MeterDto>(
    `select m.id, m.unit_id as "unitId", b.name || coalesce(u.entrance || '单元', '') || u.number as "unitLabel", m.fee_item_id as "feeItemId",
       fi.name as "feeItemName", m.serial, r.read_on as "lastReadOn", r.reading as "lastReading"
     from public.meters m
     join public.units u on u.id = m.unit_id
     join public.buildings b on b.id = u.building_id
     join public.fee_items fi on fi.id = m.fee_item_id
     left join lateral (
       select x.read_on, x.reading from public.meter_readings x where x.meter_id = m.id order by x.read_on desc limit 1
     ) r on true
     where m.community_id = $1 and m.active
     order by b.sort_order, b.name, u.entrance, u.number, fi.sort_order`,
    [communityId],
  );
  return rows;
}

export async function ensureMeter(
  tx: Tx,
  unitId: string,
  feeItemId: string,
  serial?: string,
): Promise<string> {
  return mapDbErrors(async () => {
    const found = await tx.query<{ id: string }>(
      'select id from public.meters where unit_id = $1 and fee_item_id = $2 and active',
      [unitId, feeItemId],
    );
    if (found.rows[0]) return found.rows[0].id;
    const { rows } = await tx.query<{ id: string }>(
      `insert into public.meters (company_id, community_id, unit_id, fee_item_id, serial)
       select u.company_id, u.community_id, u.id, $2, $3 from public.units u where u.id = $1 returning id`,
      [unitId, feeItemId, serial ?? null],
    );
    if (!rows[0]) throw new BillingError('billing.forbidden');
    return rows[0].id;
  });
}

/** Records a reading; one lower than the last (or higher than a later one) is refused with billing.reading_decreased. */
export async function recordReading(tx: Tx, input: ReadingInput): Promise<string> {
  const v = readingInputSchema.parse(input);
  return mapDbErrors(async () => {
    const { rows } = await tx.query<{ id: string }>(
      `insert into public.meter_readings (meter_id, read_on, reading, source) values ($1, $2, $3, $4)
       on conflict (meter_id, read_on) do update set reading = excluded.reading
       returning id`,
      [v.meterId, v.readOn, v.reading, v.source],
    );
    return rows[0].id;
  });
}

// ---------------------------------------------------------------------------------------
// Bill runs
// ---------------------------------------------------------------------------------------

export type RunPreview = {
  month: string;
  items: { feeItemId: string; name: string; bills: number; totalFen: number; alreadyBilled: number }[];
  sample: ChargeRow[];
  bills: number;
  newBills: number;
  totalFen: number;
  published: { at: string; billCount: number; totalFen: number } | null;
};

export type ChargeRow = {
  unitLabel: string;
  feeItemName: string;
  periodStart: string;
  periodEnd: string;
  quantity: number;
  unitPriceE4: number | null;
  amountFen: number;
};

/** What publishing the run for `month` (its 1st) would bill, per fee item, and a sample of lines. */
export async function previewBillRun(tx: Tx, communityId: string, month: string): Promise<RunPreview> {
  return mapDbErrors(async () => {
    await tx.query(
      `create temporary table if not exists billing_preview on commit drop as
       select * from billing.compute_charges($1, $2::date) with no data`,
      [communityId, month],
    );
    await tx.query('truncate billing_preview');
    await tx.query('insert into billing_preview select * from billing.compute_charges($1, $2::date)', [
      communityId,
      month,
    ]);
    const items = await tx.query<RunPreview['items'][number]>(
      `select c.fee_item_id as "feeItemId", c.fee_item_name as name, count(*)::int as bills,
         sum(c.amount_fen)::bigint as "totalFen",
         count(b.id)::int as "alreadyBilled"
       from billing_preview c
       left join public.bills b on b.unit_id = c.unit_id and b.fee_item_id = c.fee_item_id and b.period_start = c.period_start
       group by c.fee_item_id, c.fee_item_name order by c.fee_item_name`,
    );
    const sample = await tx.query<ChargeRow>(
      `select bd.name || coalesce(u.entrance || '单元', '') || u.number as "unitLabel", c.fee_item_name as "feeItemName", c.period_start as "periodStart",
         c.period_end as "periodEnd", c.quantity, c.unit_price_e4 as "unitPriceE4", c.amount_fen as "amountFen"
       from billing_preview c join public.units u on u.id = c.unit_id join public.buildings bd on bd.id = c.building_id
       order by bd.sort_order, bd.name, u.entrance, u.number, c.fee_item_name limit 20`,
    );
    const run = await tx.query<{ at: string; billCount: number; totalFen: number }>(
      `select published_at as at, bill_count as "billCount", total_fen as "totalFen" from public.bill_runs
       where community_id = $1 and period_start = $2`,
      [communityId, month],
    );
    const bills = items.rows.reduce((n, i) => n + i.bills, 0);
    const already = items.rows.reduce((n, i) => n + i.alreadyBilled, 0);
    return {
      month,
      items: items.rows,
      sample: sample.rows,
      bills,
      newBills: bills - already,
      totalFen: items.rows.reduce((n, i) => n + i.totalFen, 0),
      published: run.rows[0] ?? null,
    };
  });
}

export async function publishBillRun(
  tx: Tx,
  communityId: string,
  month: string,
): Promise<{ runId: string; createdBills: number; createdFen: number; notified: number }> {
  return mapDbErrors(async () => {
    const { rows } = await tx.query<{
      bill_run_id: string;
      created_bills: number;
      created_fen: number;
      notified: number;
    }>('select * from billing.publish_bill_run($1, $2::date)', [communityId, month]);
    const r = rows[0];
    return {
      runId: r.bill_run_id,
      createdBills: r.created_bills,
      createdFen: r.created_fen,
      notified: r.notified,
    };
  });
}

// ---------------------------------------------------------------------------------------
// Bills (staff)
// ---------------------------------------------------------------------------------------

export type BillRow = {
  id: string;
  unitId: string;
  unitLabel: string;
  buildingName: string;
  feeItemName: string;
  feeKind: FeeKind;
  periodStart: string;
  periodEnd: string;
  dueDate: string;
  amountFen: number;
  lateFeeFen: number;
  status: BillStatus;
  overdue: boolean;
  paidAt: string | null;
  paymentId: string | null;
  locked: boolean;
};

const BILL_COLUMNS = `
  b.id, b.unit_id as "unitId", bd.name || coalesce(u.entrance || '单元', '') || u.number as "unitLabel", bd.name as "buildingName",
  fi.name as "feeItemName", fi.kind as "feeKind", b.period_start as "periodStart", b.period_end as "periodEnd",
  b.due_date as "dueDate", b.amount_fen as "amountFen", a.late_fee_fen as "lateFeeFen", b.status,
  (b.status = 'unpaid' and b.due_date < billing.today()) as overdue, b.paid_at as "paidAt", b.payment_id as "paymentId",
  exists (select 1 from public.payment_intent_bills ib where ib.bill_id = b.id and ib.active) as locked`;

const BILL_JOINS = `
  join public.units u on u.id = b.unit_id
  join public.buildings bd on bd.id = b.building_id
  join public.fee_items fi on fi.id = b.fee_item_id
  cross join lateral (
    select case when b.status = 'unpaid'
      then (select x.late_fee_fen from billing.bill_amounts(array[b.id]) x)
      else b.late_fee_fen end as late_fee_fen
  ) a`;

export async function listBills(
  tx: Tx,
  filter: BillFilter,
): Promise<{ rows: BillRow[]; total: number; totalFen: number }> {
  const f = billFilterSchema.parse(filter);
  const where = ['b.community_id = $1'];
  const values: unknown[] = [f.communityId];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replaceAll('?', `$${values.length}`));
  };
  if (f.status === 'overdue') where.push(`b.status = 'unpaid' and b.due_date < billing.today()`);
  else if (f.status !== 'all') add('b.status = ?::public.bill_status', f.status);
  if (f.feeItemId) add('b.fee_item_id = ?', f.feeItemId);
  if (f.buildingId) add('b.building_id = ?', f.buildingId);
  if (f.period) add('b.period_start = ?::date', f.period);
  if (f.q)
    add(
      `(u.number ilike ? or bd.name || coalesce(u.entrance || '单元', '') || u.number ilike ?)`,
      `%${f.q}%`,
    );
  const whereSql = where.join(' and ');
  const total = await tx.query<{ n: number; fen: number }>(
    `select count(*)::int as n, coalesce(sum(b.amount_fen), 0)::bigint as fen
     from public.bills b join public.units u on u.id = b.unit_id join public.buildings bd on bd.id = b.building_id
     where ${whereSql}`,
    values,
  );
  const { rows } = await tx.query<BillRow>(
    `select ${BILL_COLUMNS} from public.bills b ${BILL_JOINS}
     where ${whereSql}
     order by (b.status = 'unpaid') desc, b.due_date, bd.sort_order, bd.name, u.entrance, u.number, fi.sort_order
     limit ${BILL_PAGE_SIZE} offset ${(f.page - 1) * BILL_PAGE_SIZE}`,
    values,
  );
  return { rows, total: total.rows[0].n, totalFen: total.rows[0].fen };
}

export type BillLineDto = {
  id: string;
  kind: 'charge' | 'adjustment' | 'waiver' | 'late_fee' | 'discount';
  description: string;
  periodStart: string | null;
  periodEnd: string | null;
  quantity: number | null;
  unitPriceE4: number | null;
  amountFen: number;
  detail: Record<string, unknown>;
  reason: string | null;
  createdAt: string;
};

export type BillDetail = BillRow & { lines: BillLineDto[]; communityId: string };

/**
 * A metered line stores its use and the use before it in the tier basis (detail.priorUse); the
 * per-tier breakdown shown to people is recomputed from the rule version by the engine, so it is
 * always the one the amount came from. The rule itself is not passed on.
 */
export function withTierBreakdown<
  L extends { detail: Record<string, unknown>; quantity: number | null; rule?: unknown },
>(line: L): Omit<L, 'rule'> {
  const { rule, ...rest } = line;
  const parsed = feeRuleSchema.safeParse(rule);
  if (
    !parsed.success ||
    parsed.data.method !== 'metered' ||
    line.quantity === null ||
    typeof line.detail.priorUse !== 'number'
  ) {
    return rest;
  }
  const { tiers } = tieredPrice(parsed.data.tiers, line.detail.priorUse, line.quantity);
  return { ...rest, detail: { ...line.detail, tiers } };
}

export async function getBill(tx: Tx, billId: string): Promise<BillDetail> {
  const { rows } = await tx.query<
    BillRow & { communityId: string; companyId: string; charge: BillLineDto & { rule: unknown } }
  >(
    `select ${BILL_COLUMNS}, b.community_id as "communityId", b.company_id as "companyId",
       jsonb_build_object('id', b.id, 'kind', 'charge', 'description', fi.name, 'periodStart', b.period_start,
         'periodEnd', b.period_end, 'quantity', b.quantity, 'unitPriceE4', b.unit_price_e4, 'amountFen', b.charge_fen,
         'detail', b.detail, 'reason', null, 'createdAt', b.created_at,
         'rule', (select v.rule from public.fee_rule_versions v where v.id = b.rule_version_id)) as charge
     from public.bills b ${BILL_JOINS} where b.id = $1`,
    [billId],
  );
  if (!rows[0]) throw new BillingError('billing.not_found');
  const { charge, ...bill } = rows[0];
  const lines = await tx.query<BillLineDto>(
    `select id, kind, description, period_start as "periodStart", period_end as "periodEnd", quantity,
       unit_price_e4 as "unitPriceE4", amount_fen as "amountFen", detail, reason, created_at as "createdAt"
     from public.bill_lines l where l.company_id = $2 and l.bill_id = $1 order by created_at, kind`,
    [billId, bill.companyId],
  );
  return { ...bill, lines: [withTierBreakdown(charge), ...lines.rows] };
}

export async function adjustBill(tx: Tx, billId: string, deltaFen: number, reason: string): Promise<number> {
  return mapDbErrors(async () => {
    const { rows } = await tx.query<{ amount: number }>('select billing.adjust_bill($1, $2, $3) as amount', [
      billId,
      deltaFen,
      reason,
    ]);
    return rows[0].amount;
  });
}

export async function waiveBill(tx: Tx, billId: string, reason: string): Promise<void> {
  await mapDbErrors(() => tx.query('select billing.waive_bill($1, $2)', [billId, reason]));
}

export type ArrearsRow = {
  unitId: string;
  unitLabel: string;
  residents: string | null;
  bills: number;
  amountFen: number;
  lateFeeFen: number;
  oldestDueDate: string;
  daysOverdue: number;
  billIds: string[];
};

/** 欠费: overdue unpaid bills per unit, the longest overdue first. */
export async function listArrears(tx: Tx, communityId: string): Promise<ArrearsRow[]> {
  const { rows } = await tx.query<ArrearsRow>(
    `select b.unit_id as "unitId", bd.name || coalesce(u.entrance || '单元', '') || u.number as "unitLabel",
       (select string_agg(distinct o.name, '、') from public.occupancies o
        where o.unit_id = b.unit_id and o.relation in ('owner', 'tenant') and o.deleted_at is null
          and (o.move_out_date is null or o.move_out_date >= billing.today())) as residents,
       count(*)::int as bills, sum(b.amount_fen)::bigint as "amountFen",
       sum(a.late_fee_fen)::bigint as "lateFeeFen",
       min(b.due_date) as "oldestDueDate", (billing.today() - min(b.due_date))::int as "daysOverdue",
       array_agg(b.id order by b.due_date) as "billIds"
     from public.bills b
     join public.units u on u.id = b.unit_id
     join public.buildings bd on bd.id = b.building_id
     cross join lateral (select x.late_fee_fen from billing.bill_amounts(array[b.id]) x) a
     where b.community_id = $1 and b.status = 'unpaid' and b.due_date < billing.today()
     group by b.unit_id, bd.sort_order, bd.name, u.entrance, u.number
     order by min(b.due_date), bd.sort_order, bd.name, u.entrance, u.number`,
    [communityId],
  );
  return rows;
}

export async function sendDunning(tx: Tx, billIds: string[]): Promise<number> {
  return mapDbErrors(async () => {
    const { rows } = await tx.query<{ n: number }>('select billing.send_dunning($1::uuid[]) as n', [billIds]);
    return rows[0].n;
  });
}

// ---------------------------------------------------------------------------------------
// Front desk and refunds
// ---------------------------------------------------------------------------------------

export async function recordOfflinePayment(
  tx: Tx,
  input: { billIds: string[]; method: 'cash' | 'transfer'; payerName: string; note?: string },
): Promise<string> {
  return mapDbErrors(async () => {
    const { rows } = await tx.query<{ id: string }>(
      'select billing.record_offline_payment($1::uuid[], $2::public.payment_method, $3, $4) as id',
      [input.billIds, input.method, input.payerName, input.note ?? null],
    );
    return rows[0].id;
  });
}

export type RefundRequest = {
  refundId: string;
  status: 'pending' | 'succeeded' | 'failed';
  provider: 'stripe' | 'sandbox' | 'offline';
  amountFen: number;
  /** 退款凭证号, once the refund succeeded. */
  voucherNo: string | null;
};

/**
 * Refunds a payment with a reason (payment.refund): `items` returns those amounts per bill
 * (late fee included), none the whole rest. `refundId` (a key made when the form was shown)
 * makes a resubmitted form return the same refund instead of a second one. The database
 * refuses anything beyond what is left of a bill or of the payment.
 */
export async function requestRefund(
  tx: Tx,
  paymentId: string,
  reason: string,
  options: { items?: RefundItem[]; refundId?: string } = {},
): Promise<RefundRequest> {
  const items = options.items === undefined ? null : refundItemsSchema.parse(options.items);
  return mapDbErrors(async () => {
    const { rows } = await tx.query<{
      refund_id: string;
      status: RefundRequest['status'];
      provider: RefundRequest['provider'];
      amount_fen: number;
      voucher_no: string | null;
    }>('select * from billing.request_refund($1, $2, $3::jsonb, $4)', [
      paymentId,
      reason,
      items === null ? null : JSON.stringify(items),
      options.refundId ?? null,
    ]);
    const r = rows[0];
    return {
      refundId: r.refund_id,
      status: r.status,
      provider: r.provider,
      amountFen: r.amount_fen,
      voucherNo: r.voucher_no,
    };
  });
}

export type RefundablePayment = {
  id: string;
  receiptNo: string;
  payerName: string;
  method: PaymentMethod;
  provider: 'stripe' | 'sandbox' | 'offline';
  status: PaymentStatus;
  amountFen: number;
  /** Refunds pending or succeeded. */
  refundFen: number;
  bills: {
    billId: string;
    unitLabel: string;
    feeItemName: string;
    periodStart: string;
    periodEnd: string;
    paidFen: number;
    refundFen: number;
    refundableFen: number;
  }[];
  refunds: {
    id: string;
    amountFen: number;
    status: 'pending' | 'succeeded' | 'failed';
    reason: string;
    voucherNo: string | null;
    createdAt: string;
  }[];
};

/** A payment as the refund dialog shows it: what each bill paid and what is left to refund. */
export async function paymentForRefund(tx: Tx, paymentId: string): Promise<RefundablePayment> {
  const { rows } = await tx.query<Omit<RefundablePayment, 'bills' | 'refunds'> & { companyId: string }>(
    `select p.id, p.receipt_no as "receiptNo", p.payer_name as "payerName", p.method, p.provider, p.status,
       p.amount_fen as "amountFen", p.refund_fen as "refundFen", p.company_id as "companyId"
     from public.payments p where p.id = $1`,
    [paymentId],
  );
  if (!rows[0]) throw new BillingError('billing.not_found');
  const { companyId, ...payment } = rows[0];
  const bills = await tx.query<RefundablePayment['bills'][number]>(
    `select pb.bill_id as "billId", bd.name || coalesce(u.entrance || '单元', '') || u.number as "unitLabel",
       fi.name as "feeItemName", b.period_start as "periodStart", b.period_end as "periodEnd",
       pb.amount_fen + pb.late_fee_fen as "paidFen", pb.refund_fen as "refundFen",
       pb.amount_fen + pb.late_fee_fen - pb.refund_fen as "refundableFen"
     from public.payment_bills pb
     join public.bills b on b.id = pb.bill_id
     join public.units u on u.id = b.unit_id
     join public.buildings bd on bd.id = b.building_id
     join public.fee_items fi on fi.id = b.fee_item_id
     where pb.payment_id = $1
     order by b.period_start, fi.sort_order, fi.name`,
    [paymentId],
  );
  const refunds = await tx.query<RefundablePayment['refunds'][number]>(
    `select r.id, r.amount_fen as "amountFen", r.status, r.reason, r.voucher_no as "voucherNo", r.created_at as "createdAt"
     from public.refunds r where r.company_id = $2 and r.payment_id = $1 order by r.created_at`,
    [paymentId, companyId],
  );
  return { ...payment, bills: bills.rows, refunds: refunds.rows };
}

export type PaymentRow = {
  id: string;
  receiptNo: string;
  payerName: string;
  method: PaymentMethod;
  provider: 'stripe' | 'sandbox' | 'offline';
  status: PaymentStatus;
  amountFen: number;
  paidAt: string;
  units: string | null;
  items: string | null;
  refundStatus: 'pending' | 'succeeded' | 'failed' | null;
  /** Refunds pending or succeeded against the payment; what is left may still be refunded. */
  refundFen: number;
  /** Refunds that succeeded. */
  refundedFen: number;
};

const PAYMENT_COLUMNS = `
  p.id, p.receipt_no as "receiptNo", p.payer_name as "payerName", p.method, p.provider, p.status,
  p.amount_fen as "amountFen", p.paid_at as "paidAt",
  (select string_agg(distinct bd.name || coalesce(u.entrance || '单元', '') || u.number, '、') from public.payment_bills pb
     join public.bills b on b.id = pb.bill_id join public.units u on u.id = b.unit_id
     join public.buildings bd on bd.id = b.building_id where pb.payment_id = p.id) as units,
  (select string_agg(fi.name || ' ' || to_char(b.period_start, 'YYYY-MM'), '、' order by b.period_start, fi.sort_order)
     from public.payment_bills pb join public.bills b on b.id = pb.bill_id join public.fee_items fi on fi.id = b.fee_item_id
     where pb.payment_id = p.id) as items,
  (select r.status from public.refunds r where r.payment_id = p.id order by r.created_at desc limit 1) as "refundStatus",
  p.refund_fen as "refundFen",
  (select coalesce(sum(r.amount_fen), 0) from public.refunds r where r.payment_id = p.id and r.status = 'succeeded')::bigint as "refundedFen"`;

export async function listPayments(
  tx: Tx,
  filter: { communityId?: string; mine?: boolean; from?: string; to?: string; method?: PaymentMethod },
): Promise<PaymentRow[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replaceAll('?', `$${values.length}`));
  };
  if (filter.communityId) add('p.community_id = ?', filter.communityId);
  if (filter.mine) where.push('p.payer_user_id = (select auth.uid())');
  if (filter.from) add(`p.paid_at >= (?::date)::timestamp at time zone 'Asia/Shanghai'`, filter.from);
  if (filter.to) add(`p.paid_at < ((?::date + 1)::timestamp at time zone 'Asia/Shanghai')`, filter.to);
  if (filter.method) add('p.method = ?::public.payment_method', filter.method);
  const { rows } = await tx.query<PaymentRow>(
    `select ${PAYMENT_COLUMNS} from public.payments p
     ${where.length ? `where ${where.join(' and ')}` : ''}
     order by p.paid_at desc limit 200`,
    values,
  );
  return rows;
}

// ---------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------

export type CollectionRow = {
  key: string;
  label: string;
  dueFen: number;
  /** Collected, net of refunds. */
  paidFen: number;
  /** Refunded (of the bills' principal). */
  refundedFen: number;
  bills: number;
  paidBills: number;
};
export type CollectionReport = {
  year: number;
  totals: CollectionRow;
  byKind: CollectionRow[];
  byBuilding: CollectionRow[];
  byMonth: CollectionRow[];
};

/**
 * Collection rate (收缴率) of the bills of a year's periods, by fee type, building and month.
 * Due = every bill that is owed (not waived, not a prepayment still in its checkout).
 * Collected = what paid the bills' principal, net of refunds: a refund of a bill counts
 * against its principal first (late fees are not part of what is due). Paid bills = bills
 * paid and not wholly refunded.
 */
export async function collectionReport(tx: Tx, communityId: string, year: number): Promise<CollectionReport> {
  const grouped = (key: string, label: string, join = '') =>
    tx.query<CollectionRow>(
      `with refunded as (
         select rb.bill_id, sum(rb.amount_fen) as fen
         from public.refund_bills rb join public.refunds rf on rf.id = rb.refund_id
         where rf.community_id = $1 and rf.status = 'succeeded'
         group by rb.bill_id
       ),
       b as (
         select b.*, least(coalesce(r.fen, 0), b.amount_fen) as refunded_principal
         from public.bills b left join refunded r on r.bill_id = b.id
         where b.community_id = $1 and b.period_start >= make_date($2, 1, 1) and b.period_start < make_date($2 + 1, 1, 1)
           and b.status not in ('waived', 'pending')
       )
       select ${key}::text as key, min(${label}) as label,
         coalesce(sum(b.amount_fen), 0)::bigint as "dueFen",
         coalesce(sum(b.amount_fen - b.refunded_principal)
           filter (where b.status in ('paid', 'partially_refunded', 'refunded')), 0)::bigint as "paidFen",
         coalesce(sum(b.refunded_principal), 0)::bigint as "refundedFen",
         count(*)::int as bills,
         (count(*) filter (where b.status in ('paid', 'partially_refunded')))::int as "paidBills"
       from b ${join}
       group by 1 order by 1`,
      [communityId, year],
    );
  const [byKind, byBuilding, byMonth, totals] = await Promise.all([
    grouped('fi.kind', 'fi.name', 'join public.fee_items fi on fi.id = b.fee_item_id'),
    grouped('bd.name', 'bd.name', 'join public.buildings bd on bd.id = b.building_id'),
    grouped(`to_char(b.period_start, 'YYYY-MM')`, `to_char(b.period_start, 'YYYY-MM')`),
    grouped(`'all'`, `'all'`),
  ]);
  return {
    year,
    totals: totals.rows[0] ?? {
      key: 'all',
      label: 'all',
      dueFen: 0,
      paidFen: 0,
      refundedFen: 0,
      bills: 0,
      paidBills: 0,
    },
    byKind: byKind.rows,
    byBuilding: byBuilding.rows,
    byMonth: byMonth.rows,
  };
}

// ---------------------------------------------------------------------------------------
// Communities the caller may bill
// ---------------------------------------------------------------------------------------

export type BillingCommunity = {
  id: string;
  name: string;
  companyName: string;
  canManage: boolean;
  canRecord: boolean;
  canRefund: boolean;
};

export async function billingCommunities(tx: Tx): Promise<BillingCommunity[]> {
  const { rows } = await tx.query<BillingCommunity>(
    `select c.id, c.name, co.name as "companyName",
       c.id = any (private.communities_with_permission('bill.manage')) as "canManage",
       c.id = any (private.communities_with_permission('payment.record')) as "canRecord",
       c.id = any (private.communities_with_permission('payment.refund')) as "canRefund"
     from public.communities c join public.companies co on co.id = c.company_id
     where c.id = any (private.communities_with_permission('bill.read'))
        or c.id = any (private.communities_with_permission('payment.record'))
     order by co.name, c.name`,
  );
  return rows;
}
