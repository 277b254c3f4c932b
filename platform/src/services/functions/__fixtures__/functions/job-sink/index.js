// @ts-check
// Test fixture: a scheduled job's target. Checks the secret key, then writes through the
// service-role database helper, as a real job function would.
import { requireSecretKey } from '@shared/auth.ts';
import { withServiceRole } from '@shared/db.ts';
import { platformEnv } from '@shared/env.ts';
import { handleErrors, json } from '@shared/http.ts';

const env = platformEnv();

Deno.serve(
  handleErrors(async (req) => {
    requireSecretKey(req, env);
    const body = await req.json();
    const row = await withServiceRole(env, async (db) => {
      const r = await db.query(
        `insert into public.fixture_job_calls (body, db_role, jwt_role) values ($1, current_user, auth.role())
         returning id, db_role, jwt_role`,
        [body],
      );
      return r.rows[0];
    });
    return json({ received: body, row });
  }),
);
