/**
 * `reminders` (verify_jwt = false, secret key): the daily job (cron in
 * 20261122950000_billing_reminders_schedule.sql). Sends due, due-today and overdue reminders
 * once per bill and offset through the notification center (billing.send_due_reminders), so
 * running it twice a day, or catching up a missed day, notifies nobody twice.
 */
import { requireSecretKey } from '@shared/auth.ts';
import type { BillingDb } from '@shared/billing/db.ts';
import type { PlatformEnv } from '@shared/env.ts';
import { type Handler, HttpError, handleErrors, json } from '@shared/http.ts';
import { z } from 'zod';

export type RemindersDeps = { db: BillingDb; env: Pick<PlatformEnv, 'SUPABASE_SECRET_KEYS'> };

const body = z
  .object({
    today: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
  })
  .passthrough();

export function createRemindersHandler(deps: RemindersDeps): Handler {
  return handleErrors(async (req) => {
    if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use POST.');
    requireSecretKey(req, deps.env);
    const text = await req.text();
    let parsed: unknown = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      throw new HttpError(400, 'invalid_json', 'The request body must be JSON.');
    }
    const input = body.parse(parsed);
    const result = await deps.db.withService('billing reminders job', async (sql) => {
      const r = await sql.query('select * from billing.send_due_reminders($1::date)', [input.today ?? null]);
      return r.rows[0] as { reminders: number; notifications: number };
    });
    return json({ ok: true, ...result });
  });
}
