import type { MessageKey } from '~/i18n/zh-CN';

/**
 * Errors of the repairs workflow, declared as data: the code the database raises (message of
 * the exception, see the repairs migrations) and the message a person sees.
 */
export const repairErrors = {
  'repairs.forbidden': 'repairs.error.forbidden',
  'repairs.transition_not_allowed': 'repairs.error.transitionNotAllowed',
  'repairs.field_not_editable': 'repairs.error.forbidden',
  'repairs.reason_required': 'repairs.form.reasonRequired',
  'repairs.reopen_window_closed': 'repairs.error.reopenWindowClosed',
  'repairs.assignee_required': 'repairs.error.assigneeRequired',
  'repairs.assignee_cannot_work': 'repairs.error.assigneeCannotWork',
  'repairs.already_arrived': 'repairs.error.transitionNotAllowed',
  'repairs.merge_invalid': 'repairs.merge.numberInvalid',
  'repairs.merge_target_closed': 'repairs.error.mergeTargetClosed',
  'repairs.category_unavailable': 'repairs.error.categoryUnavailable',
  'repairs.unit_required': 'repairs.form.unitRequired',
  'repairs.unit_not_found': 'repairs.error.notFound',
  'repairs.community_not_found': 'repairs.error.notFound',
  'repairs.ticket_not_found': 'repairs.error.notFound',
  'repairs.message_not_found': 'repairs.error.notFound',
  'repairs.ticket_closed': 'repairs.error.ticketClosed',
  'repairs.not_completed': 'repairs.error.transitionNotAllowed',
  'repairs.media_missing': 'repairs.media.missing',
  'repairs.media_type_invalid': 'repairs.media.wrongType',
  'repairs.media_too_large': 'repairs.media.tooLarge',
  'repairs.media_limit': 'repairs.media.limit',
  'repairs.location_not_needed': 'repairs.location.notNeeded',
  'repairs.not_found': 'repairs.error.notFound',
  'repairs.stale': 'repairs.error.stale',
} as const satisfies Record<string, MessageKey>;
export type RepairErrorCode = keyof typeof repairErrors;

export class RepairError extends Error {
  readonly messageKey: MessageKey;
  constructor(
    readonly code: RepairErrorCode,
    options?: { cause?: unknown },
  ) {
    super(code, options);
    this.name = 'RepairError';
    this.messageKey = repairErrors[code];
  }
}

/**
 * A refusal raised by the database as a RepairError: our own codes, and row-level security
 * refusals (42501) as "forbidden". Anything else is a bug and is passed on unchanged.
 */
export function fromDatabaseError(err: unknown): unknown {
  const e = err as { message?: string; code?: string };
  const message = e.message ?? '';
  if (Object.hasOwn(repairErrors, message))
    return new RepairError(message as RepairErrorCode, { cause: err });
  if (e.code === '42501') return new RepairError('repairs.forbidden', { cause: err });
  return err;
}
