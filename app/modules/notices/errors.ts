import type { MessageKey } from '~/i18n/zh-CN';

/** Errors of the notices module as data: the code the database (or domain) raises → what a person reads. */
export const noticeErrors = {
  'notices.forbidden': 'notices.error.forbidden',
  'notices.not_found': 'notices.error.notFound',
  'notices.not_publishable': 'notices.error.notPublishable',
  'notices.not_published': 'notices.error.notPublished',
  'notices.not_scheduled': 'notices.error.notScheduled',
  'notices.already_expired': 'notices.error.alreadyExpired',
  'notices.audience_empty': 'notices.error.audienceEmpty',
  'notices.schedule_in_past': 'notices.error.scheduleInPast',
  'notices.expires_before_publish': 'notices.error.expiresBeforePublish',
  'notices.attachment_invalid': 'notices.error.attachmentInvalid',
} as const satisfies Record<string, MessageKey>;
export type NoticeErrorCode = keyof typeof noticeErrors;

export class NoticeError extends Error {
  readonly messageKey: MessageKey;
  constructor(
    readonly code: NoticeErrorCode,
    options?: { cause?: unknown },
  ) {
    super(code, options);
    this.name = 'NoticeError';
    this.messageKey = noticeErrors[code];
  }
}

export function isNoticeError(err: unknown): err is NoticeError {
  return err instanceof NoticeError;
}

/** A refusal from SQL (message = one of our codes, or an RLS/grant denial) as a NoticeError. */
export function fromDatabaseError(err: unknown): unknown {
  const e = err as { message?: string; code?: string };
  if (e?.message && e.message in noticeErrors)
    return new NoticeError(e.message as NoticeErrorCode, { cause: err });
  if (e?.code === '42501') return new NoticeError('notices.forbidden', { cause: err });
  return err;
}
