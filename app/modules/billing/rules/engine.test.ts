import { describe, expect, it } from 'vitest';
import {
  allocateDiscount,
  bestPrepayOffer,
  billableDays,
  billingPeriod,
  computeCharge,
  lateFeeFen,
  prepayOfferLabel,
  prepayPlan,
  prepayQuote,
  tieredPrice,
} from './engine';
import { fenToYuanText, yuanToE4 } from './money';
import { type FeeRule, feeRuleSchema } from './rule.schema';

/** Beijing residential electricity, 阶梯电价 by annual use (一户一表): 0.4883 / 0.5383 / 0.7883 元/kWh. */
const beijingElectricity = feeRuleSchema.parse({
  method: 'metered',
  tierBasis: 'annual',
  tiers: [
    { upTo: 2880, unitPriceE4: yuanToE4('0.4883') },
    { upTo: 4800, unitPriceE4: yuanToE4('0.5383') },
    { upTo: null, unitPriceE4: yuanToE4('0.7883') },
  ],
});

/** Beijing residential water, 阶梯水价 by annual use: 5 / 7 / 9 元/m³ at 180 and 260 m³. */
const beijingWater = feeRuleSchema.parse({
  method: 'metered',
  tierBasis: 'annual',
  tiers: [
    { upTo: 180, unitPriceE4: yuanToE4('5') },
    { upTo: 260, unitPriceE4: yuanToE4('7') },
    { upTo: null, unitPriceE4: yuanToE4('9') },
  ],
});

const yuan = (fen: number | undefined) => (fen === undefined ? undefined : fenToYuanText(fen));

function metered(rule: FeeRule, priorUse: number, usage: number, month = '2026-12-01') {
  return computeCharge({
    rule,
    cycle: 'monthly',
    month,
    billVacant: true,
    floorArea: null,
    stay: null,
    meter: { startReading: 10_000, endReading: 10_000 + usage, multiplier: 1, priorUse },
  });
}

describe('tiered prices against published tables', () => {
  it.each([
    // prior use this year, use this period, expected 元
    [0, 2880, '1406.30'], // 2880 × 0.4883 = 1406.304
    [0, 3000, '1470.90'], // + 120 × 0.5383
    [2800, 300, '157.49'], // 80 × 0.4883 + 220 × 0.5383 = 39.064 + 118.426
    [2800, 2100, '1151.43'], // 80 × 0.4883 + 1920 × 0.5383 + 100 × 0.7883
    [4800, 100, '78.83'], // all in the third tier
    [0, 4800, '2439.84'], // 1406.304 + 1920 × 0.5383 = 2439.84
    [0, 0.5, '0.24'], // 0.24415 → 0.24
  ])('Beijing electricity: %d kWh used before, %d now → ¥%s', (prior, usage, expected) => {
    expect(yuan(metered(beijingElectricity, prior, usage)?.amountFen)).toBe(expected);
  });

  it.each([
    [0, 180, '900.00'],
    [0, 200, '1040.00'],
    [0, 300, '1820.00'], // 180 × 5 + 80 × 7 + 40 × 9
    [170, 20, '120.00'], // 10 × 5 + 10 × 7
    [250, 20, '160.00'], // 10 × 7 + 10 × 9
  ])('Beijing water: %d m³ used before, %d now → ¥%s', (prior, usage, expected) => {
    expect(yuan(metered(beijingWater, prior, usage)?.amountFen)).toBe(expected);
  });

  it('shows the tiers used, with a unit price only when one tier applies', () => {
    const twoTiers = metered(beijingElectricity, 2800, 300);
    expect(twoTiers?.unitPriceE4).toBeNull();
    expect(twoTiers?.detail).toMatchObject({
      usage: 300,
      priorUse: 2800,
      tiers: [
        { from: 0, to: 2880, quantity: 80, unitPriceE4: 4883 },
        { from: 2880, to: 4800, quantity: 220, unitPriceE4: 5383 },
      ],
    });
    expect(metered(beijingElectricity, 0, 100)?.unitPriceE4).toBe(4883);
  });

  it('monthly tiers restart every month whatever the earlier use', () => {
    const monthly = feeRuleSchema.parse({ ...beijingWater, tierBasis: 'monthly' });
    expect(yuan(metered(monthly, 250, 20)?.amountFen)).toBe('100.00');
  });

  it('sums tiers exactly and rounds once', () => {
    // 0.3 × 0.4883 + ... → exact sum in e4 × milli, one rounding at the end.
    const { tiers } = beijingElectricity as Extract<FeeRule, { method: 'metered' }>;
    const priced = tieredPrice(tiers, 2879.9, 0.3);
    expect(priced.amountE4Milli).toBe(100n * 4883n + 200n * 5383n);
  });

  it('bills nothing for no use, a missing meter or a meter that did not move', () => {
    expect(metered(beijingWater, 0, 0)).toBeNull();
    expect(
      computeCharge({
        rule: beijingWater,
        cycle: 'monthly',
        month: '2026-01-01',
        billVacant: true,
        floorArea: 90,
        stay: null,
      }),
    ).toBeNull();
  });

  it('applies the meter ratio (倍率)', () => {
    const charge = computeCharge({
      rule: feeRuleSchema.parse({ method: 'metered', tiers: [{ upTo: null, unitPriceE4: 10000 }] }),
      cycle: 'monthly',
      month: '2026-01-01',
      billVacant: true,
      floorArea: null,
      stay: null,
      meter: { startReading: 100, endReading: 112.5, multiplier: 40, priorUse: 0 },
    });
    expect(charge?.quantity).toBe(500);
    expect(charge?.amountFen).toBe(50000);
  });
});

