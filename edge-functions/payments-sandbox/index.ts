import { paymentsConfig, paymentsEnvSchema } from '@shared/billing/config.ts';
import { createBillingDb } from '@shared/billing/db.ts';
import { platformEnv, readEnv } from '@shared/env.ts';
import { z } from 'zod';
import { createSandboxHandler } from './handler.ts';

const env = platformEnv();
const config = paymentsConfig(readEnv(paymentsEnvSchema), env.SUPABASE_URL);
const own = readEnv(z.object({ SANDBOX_WEBHOOK_URL: z.string().url().optional() }));
const base = env.SUPABASE_URL.replace(/\/$/, '');

Deno.serve(
  createSandboxHandler({
    db: createBillingDb(env.SUPABASE_DB_URL, 4),
    apiKey: config.secretKey,
    webhookSecret: config.webhookSecret,
    publicBase: `${base}/functions/v1/payments-sandbox`,
    webhookUrl: own.SANDBOX_WEBHOOK_URL ?? `${base}/functions/v1/payments-webhook`,
    enabled: config.provider === 'sandbox',
  }),
);
