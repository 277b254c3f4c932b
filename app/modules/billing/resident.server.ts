import type { Tx } from '~/lib/db.server';
import type { BillStatus, FeeKind, PaymentMethod } from './billing.schema';
import type { BillLineDto, PaymentRow } from './billing.server';
import { listPayments, withTierBreakdown } from './billing.server';
import { BillingError } from './errors';

/** What a resident sees of their household's bills (RLS: units where they hold bills.read). */

export type MyBill = {
  id: string;
  unitLabel: string;
  communityName: string;
  feeItemName: string;
  feeKind: FeeKind;
  periodStart: string;
  periodEnd: string;
  dueDate: string;
  status: BillStatus;
  overdue: boolean;
  amountFen: number;
  lateFeeFen: number;
  totalFen: number;
  canPay: boolean;
  locked: boolean;
  paymentId: string | null;
  lines: Pick<
    BillLineDto,
    | 'id'
    | 'kind'
    | 'description'
    | 'quantity'
    | 'unitPriceE4'
    | 'amountFen'
    | 'periodStart'
    | 'periodEnd'
    | 'detail'
    | 'reason'
  >[];
};

/** Unpaid first (oldest due first), then the last year of settled bills. */
export async function myBills(tx: Tx): Promise<MyBill[]> {
  const { rows } = await tx.query<MyBill>(
    `select b.id, bd.name || coalesce(u.entrance || '单元', '') || u.number as "unitLabel", c.name as "communityName", fi.name as "feeItemName",
       fi.kind as "feeKind", b.period_start as "periodStart", b.period_end as "periodEnd", b.due_date as "dueDate",
       b.status, (b.status = 'unpaid' and b.due_date < billing.today()) as overdue,
       b.amount_fen as "amountFen", a.late_fee_fen as "lateFeeFen", b.amount_fen + a.late_fee_fen as "totalFen",
       (b.status = 'unpaid' and b.unit_id = any ((select private.household_unit_ids('bills.pay'))::uuid[])) as "canPay",
       exists (select 1 from public.payment_intent_bills ib where ib.bill_id = b.id and ib.active) as locked,
       b.payment_id as "paymentId",
       jsonb_build_array(jsonb_build_object(
           'id', b.id, 'kind', 'charge', 'description', fi.name, 'quantity', b.quantity, 'unitPriceE4', b.unit_price_e4,
           'amountFen', b.charge_fen, 'periodStart', b.period_start, 'periodEnd', b.period_end, 'detail', b.detail,
           'reason', null, 'rule', (select v.rule from public.fee_rule_versions v where v.id = b.rule_version_id)))
       || coalesce((select jsonb_agg(jsonb_build_object(
           'id', l.id, 'kind', l.kind, 'description', l.description, 'quantity', l.quantity, 'unitPriceE4', l.unit_price_e4,
           'amountFen', l.amount_fen, 'periodStart', l.period_start, 'periodEnd', l.period_end,
           'detail', l.detail, 'reason', l.reason) order by l.created_at)
         from public.bill_lines l where l.company_id = b.company_id and l.bill_id = b.id), '[]'::jsonb) as lines
     from public.bills b
     join public.units u on u.id = b.unit_id
     join public.buildings bd on bd.id = b.building_id
     join public.communities c on c.id = b.community_id
     join public.fee_items fi on fi.id = b.fee_item_id
     cross join lateral (
       select case when b.status = 'unpaid' then (select x.late_fee_fen from billing.bill_amounts(array[b.id]) x)
         else b.late_fee_fen end as late_fee_fen
     ) a
     -- Bills of a prepayment still in its checkout are not owed: they show once paid.
     where b.status = 'unpaid' or (b.status <> 'pending' and b.period_start >= (billing.today() - interval '12 months'))
     order by (b.status = 'unpaid') desc, b.due_date, fi.sort_order, b.period_start desc
     limit 300`,
  );
  return rows.map((bill) => ({
    ...bill,
    lines: (bill.lines as (MyBill['lines'][number] & { rule?: unknown })[]).map(withTierBreakdown),
  }));
}

export type TrendSeries = { months: string[]; series: { kind: FeeKind; label: string; fen: number[] }[] };

/** The last 12 months (by bill period) per fee type, waived bills excluded. Prepared for a chart. */
export async function myTrend(tx: Tx): Promise<TrendSeries> {
  const { rows } = await tx.query<{ month: string; kind: FeeKind; label: string; fen: number }>(
    `with months as (
       select to_char(d, 'YYYY-MM') as month
       from generate_series(date_trunc('month', billing.today()) - interval '11 months', date_trunc('month', billing.today()), interval '1 month') d
     )
     select m.month, fi.kind, min(fi.name) as label, coalesce(sum(b.amount_fen), 0)::bigint as fen
     from public.bills b
     join public.fee_items fi on fi.id = b.fee_item_id
     join months m on m.month = to_char(b.period_start, 'YYYY-MM')
     where b.status not in ('waived', 'pending')
     group by m.month, fi.kind`,
  );
  const months: string[] = [];
  const start = new Date();
  for (let i = 11; i >= 0; i--) {
    const d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - i, 1));
    months.push(d.toISOString().slice(0, 7));
  }
  const byKind = new Map<FeeKind, { kind: FeeKind; label: string; fen: number[] }>();
  for (const r of rows) {
    let s = byKind.get(r.kind);
    if (!s) {
      s = { kind: r.kind, label: r.label, fen: months.map(() => 0) };
      byKind.set(r.kind, s);
    }
    const i = months.indexOf(r.month);
    if (i >= 0) s.fen[i] += r.fen;
  }
  return { months, series: [...byKind.values()] };
}

export async function myPayments(
  tx: Tx,
  filter: { from?: string; to?: string; method?: PaymentMethod },
): Promise<PaymentRow[]> {
  return listPayments(tx, { ...filter, mine: true });
}

export type CheckoutStatus = {
  intentId: string;
  status: 'pending' | 'processing' | 'succeeded' | 'failed' | 'expired' | 'cancelled';
  amountFen: number;
  paymentId: string | null;
  receiptNo: string | null;
};

/** The state of one of the caller's checkouts (the return page polls it until the webhook lands). */
export async function checkoutStatus(tx: Tx, intentId: string): Promise<CheckoutStatus> {
  const { rows } = await tx.query<CheckoutStatus>(
    `select i.id as "intentId", i.status, i.amount_fen as "amountFen", i.payment_id as "paymentId", p.receipt_no as "receiptNo"
     from public.payment_intents i left join public.payments p on p.id = i.payment_id
     where i.id = $1 and i.user_id = (select auth.uid())`,
    [intentId],
  );
  if (!rows[0]) throw new BillingError('billing.not_found');
  return rows[0];
}
