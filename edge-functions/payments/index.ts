import { paymentsConfig, paymentsEnvSchema } from '@shared/billing/config.ts';
import { createBillingDb } from '@shared/billing/db.ts';
import { createStripe } from '@shared/billing/stripe.ts';
import { platformEnv, readEnv } from '@shared/env.ts';
import { createPaymentsHandler } from './handler.ts';

const env = platformEnv();
const config = paymentsConfig(readEnv(paymentsEnvSchema), env.SUPABASE_URL);

Deno.serve(
  createPaymentsHandler({
    db: createBillingDb(env.SUPABASE_DB_URL, config.dbPool),
    stripe: createStripe(config),
    config,
  }),
);
