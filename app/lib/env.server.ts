import { z } from 'zod';
import type { PublicEnv } from '~/lib/public-env';

/** A JWT's payload, or null when the value is not JWT-shaped. */
function jwtPayload(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

const postgresUrl = z
  .string()
  .url()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  APP_MODE: z.enum(['local', 'hosted']).default('local'),
  SUPABASE_URL: z.string().url(),
  // Publishable `sb_publishable_…` key or legacy anon JWT. It is sent to the browser,
  // so a secret key pasted here by mistake is rejected instead of leaked.
  SUPABASE_ANON_KEY: z
    .string()
    .min(1)
    .refine((value) => !value.startsWith('sb_secret_'), 'is a secret key; use the publishable/anon key')
    .refine((value) => jwtPayload(value)?.role !== 'service_role', 'is a service_role JWT; use the anon key'),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(1).optional(),
  DATABASE_URL: postgresUrl,
});

export type Env = z.infer<typeof schema>;

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment variables:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Parsed once, when the server build is first imported; a bad value stops start-up. */
export const env = parseEnv(process.env);

/** The only variables the browser may see (exposed as `window.ENV` by the root route). */
export function publicEnv(): PublicEnv {
  return {
    SUPABASE_URL: env.SUPABASE_URL,
    SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY,
    APP_MODE: env.APP_MODE,
  };
}
