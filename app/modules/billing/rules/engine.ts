import { addDays, addMonths, daysBetween, isMonthStart, maxDate, minDate } from './dates';
import { fromMilli, roundHalfUp, toMilli } from './money';
import type { BillingCycle, FeeRule, LateFee, PrepayDiscount, Tier } from './rule.schema';

/**
 * The billing rules, pure and exact. The SQL bill run (billing.compute_charges) implements the
 * same arithmetic set-based; billing.integration.test.ts checks they agree line by line.
 */

const CYCLE_MONTHS: Record<BillingCycle, number> = { monthly: 1, quarterly: 3, yearly: 12 };

export type Period = { start: string; end: string; months: number; days: number };

/**
 * The period a fee item bills in the run for `month` (its 1st), or null when the item is not
 * billed that month: quarterly items in January, April, July and October; yearly in January.
 */
export function billingPeriod(cycle: BillingCycle, month: string): Period | null {
  if (!isMonthStart(month)) throw new RangeError(`a bill run month is the 1st of a month, not ${month}`);
  const m = Number(month.slice(5, 7));
  if (cycle === 'quarterly' && m % 3 !== 1) return null;
  if (cycle === 'yearly' && m !== 1) return null;
  const months = CYCLE_MONTHS[cycle];
  const end = addDays(addMonths(month, months), -1);
  return { start: month, end, months, days: daysBetween(month, end) + 1 };
}

/** Days of the period billed: the principals' stay (move-in/out) when occupied, else all of it. */
export function billableDays(
  period: Period,
  stay: { from: string | null; to: string | null } | null,
  proration: 'daily' | 'none',
): { occupied: boolean; days: number } {
  if (stay) {
    const start = maxDate(period.start, stay.from ?? period.start);
    const end = minDate(period.end, stay.to ?? period.end);
    if (end >= start) {
      return { occupied: true, days: proration === 'daily' ? daysBetween(start, end) + 1 : period.days };
    }
  }
  return { occupied: false, days: period.days };
}

export type TierUse = { from: number; to: number | null; quantity: number; unitPriceE4: number };

/**
 * Tiered (阶梯) pricing of `usage` on top of `priorUse` already consumed in the tier basis
 * (0 for monthly tiers; year-to-date use for annual ones). Returns the amount in e4 × milli-units
 * (exact) and which tiers were used.
 */
export function tieredPrice(
  tiers: readonly Tier[],
  priorUse: number,
  usage: number,
): { amountE4Milli: bigint; tiers: TierUse[] } {
  const prior = toMilli(priorUse);
  const total = prior + toMilli(usage);
  let lo = 0n;
  let amount = 0n;
  const used: TierUse[] = [];
  for (const tier of tiers) {
    const hi = tier.upTo === null ? null : toMilli(tier.upTo);
    const top = hi === null || total < hi ? total : hi;
    const bottom = prior > lo ? prior : lo;
    const qty = top > bottom ? top - bottom : 0n;
    if (qty > 0n) {
      amount += qty * BigInt(tier.unitPriceE4);
      used.push({
        from: fromMilli(lo),
        to: hi === null ? null : fromMilli(hi),
        quantity: fromMilli(qty),
        unitPriceE4: tier.unitPriceE4,
      });
    }
    if (hi === null) break;
    lo = hi;
  }
  return { amountE4Milli: amount, tiers: used };
}

export type ChargeInput = {
  rule: FeeRule;
  cycle: BillingCycle;
  /** The bill run's month (its 1st). */
  month: string;
  billVacant: boolean;
  /** Gross floor area in m² (area rules). */
  floorArea: number | null;
  /** The principals' stay overlapping the period (earliest move-in, latest move-out), or null. */
  stay: { from: string | null; to: string | null } | null;
  /** Metered rules: cumulative readings opening and closing the period, and earlier use this year. */
  meter?: { startReading: number; endReading: number; multiplier: number; priorUse: number };
};

export type Charge = {
  periodStart: string;
  periodEnd: string;
  quantity: number;
  /** Null when several tiers were used (see detail.tiers). */
  unitPriceE4: number | null;
  amountFen: number;
  detail:
    | { months: number; billableDays: number; periodDays: number }
    | {
        startReading: number;
        endReading: number;
        usage: number;
        priorUse: number;
        tierBasis: 'monthly' | 'annual';
        tiers: TierUse[];
      };
};