describe('periods and proration', () => {
  it('bills monthly items every month, quarterly ones in Jan/Apr/Jul/Oct, yearly ones in January', () => {
    expect(billingPeriod('monthly', '2026-02-01')).toEqual({
      start: '2026-02-01',
      end: '2026-02-28',
      months: 1,
      days: 28,
    });
    expect(billingPeriod('monthly', '2028-02-01')?.days).toBe(29);
    expect(billingPeriod('quarterly', '2026-04-01')).toEqual({
      start: '2026-04-01',
      end: '2026-06-30',
      months: 3,
      days: 91,
    });
    expect(billingPeriod('quarterly', '2026-05-01')).toBeNull();
    expect(billingPeriod('yearly', '2026-01-01')).toEqual({
      start: '2026-01-01',
      end: '2026-12-31',
      months: 12,
      days: 365,
    });
    expect(billingPeriod('yearly', '2026-02-01')).toBeNull();
    expect(() => billingPeriod('monthly', '2026-02-02')).toThrow(RangeError);
  });

  const nov = billingPeriod('monthly', '2026-11-01')!;
  it('counts the days the principals live there', () => {
    expect(billableDays(nov, { from: '2026-11-16', to: null }, 'daily')).toEqual({
      occupied: true,
      days: 15,
    });
    expect(billableDays(nov, { from: '2026-01-01', to: '2026-11-10' }, 'daily')).toEqual({
      occupied: true,
      days: 10,
    });
    expect(billableDays(nov, { from: null, to: null }, 'daily')).toEqual({ occupied: true, days: 30 });
    expect(billableDays(nov, { from: '2026-11-16', to: null }, 'none')).toEqual({ occupied: true, days: 30 });
    expect(billableDays(nov, { from: '2026-12-02', to: null }, 'daily')).toEqual({
      occupied: false,
      days: 30,
    });
    expect(billableDays(nov, null, 'daily')).toEqual({ occupied: false, days: 30 });
  });

  const propertyFee = feeRuleSchema.parse({ method: 'area', unitPriceE4: yuanToE4('2.5') });
  const base = {
    rule: propertyFee,
    cycle: 'monthly' as const,
    month: '2026-11-01',
    billVacant: true,
    floorArea: 89.5,
  };

  it('prices per m² per month: 89.5 m² × 2.50 = 223.75', () => {
    const charge = computeCharge({ ...base, stay: { from: '2020-01-01', to: null } });
    expect(charge).toMatchObject({
      periodStart: '2026-11-01',
      periodEnd: '2026-11-30',
      quantity: 89.5,
      unitPriceE4: 25000,
      amountFen: 22375,
      detail: { months: 1, billableDays: 30, periodDays: 30 },
    });
  });

  it('prorates a move-in on the 16th: 223.75 × 15/30 = 111.875 → 111.88', () => {
    expect(computeCharge({ ...base, stay: { from: '2026-11-16', to: null } })?.amountFen).toBe(11188);
  });

  it('prorates a move-out inside a quarter: 50 × 3 × 45/90 = 75.00', () => {
    const charge = computeCharge({
      rule: feeRuleSchema.parse({ method: 'fixed', unitPriceE4: yuanToE4('50') }),
      cycle: 'quarterly',
      month: '2026-01-01',
      billVacant: false,
      floorArea: null,
      stay: { from: '2019-05-01', to: '2026-02-14' },
    });
    expect(charge?.amountFen).toBe(7500);
    expect(charge?.detail).toEqual({ months: 3, billableDays: 45, periodDays: 90 });
  });

  it('bills vacant units fully when the item says so, and skips them otherwise', () => {
    expect(computeCharge({ ...base, stay: null })?.amountFen).toBe(22375);
    expect(computeCharge({ ...base, billVacant: false, stay: null })).toBeNull();
  });

  it('skips area pricing for a unit without a floor area', () => {
    expect(computeCharge({ ...base, floorArea: null, stay: null })).toBeNull();
  });

  it('rounds half-up once per line', () => {
    const fixed = (price: string) =>
      computeCharge({
        rule: feeRuleSchema.parse({ method: 'fixed', unitPriceE4: yuanToE4(price) }),
        cycle: 'monthly',
        month: '2026-11-01',
        billVacant: true,
        floorArea: null,
        stay: null,
      })?.amountFen;
    expect(fixed('1.2345')).toBe(123);
    expect(fixed('1.235')).toBe(124);
    // A yearly parking fee: 300 × 12 = 3600.
    expect(
      computeCharge({
        rule: feeRuleSchema.parse({ method: 'per_space', unitPriceE4: yuanToE4('300') }),
        cycle: 'yearly',
        month: '2026-01-01',
        billVacant: true,
        floorArea: null,
        stay: null,
      })?.amountFen,
    ).toBe(360000);
  });
});

