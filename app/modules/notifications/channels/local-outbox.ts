import type { NotificationChannel, OutgoingMessage, Queryable, SendResult } from '../channel.ts';

/**
 * Local development: SMS and e-mail go to the Auth service's outbox table
 * (`_local_platform.auth_outbox`), shown at `GET /_dev/outbox` next to the sign-in codes. The
 * table exists only on the local platform; `db` must connect as its owner (the database user of
 * SUPABASE_DB_URL, not `service_role`).
 */
export function createLocalOutboxChannel(kind: 'sms' | 'email', db: Queryable): NotificationChannel {
  return {
    kind,
    provider: 'local-outbox',
    async send(m: OutgoingMessage): Promise<SendResult> {
      const recipient = kind === 'email' ? m.to.trim().toLowerCase() : m.to.replace(/\D/g, '');
      const { rows } = await db.query<{ id: string }>(
        `insert into _local_platform.auth_outbox (channel, recipient, subject, body, html, otp)
         values ($1, $2, $3, $4, $5, null) returning id`,
        [kind, recipient, kind === 'email' ? m.subject : null, m.text, m.html ?? null],
      );
      return { ok: true, messageId: `outbox-${rows[0].id}` };
    },
  };
}
