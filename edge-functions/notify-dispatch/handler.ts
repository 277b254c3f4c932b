import { requireSecretKey } from '@shared/auth.ts';
import type { PlatformEnv } from '@shared/env.ts';
import { type Handler, HttpError, handleErrors, json } from '@shared/http.ts';
import type { DispatchSummary } from '../../app/modules/notifications/dispatch.ts';

export type DispatchHandlerDeps = {
  env: Pick<PlatformEnv, 'SUPABASE_SECRET_KEYS'>;
  /** One dispatcher run (lease, send, record). */
  run: () => Promise<DispatchSummary>;
};

/**
 * `POST /functions/v1/notify-dispatch` with the project's secret key (pg_cron and the wake-up
 * from private.notify call it through pg_net). Answers the run's counts.
 */
export function createDispatchHandler(deps: DispatchHandlerDeps): Handler {
  return handleErrors(async (req) => {
    if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use POST.');
    requireSecretKey(req, deps.env);
    // The body only says why we were called (schedule / wake); drain it so the connection is reusable.
    await req.body?.cancel();
    return json(await deps.run());
  });
}
