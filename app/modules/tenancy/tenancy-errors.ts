import type { MessageKey } from '~/i18n/zh-CN';

/**
 * Errors of the tenancy screens, declared as data: the code (raised by the database as the
 * exception message, or by the domain code) and the message a person sees.
 */
export const tenancyErrors = {
  'tenancy.forbidden': 'tenancy.error.forbidden',
  'tenancy.not_found': 'tenancy.error.notFound',
  'tenancy.unit_not_found': 'tenancy.error.unitNotFound',
  'tenancy.binding_request_not_pending': 'tenancy.error.notPending',
  'tenancy.rejection_reason_required': 'tenancy.verify.reasonRequired',
  'tenancy.invitation_not_pending': 'tenancy.error.notPending',
  'tenancy.invitation_inviter_left': 'tenancy.error.forbidden',
  'tenancy.grants_family_only': 'tenancy.error.grantsFamilyOnly',
  'tenancy.staff_invitation_exists': 'tenancy.staff.inviteExists',
  'tenancy.member_not_removable': 'tenancy.household.notRemovable',
  'tenancy.duplicate': 'tenancy.error.duplicate',
  'tenancy.already_requested': 'tenancy.bind.alreadyRequested',
  'tenancy.already_bound': 'tenancy.bind.alreadyBound',
  'tenancy.role_locked': 'tenancy.roles.locked',
  'tenancy.file_invalid': 'tenancy.error.fileInvalid',
  'tenancy.import_invalid': 'tenancy.import.hasErrors',
  'state.transition_not_allowed': 'tenancy.error.notPending',
} as const satisfies Record<string, MessageKey>;
export type TenancyErrorCode = keyof typeof tenancyErrors;

export class TenancyError extends Error {
  readonly messageKey: MessageKey;
  constructor(
    readonly code: TenancyErrorCode,
    options?: { cause?: unknown },
  ) {
    super(code, options);
    this.name = 'TenancyError';
    this.messageKey = tenancyErrors[code];
  }
}

/**
 * A refusal raised by the database as a TenancyError: our codes, RLS refusals (42501) as
 * "forbidden", unique violations as "duplicate". Anything else is a bug and passes unchanged.
 */
export function fromDatabaseError(err: unknown): unknown {
  if (err instanceof TenancyError) return err;
  const e = err as { message?: string; code?: string };
  const message = e.message ?? '';
  if (Object.hasOwn(tenancyErrors, message))
    return new TenancyError(message as TenancyErrorCode, { cause: err });
  if (e.code === '42501') return new TenancyError('tenancy.forbidden', { cause: err });
  if (e.code === '23505') return new TenancyError('tenancy.duplicate', { cause: err });
  return err;
}

/** Runs a database step and turns its refusals into TenancyErrors. */
export async function guarded<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw fromDatabaseError(err);
  }
}
