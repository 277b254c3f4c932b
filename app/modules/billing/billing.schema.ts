import { z } from 'zod';
import { feeRuleSchema } from './rules/rule.schema';

/** Mirrors of the database enums (supabase/migrations/20261122400000_billing_schema.sql). */
export const feeKinds = [
  'property',
  'water',
  'electricity',
  'gas',
  'parking',
  'shared',
  'garbage',
  'other',
] as const;
export type FeeKind = (typeof feeKinds)[number];
export const billingCycles = ['monthly', 'quarterly', 'yearly'] as const;
export const billStatuses = [
  'pending',
  'unpaid',
  'paid',
  'waived',
  'partially_refunded',
  'refunded',
] as const;
export type BillStatus = (typeof billStatuses)[number];
export const unitUses = ['residential', 'commercial', 'office', 'parking', 'storage', 'other'] as const;
export const paymentMethods = ['wechat_pay', 'alipay', 'card', 'cash', 'transfer', 'sandbox'] as const;
export type PaymentMethod = (typeof paymentMethods)[number];
export const offlineMethods = ['cash', 'transfer'] as const;
export const paymentStatuses = ['succeeded', 'partially_refunded', 'refunded', 'duplicate'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

const uuid = z.string().uuid('form.invalid');
/** 'YYYY-MM' from a month input, as the 1st of that month. */
export const monthSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'billing.error.monthInvalid')
  .transform((m) => `${m}-01`);
const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'form.invalid');

export const feeItemInputSchema = z.object({
  communityId: uuid,
  name: z.string().trim().min(1, 'billing.error.nameRequired').max(32),
  kind: z.enum(feeKinds),
  billingCycle: z.enum(billingCycles).default('monthly'),
  appliesTo: z.array(z.enum(unitUses)).min(1).default(['residential']),
  billVacant: z.boolean().default(true),
  dueDays: z.coerce.number().int().min(0).max(366).default(14),
});
export type FeeItemInput = z.input<typeof feeItemInputSchema>;

export const ruleVersionInputSchema = z.object({
  feeItemId: uuid,
  effectiveFrom: monthSchema,
  rule: feeRuleSchema,
  note: z.string().max(200).optional(),
});
export type RuleVersionInput = z.input<typeof ruleVersionInputSchema>;

export const readingInputSchema = z.object({
  meterId: uuid,
  readOn: dateSchema,
  reading: z.coerce.number().min(0, 'billing.error.readingInvalid').max(99_999_999_999),
  source: z.enum(['manual', 'import', 'device']).default('manual'),
});
export type ReadingInput = z.input<typeof readingInputSchema>;

export const billFilterSchema = z.object({
  communityId: uuid,
  status: z
    .enum(['all', 'unpaid', 'overdue', 'paid', 'waived', 'pending', 'partially_refunded', 'refunded'])
    .default('all'),
  feeItemId: uuid.optional(),
  buildingId: uuid.optional(),
  period: monthSchema.optional(),
  q: z.string().trim().max(32).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export type BillFilter = z.input<typeof billFilterSchema>;

export const offlinePaymentSchema = z.object({
  billIds: z.array(uuid).min(1, 'billing.error.selectBills').max(200),
  method: z.enum(offlineMethods),
  payerName: z.string().trim().min(1, 'billing.error.payerRequired').max(64),
  note: z.string().trim().max(500).optional(),
});

/** Rows per page of the staff bill list. */
export const BILL_PAGE_SIZE = 50;

export const reasonSchema = z.string().trim().min(1, 'billing.error.reasonRequired').max(500);

/** Months of a fee item to prepay (预缴); the server checks them against the item and its cycle. */
export const prepayInputSchema = z.object({
  unitId: uuid,
  feeItemId: uuid,
  months: z.coerce
    .number()
    .int('billing.error.prepayMonthsInvalid')
    .min(1, 'billing.error.prepayMonthsInvalid')
    .max(24, 'billing.error.prepayMonthsInvalid'),
});
export type PrepayInput = z.output<typeof prepayInputSchema>;

export const offlinePrepaySchema = prepayInputSchema.extend({
  method: z.enum(offlineMethods),
  payerName: z.string().trim().min(1, 'billing.error.payerRequired').max(64),
  note: z.string().trim().max(500).optional(),
});
export type OfflinePrepayInput = z.output<typeof offlinePrepaySchema>;

/** A refund: the whole rest of the payment, or amounts (fen) per bill it paid. */
export const refundItemsSchema = z
  .array(
    z.object({
      billId: uuid,
      amountFen: z.number().int().positive('billing.error.refundAmountInvalid'),
    }),
  )
  .min(1, 'billing.error.refundAmountInvalid')
  .max(200)
  .refine(
    (items) => new Set(items.map((i) => i.billId)).size === items.length,
    'billing.error.refundAmountInvalid',
  );
export type RefundItem = z.output<typeof refundItemsSchema>[number];
