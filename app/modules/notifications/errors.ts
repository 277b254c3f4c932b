import type { MessageKey } from '~/i18n/zh-CN';

/** Errors of the notification center, declared as data: a stable code and the message a person sees. */
export const notificationErrors = {
  'notifications.forbidden': 'notifications.error.forbidden',
  'notifications.invalid_input': 'notifications.error.invalidInput',
  'notifications.push_unavailable': 'notifications.error.pushUnavailable',
} as const satisfies Record<string, MessageKey>;
export type NotificationErrorCode = keyof typeof notificationErrors;

export class NotificationError extends Error {
  readonly messageKey: MessageKey;
  constructor(
    readonly code: NotificationErrorCode,
    options?: { cause?: unknown },
  ) {
    super(code, options);
    this.name = 'NotificationError';
    this.messageKey = notificationErrors[code];
  }
}

/** A database refusal raised by private.notify (message = code) as a NotificationError; anything else unchanged. */
export function fromDatabaseError(err: unknown): unknown {
  const message = (err as { message?: string }).message ?? '';
  if (message in notificationErrors)
    return new NotificationError(message as NotificationErrorCode, { cause: err });
  return err;
}