describe('late fees (滞纳金)', () => {
  const lateFee = { dailyRateBp: 5, graceDays: 0, capBp: 10_000 };

  it('charges 万分之五 a day after the due date', () => {
    expect(lateFeeFen(10_000, '2026-01-15', '2026-01-15', lateFee)).toBe(0);
    expect(lateFeeFen(10_000, '2026-01-15', '2026-01-16', lateFee)).toBe(5);
    expect(lateFeeFen(10_000, '2026-01-15', '2026-02-14', lateFee)).toBe(150);
  });

  it('waits for the grace days, then counts only the days beyond them', () => {
    const graced = { ...lateFee, graceDays: 10 };
    expect(lateFeeFen(10_000, '2026-01-15', '2026-01-25', graced)).toBe(0);
    expect(lateFeeFen(10_000, '2026-01-15', '2026-01-26', graced)).toBe(5);
  });

  it('never exceeds the cap', () => {
    expect(lateFeeFen(10_000, '2025-01-15', '2026-01-15', lateFee)).toBe(1825);
    expect(lateFeeFen(10_000, '2020-01-15', '2026-01-15', lateFee)).toBe(10_000);
    expect(lateFeeFen(10_000, '2020-01-15', '2026-01-15', { ...lateFee, capBp: 3000 })).toBe(3000);
  });

  it('rounds half-up: 333 fen × 0.05 % × 3 days = 0.4995 → 0', () => {
    expect(lateFeeFen(333, '2026-01-15', '2026-01-18', lateFee)).toBe(0);
    expect(lateFeeFen(3333, '2026-01-15', '2026-01-18', lateFee)).toBe(5);
  });

  it('is zero without a late-fee rule', () => {
    expect(lateFeeFen(10_000, '2020-01-15', '2026-01-15', null)).toBe(0);
  });
});