/** The charge of one unit for one fee item in a bill run, or null when nothing is billed. */
export function computeCharge(input: ChargeInput): Charge | null {
  const { rule } = input;
  const period = billingPeriod(input.cycle, input.month);
  if (!period) return null;
  const { occupied, days } = billableDays(period, input.stay, rule.proration);
  if (!occupied && !input.billVacant) return null;

  if (rule.method === 'metered') {
    const meter = input.meter;
    if (!meter) return null;
    const usage = fromMilli(
      roundHalfUp(
        (toMilli(meter.endReading) - toMilli(meter.startReading)) * toMilli(meter.multiplier),
        1000n,
      ),
    );
    if (usage <= 0) return null;
    const priorUse = rule.tierBasis === 'annual' ? meter.priorUse : 0;
    const priced = tieredPrice(rule.tiers, priorUse, usage);
    const amountFen = Number(roundHalfUp(priced.amountE4Milli, 100n * 1000n));
    if (amountFen <= 0) return null;
    return {
      periodStart: period.start,
      periodEnd: period.end,
      quantity: usage,
      unitPriceE4: priced.tiers.length === 1 ? priced.tiers[0].unitPriceE4 : null,
      amountFen,
      detail: {
        startReading: meter.startReading,
        endReading: meter.endReading,
        usage,
        priorUse,
        tierBasis: rule.tierBasis,
        tiers: priced.tiers,
      },
    };
  }

  const quantity = rule.method === 'area' ? input.floorArea : 1;
  if (quantity === null || quantity <= 0) return null;
  // quantity × price (e4) × months × billable/period days, in fen: one exact fraction, one rounding.
  const amountFen = Number(
    roundHalfUp(
      toMilli(quantity) * BigInt(rule.unitPriceE4) * BigInt(period.months) * BigInt(days),
      BigInt(period.days) * 100n * 1000n,
    ),
  );
  if (amountFen <= 0) return null;
  return {
    periodStart: period.start,
    periodEnd: period.end,
    quantity,
    unitPriceE4: rule.unitPriceE4,
    amountFen,
    detail: { months: period.months, billableDays: days, periodDays: period.days },
  };
}

/**
 * 滞纳金 on `principalFen` paid on `asOf` for a bill due on `dueDate`: days late beyond the grace
 * days × dailyRateBp/10,000 × principal, capped at capBp/10,000 × principal, each rounded
 * half-up to the fen. Same as billing.late_fee_fen in SQL.
 */
export function lateFeeFen(
  principalFen: number,
  dueDate: string,
  asOf: string,
  lateFee: LateFee | null | undefined,
): number {
  if (!lateFee) return 0;
  const days = daysBetween(dueDate, asOf) - lateFee.graceDays;
  if (days <= 0) return 0;
  const principal = BigInt(principalFen);
  const fee = roundHalfUp(principal * BigInt(lateFee.dailyRateBp) * BigInt(days), 10_000n);
  const cap = roundHalfUp(principal * BigInt(lateFee.capBp), 10_000n);
  return Math.min(Number(fee), Number(cap));
}

/** The discount an offer gives on `grossFen` for `months` months, rounded once, half-up. */
export function prepayDiscountFen(grossFen: number, months: number, offer: PrepayDiscount): number {
  const gross = BigInt(grossFen);
  return Number(
    'percentOffBp' in offer
      ? roundHalfUp(gross * BigInt(offer.percentOffBp), 10_000n)
      : roundHalfUp(gross * BigInt(offer.freeMonths), BigInt(months)),
  );
}

/**
 * The best offer `months` reach: the largest discount, the first listed on a tie. Same choice
 * as billing.prepay_plan in SQL.
 */
export function bestPrepayOffer(
  grossFen: number,
  months: number,
  offers: readonly PrepayDiscount[] | undefined,
): { offer: PrepayDiscount | null; discountFen: number } {
  let best: { offer: PrepayDiscount | null; discountFen: number } = { offer: null, discountFen: 0 };
  for (const offer of offers ?? []) {
    if (months < offer.minMonths) continue;
    const discountFen = prepayDiscountFen(grossFen, months, offer);
    if (best.offer === null || discountFen > best.discountFen) best = { offer, discountFen };
  }
  return best;
}

/** Paying `months` months ahead at `monthlyFen` a month: the best discount that applies. */
export function prepayQuote(
  monthlyFen: number,
  months: number,
  discounts: readonly PrepayDiscount[] | undefined,
): { grossFen: number; discountFen: number; netFen: number; percentOffBp: number } {
  if (!Number.isInteger(months) || months < 1) throw new RangeError('months must be a positive integer');
  const grossFen = Number(BigInt(monthlyFen) * BigInt(months));
  const { offer, discountFen } = bestPrepayOffer(grossFen, months, discounts);
  return {
    grossFen,
    discountFen,
    netFen: grossFen - discountFen,
    percentOffBp: offer && 'percentOffBp' in offer ? offer.percentOffBp : 0,
  };
}

