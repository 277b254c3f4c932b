import webpush from 'web-push';
import type { PushResult, PushSender, PushTarget } from '../channel.ts';

export type VapidKeys = { publicKey: string; privateKey: string; subject: string };

/**
 * Web Push with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291) through the `web-push`
 * library. 404/410 from the push service mean the subscription is gone.
 */
export function createWebPushSender(vapid: VapidKeys, opts: { timeoutMs?: number } = {}): PushSender {
  return {
    async send(target: PushTarget, payload, options): Promise<PushResult> {
      try {
        const res = await webpush.sendNotification(
          { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
          payload,
          {
            vapidDetails: vapid,
            TTL: options.ttlSeconds,
            urgency: options.urgency,
            topic: options.topic,
            contentEncoding: 'aes128gcm',
            timeout: opts.timeoutMs ?? 10_000,
          },
        );
        return { ok: true, status: res.statusCode };
      } catch (err) {
        const e = err as { statusCode?: number; body?: string; message?: string };
        const status = typeof e.statusCode === 'number' ? e.statusCode : null;
        return {
          ok: false,
          status,
          gone: status === 404 || status === 410,
          error: `${status ?? 'network'}: ${(e.body || e.message || 'push failed').slice(0, 200)}`,
        };
      }
    },
  };
}

/** A fresh VAPID key pair (base64url), for local development. */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  return webpush.generateVAPIDKeys();
}