describe('prepay discounts', () => {
  const discounts = [
    { minMonths: 6, percentOffBp: 200 },
    { minMonths: 12, percentOffBp: 500 },
  ];
  it('takes the best discount that applies', () => {
    expect(prepayQuote(22_375, 12, discounts)).toEqual({
      grossFen: 268_500,
      discountFen: 13_425,
      netFen: 255_075,
      percentOffBp: 500,
    });
    expect(prepayQuote(22_375, 6, discounts)).toEqual({
      grossFen: 134_250,
      discountFen: 2_685,
      netFen: 131_565,
      percentOffBp: 200,
    });
    expect(prepayQuote(22_375, 3, discounts).discountFen).toBe(0);
    expect(prepayQuote(22_375, 3, undefined).netFen).toBe(67_125);
  });
});

describe('prepayment plans', () => {
  const property = feeRuleSchema.parse({
    method: 'area',
    unitPriceE4: 25_000,
    prepayDiscounts: [
      { minMonths: 6, percentOffBp: 300 },
      { minMonths: 12, percentOffBp: 500 },
      { minMonths: 12, freeMonths: 1 },
    ],
  });

  it('"12 for 11" beats 5 % off on 12 months: one month free, spread fen by fen', () => {
    // 89.5 m² × 2.50 = 223.75 a month; 12 months 2,685.00; one free month = 223.75 (> 134.25).
    const plan = prepayPlan({
      rule: property,
      cycle: 'monthly',
      firstPeriod: '2026-12-01',
      months: 12,
      floorArea: 89.5,
      dueDays: 14,
    });
    expect(plan.offer).toEqual({ minMonths: 12, freeMonths: 1 });
    expect(plan).toMatchObject({ grossFen: 268_500, discountFen: 22_375, netFen: 246_125 });
    expect(plan.periods).toHaveLength(12);
    expect(plan.periods[0]).toEqual({
      periodStart: '2026-12-01',
      periodEnd: '2026-12-31',
      dueDate: '2026-12-15',
      chargeFen: 22_375,
      // 22,375 / 12 = 1,864 r 7: the first seven periods take one fen more.
      discountFen: 1_865,
      amountFen: 20_510,
    });
    expect(plan.periods[7].discountFen).toBe(1_864);
    expect(plan.periods.at(-1)).toMatchObject({ periodStart: '2027-11-01', periodEnd: '2027-11-30' });
    expect(plan.periods.reduce((n, p) => n + p.discountFen, 0)).toBe(plan.discountFen);
    expect(plan.periods.reduce((n, p) => n + p.amountFen, 0)).toBe(plan.netFen);
  });

  it('6 months at 3 % off; below every offer nothing off', () => {
    const six = prepayPlan({
      rule: property,
      cycle: 'monthly',
      firstPeriod: '2027-01-01',
      months: 6,
      floorArea: 89.5,
      dueDays: 14,
    });
    // 134,250 × 3 % = 4,027.5 → 4,028 (half-up).
    expect(six).toMatchObject({ grossFen: 134_250, discountFen: 4_028, netFen: 130_222 });
    expect(six.offer).toEqual({ minMonths: 6, percentOffBp: 300 });
    const three = prepayPlan({
      rule: property,
      cycle: 'monthly',
      firstPeriod: '2027-01-01',
      months: 3,
      floorArea: 89.5,
      dueDays: 14,
    });
    expect(three).toMatchObject({ discountFen: 0, offer: null, netFen: 67_125 });
  });

  it('prepays quarterly items by whole quarters and refuses metered rules', () => {
    const parking = feeRuleSchema.parse({
      method: 'per_space',
      unitPriceE4: 3_000_000,
      prepayDiscounts: [{ minMonths: 12, percentOffBp: 500 }],
    });
    const plan = prepayPlan({
      rule: parking,
      cycle: 'quarterly',
      firstPeriod: '2027-01-01',
      months: 12,
      floorArea: null,
      dueDays: 14,
    });
    expect(plan.periods.map((p) => [p.periodStart, p.periodEnd])).toEqual([
      ['2027-01-01', '2027-03-31'],
      ['2027-04-01', '2027-06-30'],
      ['2027-07-01', '2027-09-30'],
      ['2027-10-01', '2027-12-31'],
    ]);
    expect(plan).toMatchObject({ grossFen: 360_000, discountFen: 18_000, netFen: 342_000 });
    expect(() =>
      prepayPlan({
        rule: parking,
        cycle: 'quarterly',
        firstPeriod: '2027-01-01',
        months: 4,
        floorArea: null,
        dueDays: 0,
      }),
    ).toThrow(RangeError);
    const water = feeRuleSchema.parse({ method: 'metered', tiers: [{ upTo: null, unitPriceE4: 50_000 }] });
    expect(() =>
      prepayPlan({
        rule: water,
        cycle: 'monthly',
        firstPeriod: '2027-01-01',
        months: 6,
        floorArea: null,
        dueDays: 0,
      }),
    ).toThrow(RangeError);
  });

  it('spreads a discount by largest remainder, never below zero', () => {
    expect(allocateDiscount([100, 100, 100], 100)).toEqual([34, 33, 33]);
    expect(allocateDiscount([1, 1, 1, 1], 2)).toEqual([1, 1, 0, 0]);
    expect(allocateDiscount([300, 100], 101)).toEqual([76, 25]);
    // 36 bills, 18 fen: rounding each share half-up would give 36 fen; this gives 18.
    const spread = allocateDiscount(Array(36).fill(500), 18);
    expect(spread.reduce((n, d) => n + d, 0)).toBe(18);
    expect(Math.min(...spread)).toBe(0);
  });

  it('picks the first of equal offers and labels them as the discount line does', () => {
    const offers = [
      { minMonths: 12, freeMonths: 1 },
      { minMonths: 12, percentOffBp: 833 },
    ] as const;
    // 1,200 × 1/12 = 100; 1,200 × 8.33 % = 99.96 → 100: a tie, the first wins.
    expect(bestPrepayOffer(1_200, 12, offers).offer).toEqual(offers[0]);
    expect(prepayOfferLabel(12, { minMonths: 12, percentOffBp: 500 })).toBe('预缴优惠（12个月减5%）');
    expect(prepayOfferLabel(6, { minMonths: 6, percentOffBp: 250 })).toBe('预缴优惠（6个月减2.5%）');
    expect(prepayOfferLabel(12, { minMonths: 12, freeMonths: 1 })).toBe('预缴优惠（12个月送1个月）');
  });

  it('validates offers: one kind each, at most 50 % off, at most half the months free', () => {
    const rule = (offer: object) =>
      feeRuleSchema.safeParse({ method: 'fixed', unitPriceE4: 1, prepayDiscounts: [offer] }).success;
    expect(rule({ minMonths: 12, freeMonths: 1 })).toBe(true);
    expect(rule({ minMonths: 12, percentOffBp: 500 })).toBe(true);
    expect(rule({ minMonths: 12, percentOffBp: 500, freeMonths: 1 })).toBe(false);
    expect(rule({ minMonths: 12 })).toBe(false);
    expect(rule({ minMonths: 12, percentOffBp: 6_000 })).toBe(false);
    expect(rule({ minMonths: 4, freeMonths: 3 })).toBe(false);
  });
});

describe('rule validation', () => {
  it('requires an open last tier and ascending bounds', () => {
    const bad = feeRuleSchema.safeParse({ method: 'metered', tiers: [{ upTo: 100, unitPriceE4: 1 }] });
    expect(bad.success).toBe(false);
    const unordered = feeRuleSchema.safeParse({
      method: 'metered',
      tiers: [
        { upTo: 200, unitPriceE4: 1 },
        { upTo: 100, unitPriceE4: 2 },
        { upTo: null, unitPriceE4: 3 },
      ],
    });
    expect(unordered.success).toBe(false);
  });

  it('rejects fractional prices and unknown methods', () => {
    expect(feeRuleSchema.safeParse({ method: 'fixed', unitPriceE4: 1.5 }).success).toBe(false);
    expect(feeRuleSchema.safeParse({ method: 'flat', unitPriceE4: 1 }).success).toBe(false);
  });

  it('fills defaults', () => {
    expect(feeRuleSchema.parse({ method: 'area', unitPriceE4: 25000 })).toEqual({
      method: 'area',
      unitPriceE4: 25000,
      proration: 'daily',
    });
  });
});
