/**
 * Payment settings of the billing functions, validated once at boot (docs/billing.md).
 *
 * PAYMENTS_PROVIDER=sandbox (the default, local development): the Stripe client talks to the
 * `payments-sandbox` function, a Stripe-compatible fake with a checkout page; its webhooks are
 * signed with a fixed development secret. PAYMENTS_PROVIDER=stripe: real Stripe Checkout,
 * STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are required. STRIPE_API_BASE points the client
 * at another Stripe-compatible server (tests, benchmarks).
 */
import { z } from 'zod';

/** The sandbox's webhook signing secret. Not a secret: the sandbox moves no money. */
export const SANDBOX_WEBHOOK_SECRET = 'whsec_wuye_local_sandbox_0123456789abcdef';
export const SANDBOX_API_KEY = 'sk_test_wuye_local_sandbox';

const origins = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().url()));

export const paymentsEnvSchema = z
  .object({
    PAYMENTS_PROVIDER: z.enum(['sandbox', 'stripe']).default('sandbox'),
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk|rk)_(test|live)_/, 'must be a Stripe secret or restricted key')
      .optional(),
    STRIPE_WEBHOOK_SECRET: z.string().startsWith('whsec_').optional(),
    /** Base URL of a Stripe-compatible API (scheme, host, port and an optional path prefix). */
    STRIPE_API_BASE: z.string().url().optional(),
    /** Origins the app may ask to be sent back to after a checkout (comma-separated). */
    PAYMENTS_RETURN_ORIGINS: origins.optional(),
    /** Connections per function worker for the payments database work. */
    PAYMENTS_DB_POOL: z.coerce.number().int().min(1).max(50).default(8),
  })
  .superRefine((env, ctx) => {
    if (env.PAYMENTS_PROVIDER === 'stripe') {
      if (!env.STRIPE_SECRET_KEY)
        ctx.addIssue({
          code: 'custom',
          path: ['STRIPE_SECRET_KEY'],
          message: 'required with PAYMENTS_PROVIDER=stripe',
        });
      if (!env.STRIPE_WEBHOOK_SECRET)
        ctx.addIssue({
          code: 'custom',
          path: ['STRIPE_WEBHOOK_SECRET'],
          message: 'required with PAYMENTS_PROVIDER=stripe',
        });
      if (!env.PAYMENTS_RETURN_ORIGINS?.length)
        ctx.addIssue({
          code: 'custom',
          path: ['PAYMENTS_RETURN_ORIGINS'],
          message: 'required with PAYMENTS_PROVIDER=stripe',
        });
    }
  });

export type PaymentsEnv = z.infer<typeof paymentsEnvSchema>;

export type PaymentsConfig = {
  provider: 'sandbox' | 'stripe';
  secretKey: string;
  webhookSecret: string;
  /** Undefined: api.stripe.com. */
  apiBase: URL | undefined;
  /** null: any loopback origin (sandbox only). */
  returnOrigins: string[] | null;
  dbPool: number;
};

export function paymentsConfig(env: PaymentsEnv, supabaseUrl: string): PaymentsConfig {
  if (env.PAYMENTS_PROVIDER === 'stripe') {
    return {
      provider: 'stripe',
      secretKey: env.STRIPE_SECRET_KEY as string,
      webhookSecret: env.STRIPE_WEBHOOK_SECRET as string,
      apiBase: env.STRIPE_API_BASE ? new URL(env.STRIPE_API_BASE) : undefined,
      returnOrigins: env.PAYMENTS_RETURN_ORIGINS ?? [],
      dbPool: env.PAYMENTS_DB_POOL,
    };
  }
  return {
    provider: 'sandbox',
    secretKey: env.STRIPE_SECRET_KEY ?? SANDBOX_API_KEY,
    webhookSecret: env.STRIPE_WEBHOOK_SECRET ?? SANDBOX_WEBHOOK_SECRET,
    apiBase: new URL(
      env.STRIPE_API_BASE ?? `${supabaseUrl.replace(/\/$/, '')}/functions/v1/payments-sandbox`,
    ),
    returnOrigins: env.PAYMENTS_RETURN_ORIGINS ?? null,
    dbPool: env.PAYMENTS_DB_POOL,
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** May a checkout send the payer back to this URL? */
export function returnUrlAllowed(config: Pick<PaymentsConfig, 'returnOrigins'>, url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  if (config.returnOrigins === null) return LOOPBACK.has(parsed.hostname);
  return config.returnOrigins.includes(parsed.origin);
}
