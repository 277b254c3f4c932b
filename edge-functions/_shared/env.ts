/**
 * The only module that reads `Deno.env`. Every function validates its environment once, at
 * start-up, by calling `platformEnv()` (and `readEnv(schema)` for its own secrets) at the top
 * of its `index.ts`; a missing or malformed variable then stops the worker at boot with a
 * message naming it, instead of failing on some later request.
 */
import { z } from 'zod';

/** `{"default":"sb_…"}` as hosted Supabase passes SUPABASE_PUBLISHABLE_KEYS / SUPABASE_SECRET_KEYS. */
const keyMap = z.string().transform((text, ctx) => {
  try {
    return z.record(z.string().min(1)).parse(JSON.parse(text));
  } catch {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a JSON object of key names to keys' });
    return z.NEVER;
  }
});

/** What hosted Supabase (and the local platform) give every function. */
export const platformEnvSchema = z.object({
  SUPABASE_URL: z.string().url(),
  SUPABASE_DB_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  // Legacy JWT keys: present until a project disables them (hosted deprecates them in 2026).
  SUPABASE_ANON_KEY: z.string().min(1).optional(),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(1).optional(),
  SUPABASE_PUBLISHABLE_KEYS: keyMap.optional(),
  SUPABASE_SECRET_KEYS: keyMap.optional(),
});

export type PlatformEnv = z.infer<typeof platformEnvSchema>;

/** Parses `source` (the process environment by default) with `schema`; throws one error listing every problem. */
export function readEnv<T extends z.ZodTypeAny>(
  schema: T,
  source: Record<string, string> = Deno.env.toObject(),
): z.infer<T> {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid function environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

let cached: PlatformEnv | undefined;

/** The validated platform variables, parsed on first call. */
export function platformEnv(): PlatformEnv {
  cached ??= readEnv(platformEnvSchema);
  return cached;
}
