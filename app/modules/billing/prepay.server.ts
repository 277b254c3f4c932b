import type { Tx } from '~/lib/db.server';
import {
  type FeeKind,
  type OfflinePrepayInput,
  offlinePrepaySchema,
  type PrepayInput,
  prepayInputSchema,
} from './billing.schema';
import { BillingError, mapDbErrors } from './errors';
import { prepayOfferLabel } from './rules/engine';
import type { PrepayDiscount } from './rules/rule.schema';

/**
 * Prepayment (预缴): paying N months of a fee item ahead at today's rule version with its best
 * prepay offer. Every amount comes from SQL (billing.prepay_plan); these functions only carry
 * it. Online, a prepayment is reserved (its bills pending) and then paid through the ordinary
 * checkout of exactly those bills; at the front desk it is paid in the same transaction.
 */

export type PrepayUnit = { id: string; label: string; communityName: string };

/** Units the caller may prepay for online (household grant bills.pay). */
export async function myPrepayUnits(tx: Tx): Promise<PrepayUnit[]> {
  const { rows } = await tx.query<PrepayUnit>(
    `select u.id, bd.name || coalesce(u.entrance || '单元', '') || u.number as label, c.name as "communityName"
     from public.units u
     join public.buildings bd on bd.id = u.building_id
     join public.communities c on c.id = u.community_id
     where u.id = any ((select private.household_unit_ids('bills.pay'))::uuid[]) and u.deleted_at is null
     order by c.name, bd.sort_order, bd.name, u.entrance, u.number`,
  );
  return rows;
}

/** Front desk: units of a community matching a room search (楼栋/单元/房号), at most 20. */
export async function findUnits(tx: Tx, communityId: string, q: string): Promise<PrepayUnit[]> {
  const text = q.trim();
  if (!text) return [];
  const { rows } = await tx.query<PrepayUnit>(
    `select u.id, bd.name || coalesce(u.entrance || '单元', '') || u.number as label, c.name as "communityName"
     from public.units u
     join public.buildings bd on bd.id = u.building_id
     join public.communities c on c.id = u.community_id
     where u.community_id = $1 and u.deleted_at is null
       and (u.number ilike $2 or bd.name || coalesce(u.entrance || '单元', '') || u.number ilike $2)
     order by bd.sort_order, bd.name, u.entrance, u.number
     limit 20`,
    [communityId, `%${text.slice(0, 32)}%`],
  );
  return rows;
}

export type PrepayOption = {
  feeItemId: string;
  feeItemName: string;
  feeKind: FeeKind;
  cycleMonths: number;
  maxMonths: number;
  offers: { offer: PrepayDiscount; label: string }[];
  /** The charge of one billing period (whole period, no discount). */
  chargeFen: number;
  firstPeriod: string;
  /** Already prepaid as far ahead as allowed. */
  limitReached: boolean;
  /** The month counts one may choose: multiples of the cycle up to maxMonths. */
  monthChoices: number[];
};

/** The fee items of a unit that may be prepaid, with their offers (household or staff). */
export async function prepayOptions(tx: Tx, unitId: string): Promise<PrepayOption[]> {
  return mapDbErrors(async () => {
    const { rows } = await tx.query<{
      fee_item_id: string;
      fee_item_name: string;
      fee_kind: FeeKind;
      cycle_months: number;
      max_months: number;
      offers: PrepayDiscount[];
      charge_fen: number;
      first_period: string;
      problem: string | null;
    }>('select * from billing.prepay_options($1)', [unitId]);
    return rows.map((r) => ({
      feeItemId: r.fee_item_id,
      feeItemName: r.fee_item_name,
      feeKind: r.fee_kind,
      cycleMonths: r.cycle_months,
      maxMonths: r.max_months,
      offers: r.offers.map((offer) => ({ offer, label: prepayOfferLabel(offer.minMonths, offer) })),
      chargeFen: Number(r.charge_fen),
      firstPeriod: r.first_period,
      limitReached: r.problem === 'billing.prepay_limit',
      monthChoices: Array.from(
        { length: Math.floor(r.max_months / r.cycle_months) },
        (_, i) => (i + 1) * r.cycle_months,
      ),
    }));
  });
}

export type PrepayQuote = {
  unitId: string;
  feeItemId: string;
  months: number;
  periodStart: string;
  periodEnd: string;
  grossFen: number;
  discountFen: number;
  netFen: number;
  offer: PrepayDiscount | null;
  offerLabel: string | null;
  periods: {
    periodStart: string;
    periodEnd: string;
    chargeFen: number;
    discountFen: number;
    amountFen: number;
  }[];
};

/** What prepaying `months` would cost, computed by the database (billing.prepay_quote). */
export async function prepayQuote(tx: Tx, input: PrepayInput): Promise<PrepayQuote> {
  const v = prepayInputSchema.parse(input);
  return mapDbErrors(async () => {
    const { rows } = await tx.query<{ quote: Omit<PrepayQuote, 'offerLabel'> | null }>(
      'select billing.prepay_quote($1, $2, $3) as quote',
      [v.unitId, v.feeItemId, v.months],
    );
    const quote = rows[0]?.quote;
    if (!quote) throw new BillingError('billing.not_found');
    return { ...quote, offerLabel: quote.offer ? prepayOfferLabel(quote.months, quote.offer) : null };
  });
}

