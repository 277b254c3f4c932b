import type { MessageKey } from '~/i18n/zh-CN';

/** Billing errors as data: the code SQL raises (message = code) and the message a person sees. */
export const billingErrors = {
  'billing.forbidden': 'billing.error.forbidden',
  'billing.period_not_month_start': 'billing.error.periodNotMonthStart',
  'billing.reading_decreased': 'billing.error.readingDecreased',
  'billing.meter_not_found': 'billing.error.meterNotFound',
  'billing.bill_not_unpaid': 'billing.error.billNotUnpaid',
  'billing.bill_locked': 'billing.error.billLocked',
  'billing.reason_required': 'billing.error.reasonRequired',
  'billing.adjustment_invalid': 'billing.error.adjustmentInvalid',
  'billing.select_bills': 'billing.error.selectBills',
  'billing.invalid_method': 'billing.error.invalidMethod',
  'billing.one_community_per_payment': 'billing.error.oneCommunity',
  'billing.payer_required': 'billing.error.payerRequired',
  'billing.payment_not_refundable': 'billing.error.notRefundable',
  'billing.checkout_mismatch': 'billing.error.unexpected',
  'billing.payment_unavailable': 'billing.error.paymentUnavailable',
  'billing.rule_invalid': 'billing.error.ruleInvalid',
  'billing.duplicate': 'billing.error.duplicate',
  'billing.not_found': 'billing.error.notFound',
  'billing.billed': 'billing.error.billed',
  'billing.prepay_unavailable': 'billing.error.prepayUnavailable',
  'billing.prepay_limit': 'billing.error.prepayLimit',
  'billing.prepay_months_invalid': 'billing.error.prepayMonthsInvalid',
  'billing.prepay_in_progress': 'billing.error.prepayInProgress',
  'billing.refund_exceeds_paid': 'billing.error.refundExceedsPaid',
  'billing.refund_amount_invalid': 'billing.error.refundAmountInvalid',
} as const satisfies Record<string, MessageKey>;
export type BillingErrorCode = keyof typeof billingErrors;

export class BillingError extends Error {
  readonly messageKey: MessageKey;
  constructor(
    readonly code: BillingErrorCode,
    options?: { cause?: unknown; detail?: string },
  ) {
    super(options?.detail ? `${code}: ${options.detail}` : code, options);
    this.name = 'BillingError';
    this.messageKey = billingErrors[code];
  }
}

export function isBillingErrorCode(value: unknown): value is BillingErrorCode {
  return typeof value === 'string' && Object.hasOwn(billingErrors, value);
}

/**
 * A refusal raised by the billing SQL (message = code, reason in detail) or by a constraint,
 * as a BillingError; anything else unchanged.
 */
export function fromDatabaseError(err: unknown): unknown {
  const e = err as { message?: string; code?: string; detail?: string };
  if (isBillingErrorCode(e.message)) return new BillingError(e.message, { cause: err, detail: e.detail });
  // The refund ceilings (payments_refund_within_amount, payment_bills_refund_within_paid).
  if (
    e.code === '23514' &&
    /refund_within/.test(`${e.message ?? ''} ${(e as { constraint?: string }).constraint ?? ''}`)
  )
    return new BillingError('billing.refund_exceeds_paid', { cause: err });
  if (e.code === '23505') return new BillingError('billing.duplicate', { cause: err, detail: e.detail });
  if (e.code === '42501') return new BillingError('billing.forbidden', { cause: err });
  if (e.code === '23514' && /rule_is_valid|rule_check/.test(e.message ?? ''))
    return new BillingError('billing.rule_invalid', { cause: err });
  return err;
}

/** Runs a query and maps billing refusals to BillingError. */
export async function mapDbErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw fromDatabaseError(err);
  }
}
