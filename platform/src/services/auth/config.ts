import { z } from 'zod';
import { normalizePhone } from './validate';

/**
 * Settings of the local Auth service, read once from the environment when the service
 * starts. Names follow the Supabase CLI's `[auth]` section of config.toml where one exists
 * (for example `AUTH_JWT_EXPIRY` ↔ `jwt_expiry`); the limits are ours (see docs/auth.md).
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const seconds = z.coerce.number().int().min(0);
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const schema = z.object({
  AUTH_SITE_URL: z.string().url().default('http://127.0.0.1:3000'),
  AUTH_ADDITIONAL_REDIRECT_URLS: list.default('http://127.0.0.1:*/**,http://localhost:*/**'),
  AUTH_JWT_EXPIRY: seconds.min(30).default(3600),
  AUTH_DISABLE_SIGNUP: bool.default('false'),
  AUTH_EMAIL_AUTOCONFIRM: bool.default('true'),
  AUTH_SMS_AUTOCONFIRM: bool.default('false'),
  AUTH_SECURE_EMAIL_CHANGE: bool.default('true'),
  AUTH_MINIMUM_PASSWORD_LENGTH: z.coerce.number().int().min(6).max(72).default(6),
  AUTH_OTP_LENGTH: z.coerce.number().int().min(6).max(10).default(6),
  AUTH_OTP_EXPIRY: seconds.min(60).max(600).default(600),
  AUTH_OTP_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  AUTH_SEND_INTERVAL: seconds.default(60),
  AUTH_REFRESH_TOKEN_REUSE_INTERVAL: seconds.default(10),
  AUTH_PASSWORD_MAX_FAILURES: z.coerce.number().int().min(1).default(10),
  AUTH_PASSWORD_FAILURE_WINDOW: seconds.min(1).default(900),
  AUTH_PASSWORD_LOCKOUT: seconds.min(1).default(900),
  AUTH_FLOW_STATE_EXPIRY: seconds.min(60).default(300),
  AUTH_MESSAGE_LOCALE: z.enum(['zh', 'en']).default('zh'),
  AUTH_SMS_TEST_OTP: z.string().default(''),
});

export type AuthConfig = {
  siteUrl: string;
  redirectAllowList: string[];
  jwtExpiry: number;
  disableSignup: boolean;
  emailAutoconfirm: boolean;
  smsAutoconfirm: boolean;
  secureEmailChange: boolean;
  minPasswordLength: number;
  otpLength: number;
  /** Seconds a one-time code (SMS or e-mail) stays valid. */
  otpExpiry: number;
  otpMaxAttempts: number;
  /** Minimum seconds between two codes to the same phone or e-mail address. */
  sendInterval: number;
  refreshTokenReuseInterval: number;
  passwordMaxFailures: number;
  passwordFailureWindow: number;
  passwordLockout: number;
  flowStateExpiry: number;
  /** Language of SMS and e-mails when neither the user nor the request says otherwise. */
  messageLocale: 'zh' | 'en';
  /** Fixed codes per phone (GoTrue form), like `[auth.sms.test_otp]`. Local mode only. */
  smsTestOtp: Map<string, string>;
};

/** Parses `8613800000000=123456,+86 139…=654321` into a phone → code map. */
export function parseTestOtp(value: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [phone, code] = pair.split('=').map((s) => s?.trim());
    if (!phone || !code || !/^\d{4,10}$/.test(code)) {
      throw new Error(`AUTH_SMS_TEST_OTP: expected <phone>=<digits>, got "${pair}"`);
    }
    map.set(normalizePhone(phone), code);
  }
  return map;
}

export function loadAuthConfig(env: NodeJS.ProcessEnv, opts: { local: boolean }): AuthConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid local Auth settings:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    siteUrl: e.AUTH_SITE_URL.replace(/\/+$/, ''),
    redirectAllowList: e.AUTH_ADDITIONAL_REDIRECT_URLS,
    jwtExpiry: e.AUTH_JWT_EXPIRY,
    disableSignup: e.AUTH_DISABLE_SIGNUP,
    emailAutoconfirm: e.AUTH_EMAIL_AUTOCONFIRM,
    smsAutoconfirm: e.AUTH_SMS_AUTOCONFIRM,
    secureEmailChange: e.AUTH_SECURE_EMAIL_CHANGE,
    minPasswordLength: e.AUTH_MINIMUM_PASSWORD_LENGTH,
    otpLength: e.AUTH_OTP_LENGTH,
    otpExpiry: e.AUTH_OTP_EXPIRY,
    otpMaxAttempts: e.AUTH_OTP_MAX_ATTEMPTS,
    sendInterval: e.AUTH_SEND_INTERVAL,
    refreshTokenReuseInterval: e.AUTH_REFRESH_TOKEN_REUSE_INTERVAL,
    passwordMaxFailures: e.AUTH_PASSWORD_MAX_FAILURES,
    passwordFailureWindow: e.AUTH_PASSWORD_FAILURE_WINDOW,
    passwordLockout: e.AUTH_PASSWORD_LOCKOUT,
    flowStateExpiry: e.AUTH_FLOW_STATE_EXPIRY,
    messageLocale: e.AUTH_MESSAGE_LOCALE,
    // Fixed codes are a development convenience; they never apply outside local mode.
    smsTestOtp: opts.local ? parseTestOtp(e.AUTH_SMS_TEST_OTP) : new Map(),
  };
}