/**
 * `discountFen` spread over bills in proportion to their charges, in whole fen: each gets the
 * floor of its share, the fen left over go to the largest remainders (earlier bills first on
 * a tie). Never negative, never more than a bill's charge when the discount is at most the sum.
 */
export function allocateDiscount(chargesFen: readonly number[], discountFen: number): number[] {
  const gross = chargesFen.reduce((n, c) => n + BigInt(c), 0n);
  if (gross <= 0n || discountFen <= 0) return chargesFen.map(() => 0);
  const d = BigInt(discountFen);
  const shares = chargesFen.map((c, i) => ({
    i,
    floor: (d * BigInt(c)) / gross,
    rest: (d * BigInt(c)) % gross,
  }));
  let left = d - shares.reduce((n, s) => n + s.floor, 0n);
  const order = [...shares].sort((a, b) => (a.rest === b.rest ? a.i - b.i : a.rest > b.rest ? -1 : 1));
  const extra = new Set<number>();
  for (const s of order) {
    if (left <= 0n) break;
    extra.add(s.i);
    left -= 1n;
  }
  return shares.map((s) => Number(s.floor) + (extra.has(s.i) ? 1 : 0));
}

export type PrepayPeriod = {
  periodStart: string;
  periodEnd: string;
  dueDate: string;
  chargeFen: number;
  discountFen: number;
  amountFen: number;
};

export type PrepayPlan = {
  months: number;
  quantity: number;
  unitPriceE4: number;
  periods: PrepayPeriod[];
  grossFen: number;
  discountFen: number;
  netFen: number;
  offer: PrepayDiscount | null;
};

/**
 * Prepaying `months` months of a fee item from `firstPeriod` (the 1st of a month where one of
 * its periods starts): whole periods priced by `rule` (the version in force on the day), the
 * best prepay offer, spread over the bills. Mirrors billing.prepay_plan; metered rules cannot
 * be prepaid (the use is not known ahead).
 */
export function prepayPlan(input: {
  rule: FeeRule;
  cycle: BillingCycle;
  firstPeriod: string;
  months: number;
  floorArea: number | null;
  dueDays: number;
}): PrepayPlan {
  const { rule, cycle, months } = input;
  if (rule.method === 'metered') throw new RangeError('metered fees cannot be prepaid');
  const cycleMonths = CYCLE_MONTHS[cycle];
  if (!Number.isInteger(months) || months < 1 || months % cycleMonths !== 0) {
    throw new RangeError(`months must be a positive multiple of ${cycleMonths}`);
  }
  const quantity = rule.method === 'area' ? input.floorArea : 1;
  if (quantity === null || quantity <= 0) throw new RangeError('no quantity to charge');
  const chargeFen = Number(
    roundHalfUp(toMilli(quantity) * BigInt(rule.unitPriceE4) * BigInt(cycleMonths), 100n * 1000n),
  );
  const count = months / cycleMonths;
  const starts = Array.from({ length: count }, (_, i) => addMonths(input.firstPeriod, i * cycleMonths));
  const charges = starts.map(() => chargeFen);
  const grossFen = chargeFen * count;
  const { offer, discountFen } = bestPrepayOffer(grossFen, months, rule.prepayDiscounts);
  const discounts = allocateDiscount(charges, discountFen);
  const periods = starts.map((start, i) => ({
    periodStart: start,
    periodEnd: addDays(addMonths(start, cycleMonths), -1),
    dueDate: addDays(start, input.dueDays),
    chargeFen,
    discountFen: discounts[i],
    amountFen: chargeFen - discounts[i],
  }));
  return {
    months,
    quantity,
    unitPriceE4: rule.unitPriceE4,
    periods,
    grossFen,
    discountFen,
    netFen: grossFen - discountFen,
    offer,
  };
}

/** "预缴优惠（12个月减5%）", "预缴优惠（12个月送1个月）" — as billing.prepay_offer_label prints it. */
export function prepayOfferLabel(months: number, offer: PrepayDiscount): string {
  const what =
    'percentOffBp' in offer
      ? `减${trimZeros((offer.percentOffBp / 100).toFixed(2))}%`
      : `送${offer.freeMonths}个月`;
  return `预缴优惠（${months}个月${what}）`;
}

function trimZeros(text: string): string {
  return text.replace(/\.?0+$/, '');
}
