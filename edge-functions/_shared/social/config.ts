/**
 * Settings of WeChat and QQ sign-in, from the function's environment (validated at boot by
 * `readEnv`). A provider is on when its app id and secret are set; on the local platform
 * (`SB_REGION=local`) a provider without credentials talks to the platform's simulator
 * instead (`<SUPABASE_URL>/_dev/wechat`, `/_dev/qq`), which speaks the same wire format.
 */
import { z } from 'zod';
import type { PlatformEnv } from '../env.ts';
import type { Fetch, SocialProvider, SocialProviderId } from './provider.ts';
import { createQqProvider } from './qq.ts';
import { createWeChatProvider } from './wechat.ts';

export const socialEnvSchema = z
  .object({
    SB_REGION: z.string().optional(),
    /** HMAC secret for states and tickets; defaults to one derived from the project's secret key. */
    SOCIAL_LOGIN_SECRET: z.string().min(32).optional(),
    /** Comma-separated callback URL prefixes the app may use, e.g. `https://wuye.example.com/auth/callback/`. */
    SOCIAL_LOGIN_REDIRECT_URLS: z.string().min(1).optional(),
    WECHAT_APP_ID: z.string().min(1).optional(),
    WECHAT_APP_SECRET: z.string().min(1).optional(),
    WECHAT_OPEN_BASE_URL: z.string().url().default('https://open.weixin.qq.com'),
    WECHAT_API_BASE_URL: z.string().url().default('https://api.weixin.qq.com'),
    QQ_APP_ID: z.string().min(1).optional(),
    QQ_APP_KEY: z.string().min(1).optional(),
    QQ_API_BASE_URL: z.string().url().default('https://graph.qq.com'),
  })
  .superRefine((env, ctx) => {
    for (const [id, secret] of [
      ['WECHAT_APP_ID', 'WECHAT_APP_SECRET'],
      ['QQ_APP_ID', 'QQ_APP_KEY'],
    ] as const) {
      if (!env[id] !== !env[secret]) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [env[id] ? secret : id],
          message: `set together with ${env[id] ? id : secret}`,
        });
      }
    }
    if (env.SB_REGION !== 'local' && !env.SOCIAL_LOGIN_REDIRECT_URLS) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['SOCIAL_LOGIN_REDIRECT_URLS'],
        message: 'required outside the local platform (the app\u2019s /auth/callback/ URL)',
      });
    }
  });

export type SocialEnv = z.infer<typeof socialEnvSchema>;

/**
 * The simulator's app credentials. The local platform's simulator
 * (platform/src/services/social-sim/apps.ts) accepts exactly these; they are not secrets.
 */
export const SIMULATOR_APPS = {
  wechat: { appId: 'wx10ca1de5e0000001', appSecret: 'local-simulator-wechat-app-secret' },
  qq: { appId: '101000001', appKey: 'local-simulator-qq-app-key' },
} as const;

export type ProviderMode = 'live' | 'simulator';

export type SocialSettings = {
  providers: Partial<Record<SocialProviderId, SocialProvider>>;
  modes: Partial<Record<SocialProviderId, ProviderMode>>;
  /** Secret the signing key is derived from. */
  signingSecret: string;
  isAllowedRedirect: (uri: string) => boolean;
};

/** Loopback callbacks only, for the local platform when no list is configured. */
const LOCAL_CALLBACK = /^http:\/\/(127\.0\.0\.1|localhost)(:\d{1,5})?\/auth\/callback\/[a-z]+$/;

export function redirectChecker(env: SocialEnv): (uri: string) => boolean {
  const prefixes = (env.SOCIAL_LOGIN_REDIRECT_URLS ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return (uri) => {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return false;
    }
    // No credentials, fragments or odd normalisations: the URL must be exactly what was written.
    if (url.href !== uri || url.username || url.password || url.hash) return false;
    if (prefixes.length) return prefixes.some((prefix) => uri.startsWith(prefix));
    return env.SB_REGION === 'local' && LOCAL_CALLBACK.test(uri);
  };
}

export function socialSettings(
  env: SocialEnv,
  platform: Pick<PlatformEnv, 'SUPABASE_URL' | 'SUPABASE_SECRET_KEYS' | 'SUPABASE_SERVICE_ROLE_KEY'>,
  fetcher?: Fetch,
): SocialSettings {
  const local = env.SB_REGION === 'local';
  const simulator = (path: string) => `${platform.SUPABASE_URL.replace(/\/+$/, '')}/_dev/${path}`;
  const providers: SocialSettings['providers'] = {};
  const modes: SocialSettings['modes'] = {};

  if (env.WECHAT_APP_ID && env.WECHAT_APP_SECRET) {
    providers.wechat = createWeChatProvider({
      appId: env.WECHAT_APP_ID,
      appSecret: env.WECHAT_APP_SECRET,
      openBaseUrl: env.WECHAT_OPEN_BASE_URL,
      apiBaseUrl: env.WECHAT_API_BASE_URL,
      fetch: fetcher,
    });
    modes.wechat = 'live';
  } else if (local) {
    providers.wechat = createWeChatProvider({
      ...SIMULATOR_APPS.wechat,
      openBaseUrl: simulator('wechat/open'),
      apiBaseUrl: simulator('wechat/api'),
      fetch: fetcher,
    });
    modes.wechat = 'simulator';
  }

  if (env.QQ_APP_ID && env.QQ_APP_KEY) {
    providers.qq = createQqProvider({
      appId: env.QQ_APP_ID,
      appKey: env.QQ_APP_KEY,
      baseUrl: env.QQ_API_BASE_URL,
      fetch: fetcher,
    });
    modes.qq = 'live';
  } else if (local) {
    providers.qq = createQqProvider({ ...SIMULATOR_APPS.qq, baseUrl: simulator('qq'), fetch: fetcher });
    modes.qq = 'simulator';
  }

  const signingSecret =
    env.SOCIAL_LOGIN_SECRET ?? platform.SUPABASE_SECRET_KEYS?.default ?? platform.SUPABASE_SERVICE_ROLE_KEY;
  if (!signingSecret) {
    throw new Error(
      'Invalid function environment:\n  SOCIAL_LOGIN_SECRET: required when the project has no secret key',
    );
  }
  return { providers, modes, signingSecret, isAllowedRedirect: redirectChecker(env) };
}
