import { withServiceRole } from '@shared/db.ts';
import { platformEnv, readEnv } from '@shared/env.ts';
import { socialEnvSchema, socialSettings } from '@shared/social/config.ts';
import { importSigningKey } from '@shared/social/state.ts';
import { createAccounts } from './accounts.ts';
import { createSocialLoginHandler } from './handler.ts';

const env = platformEnv();
const settings = socialSettings(readEnv(socialEnvSchema), env);
const adminKey = env.SUPABASE_SECRET_KEYS?.default ?? env.SUPABASE_SERVICE_ROLE_KEY;
const anonKey = env.SUPABASE_PUBLISHABLE_KEYS?.default ?? env.SUPABASE_ANON_KEY;
if (!adminKey || !anonKey) {
  throw new Error(
    'Invalid function environment:\n  SUPABASE_SECRET_KEYS / SUPABASE_PUBLISHABLE_KEYS: required',
  );
}
console.info(`[social-login] providers: ${JSON.stringify(settings.modes)}`);

Deno.serve(
  createSocialLoginHandler({
    providers: settings.providers,
    key: await importSigningKey(settings.signingSecret),
    isAllowedRedirect: settings.isAllowedRedirect,
    accounts: createAccounts({
      supabaseUrl: env.SUPABASE_URL,
      adminKey,
      anonKey,
      transaction: (work) => withServiceRole(env, work),
    }),
    now: () => new Date(),
  }),
);
