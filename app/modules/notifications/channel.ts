/**
 * How push, SMS and e-mail leave the system. Runtime-neutral on purpose: the notify-dispatch
 * Edge Function (Deno) and Node tests use the same modules, so this folder's channel and
 * dispatch files import nothing but types (`import type … from './x.ts'`) and npm packages.
 */

/** The part of a pg client / pool / app `Tx` this code needs. */
export type Queryable = {
  query<R = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
};

export type Locale = 'zh-CN' | 'en';

/** One SMS or e-mail, already rendered in the recipient's language. */
export type OutgoingMessage = {
  /** notification_deliveries.id, for logs and provider-side de-duplication. */
  deliveryId: number;
  /** Phone as Auth stores it (digits, country code first, no "+") or an e-mail address. */
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Values for providers that send approved templates (SMS in mainland China). */
  templateParams: { title: string; body: string };
  locale: Locale;
};

export type SendResult =
  | { ok: true; messageId: string }
  /** `retryable: false` means sending it again cannot help (bad number, rejected content). */
  | { ok: false; error: string; retryable: boolean };

/** An SMS or e-mail provider: local outbox, Aliyun, Tencent Cloud, … */
export interface NotificationChannel {
  readonly kind: 'sms' | 'email';
  /** For logs: `local-outbox`, `aliyun-sms`, … */
  readonly provider: string;
  send(message: OutgoingMessage): Promise<SendResult>;
}

/** A Web Push subscription as stored in push_subscriptions. */
export type PushTarget = { id: string; endpoint: string; p256dh: string; auth: string };

export type PushResult =
  | { ok: true; status: number }
  /** `gone`: the push service says the subscription no longer exists (404/410); delete it. */
  | { ok: false; status: number | null; gone: boolean; error: string };

export interface PushSender {
  send(
    target: PushTarget,
    payload: string,
    options: { urgency: 'normal' | 'high'; ttlSeconds: number; topic?: string },
  ): Promise<PushResult>;
}

/** The minimal fetch the HTTP providers need (global fetch in Node and Deno; a fake in tests). */
export type Fetch = (
  input: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{
  status: number;
  text(): Promise<string>;
}>;