export type Reservation = { prepaymentId: string; billIds: string[]; netFen: number; reused: boolean };

/** Step 1 online: the caller's prepayment with its pending bills (the same one for the same months). */
export async function reservePrepayment(tx: Tx, input: PrepayInput): Promise<Reservation> {
  const v = prepayInputSchema.parse(input);
  return mapDbErrors(async () => {
    const { rows } = await tx.query<{
      prepayment_id: string;
      bill_ids: string[];
      net_fen: number;
      reused: boolean;
    }>('select * from billing.reserve_prepayment($1, $2, $3)', [v.unitId, v.feeItemId, v.months]);
    const r = rows[0];
    return {
      prepaymentId: r.prepayment_id,
      billIds: r.bill_ids,
      netFen: Number(r.net_fen),
      reused: r.reused,
    };
  });
}

/** Withdraws the caller's pending prepayment whose checkout could not start. */
export async function cancelPrepayment(tx: Tx, prepaymentId: string): Promise<boolean> {
  return mapDbErrors(async () => {
    const { rows } = await tx.query<{ ok: boolean }>('select billing.cancel_prepayment($1) as ok', [
      prepaymentId,
    ]);
    return rows[0].ok;
  });
}

/**
 * The online prepayment: reserve, then the ordinary checkout of exactly those bills. If the
 * checkout cannot start, the reservation is withdrawn (a reused one belongs to an open
 * checkout and stays). A reused reservation whose checkout ended in the meantime is gone when
 * the checkout is asked for: reserve once more.
 */
export async function startPrepayment(
  deps: {
    run: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;
    checkout: (billIds: string[]) => Promise<{ url: string }>;
  },
  input: PrepayInput,
): Promise<{ url: string; prepaymentId: string }> {
  for (let attempt = 0; ; attempt++) {
    const reserved = await deps.run((tx) => reservePrepayment(tx, input));
    try {
      const { url } = await deps.checkout(reserved.billIds);
      return { url, prepaymentId: reserved.prepaymentId };
    } catch (err) {
      const gone =
        err instanceof BillingError &&
        (err.code === 'billing.forbidden' || err.code === 'billing.bill_not_unpaid');
      if (reserved.reused && gone && attempt === 0) continue;
      if (!reserved.reused) await deps.run((tx) => cancelPrepayment(tx, reserved.prepaymentId));
      throw err;
    }
  }
}

/** Front desk (payment.record): N months in cash or by transfer, paid at once; returns the payment. */
export async function recordOfflinePrepayment(tx: Tx, input: OfflinePrepayInput): Promise<string> {
  const v = offlinePrepaySchema.parse(input);
  return mapDbErrors(async () => {
    const { rows } = await tx.query<{ id: string }>(
      'select billing.record_offline_prepayment($1, $2, $3, $4::public.payment_method, $5, $6) as id',
      [v.unitId, v.feeItemId, v.months, v.method, v.payerName, v.note ?? null],
    );
    return rows[0].id;
  });
}

export type OpenPrepayment = {
  prepaymentId: string;
  feeItemId: string;
  feeItemName: string;
  months: number;
  netFen: number;
  checkoutUrl: string | null;
  expiresAt: string | null;
  mine: boolean;
};

/** Prepayments of a unit waiting for their checkout (shown so nobody starts a second one). */
export async function openPrepayments(tx: Tx, unitId: string): Promise<OpenPrepayment[]> {
  const { rows } = await tx.query<OpenPrepayment>(
    `select p.id as "prepaymentId", p.fee_item_id as "feeItemId", fi.name as "feeItemName", p.months, p.net_fen as "netFen",
       case when i.status = 'pending' and i.expires_at > now() then i.checkout_url end as "checkoutUrl",
       i.expires_at as "expiresAt", p.payer_user_id = (select auth.uid()) as mine
     from public.prepayments p
     join public.fee_items fi on fi.id = p.fee_item_id
     left join public.payment_intents i on i.company_id = p.company_id and i.id = p.intent_id
     where p.unit_id = $1 and p.status = 'pending'
     order by p.created_at`,
    [unitId],
  );
  return rows.map((r) => ({ ...r, netFen: Number(r.netFen) }));
}

/** One unit of a community by id (front desk), or null. */
export async function unitOf(tx: Tx, communityId: string, unitId: string): Promise<PrepayUnit | null> {
  const { rows } = await tx.query<PrepayUnit>(
    `select u.id, bd.name || coalesce(u.entrance || '单元', '') || u.number as label, c.name as "communityName"
     from public.units u
     join public.buildings bd on bd.id = u.building_id
     join public.communities c on c.id = u.community_id
     where u.community_id = $1 and u.id = $2 and u.deleted_at is null`,
    [communityId, unitId],
  );
  return rows[0] ?? null;
}
