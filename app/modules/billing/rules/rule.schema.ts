import { z } from 'zod';

/**
 * A fee rule version (fee_rule_versions.rule). Prices are whole 1/10,000 yuan ("e4");
 * rates are basis points (1/10,000). SQL checks the same structure (billing.rule_is_valid).
 */
const priceE4 = z.number().int().min(0).max(1_000_000_000);

export const tierSchema = z.object({
  /** Upper bound of the tier in billed units (kWh, m³), inclusive; null = open-ended (last tier only). */
  upTo: z.number().positive().nullable(),
  unitPriceE4: priceE4,
});

export const lateFeeSchema = z.object({
  /** Share of the principal per day late, in 1/10,000 (万分之五 a day = 5). */
  dailyRateBp: z.number().int().min(0).max(10_000),
  /** Days after the due date without a late fee. */
  graceDays: z.number().int().min(0).max(365),
  /** Cap as a share of the principal, in 1/10,000 (10000 = never more than the principal). */
  capBp: z.number().int().min(0).max(100_000),
});

const minMonths = z.number().int().min(2).max(36);
/**
 * A prepay offer (预缴优惠): paying at least `minMonths` ahead takes `percentOffBp`/10,000 off
 * (500 = 5 %, at most 50 %), or makes `freeMonths` of them free ("12 for 11" = 12 months,
 * 1 free; at most half of them). SQL checks the same (billing.prepay_offer_is_valid).
 */
export const prepayDiscountSchema = z.union([
  z.object({ minMonths, percentOffBp: z.number().int().min(1).max(5_000) }).strict(),
  z
    .object({ minMonths, freeMonths: z.number().int().min(1).max(18) })
    .strict()
    .refine((o) => o.freeMonths * 2 <= o.minMonths, {
      message: 'billing.rule.freeMonthsTooMany',
      path: ['freeMonths'],
    }),
]);

const common = {
  /** daily: move-in/out inside the period bills the occupied days only; none: whole periods. */
  proration: z.enum(['daily', 'none']).default('daily'),
  lateFee: lateFeeSchema.nullable().optional(),
  prepayDiscounts: z.array(prepayDiscountSchema).max(5).optional(),
};

export const feeRuleSchema = z
  .discriminatedUnion('method', [
    /** Per unit per month. */
    z.object({ method: z.literal('fixed'), unitPriceE4: priceE4, ...common }),
    /** Per m² of floor area per month. */
    z.object({ method: z.literal('area'), unitPriceE4: priceE4, ...common }),
    /** Per parking space per month (units of use parking). */
    z.object({ method: z.literal('per_space'), unitPriceE4: priceE4, ...common }),
    /** Metered use priced in tiers (阶梯), cumulated per month or per calendar year. */
    z.object({
      method: z.literal('metered'),
      tiers: z.array(tierSchema).min(1).max(10),
      tierBasis: z.enum(['monthly', 'annual']).default('monthly'),
      ...common,
    }),
  ])
  .superRefine((rule, ctx) => {
    if (rule.method !== 'metered') return;
    rule.tiers.forEach((tier, i) => {
      const last = i === rule.tiers.length - 1;
      if (last !== (tier.upTo === null)) {
        ctx.addIssue({ code: 'custom', path: ['tiers', i, 'upTo'], message: 'billing.rule.tiersOpenEnd' });
      }
      const prev = rule.tiers[i - 1]?.upTo;
      if (prev != null && tier.upTo !== null && tier.upTo <= prev) {
        ctx.addIssue({ code: 'custom', path: ['tiers', i, 'upTo'], message: 'billing.rule.tiersAscending' });
      }
    });
  });

export type FeeRule = z.output<typeof feeRuleSchema>;
export type Tier = z.output<typeof tierSchema>;
export type LateFee = z.output<typeof lateFeeSchema>;
export type PrepayDiscount = z.output<typeof prepayDiscountSchema>;
export type BillingCycle = 'monthly' | 'quarterly' | 'yearly';
