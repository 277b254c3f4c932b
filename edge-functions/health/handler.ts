import { callerFromVerifiedJwt } from '@shared/auth.ts';
import { withCors } from '@shared/cors.ts';
import { type Handler, handleErrors, json } from '@shared/http.ts';

export type HealthDeps = { now: () => Date };

/** `{ ok, time, role }`: the function runtime answers, and whose token reached it. */
export function createHealthHandler(deps: HealthDeps): Handler {
  return withCors(
    handleErrors((req) => {
      const caller = callerFromVerifiedJwt(req);
      return json({ ok: true, time: deps.now().toISOString(), role: caller.role });
    }),
  );
}
