import fs from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { normalizePhone } from './validate';

/**
 * Settings of the local Auth service, resolved once when the service starts, in three layers:
 *   1. our defaults (below);
 *   2. the `[auth]` section of `supabase/config.toml` — the same file `supabase config push`
 *      applies to the hosted project, so local and hosted sign-up rules do not drift;
 *   3. `AUTH_*` environment variables, for one-off overrides.
 * The abuse limits (send interval, attempts, lock-out) are ours and only come from 1 and 3.
 */
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
  /** Seconds a one-time code (SMS or e-mail) stays valid; never more than 600. */
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

export const AUTH_DEFAULTS: AuthConfig = {
  siteUrl: 'http://localhost:3000',
  redirectAllowList: ['http://127.0.0.1:*/**', 'http://localhost:*/**'],
  jwtExpiry: 3600,
  disableSignup: false,
  emailAutoconfirm: true,
  smsAutoconfirm: false,
  secureEmailChange: true,
  minPasswordLength: 6,
  otpLength: 6,
  otpExpiry: 600,
  otpMaxAttempts: 5,
  sendInterval: 60,
  refreshTokenReuseInterval: 10,
  passwordMaxFailures: 10,
  passwordFailureWindow: 900,
  passwordLockout: 900,
  flowStateExpiry: 300,
  messageLocale: 'zh',
  smsTestOtp: new Map(),
};

/** The longest a code may live: one-time codes expire within 10 minutes (OWASP ASVS). */
const MAX_OTP_EXPIRY = 600;

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

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const envSchema = z
  .object({
    AUTH_SITE_URL: z.string().url(),
    AUTH_ADDITIONAL_REDIRECT_URLS: list,
    AUTH_JWT_EXPIRY: int(30),
    AUTH_DISABLE_SIGNUP: bool,
    AUTH_EMAIL_AUTOCONFIRM: bool,
    AUTH_SMS_AUTOCONFIRM: bool,
    AUTH_SECURE_EMAIL_CHANGE: bool,
    AUTH_MINIMUM_PASSWORD_LENGTH: int(6, 72),
    AUTH_OTP_LENGTH: int(6, 10),
    AUTH_OTP_EXPIRY: int(60, MAX_OTP_EXPIRY),
    AUTH_OTP_MAX_ATTEMPTS: int(1),
    AUTH_SEND_INTERVAL: int(0),
    AUTH_REFRESH_TOKEN_REUSE_INTERVAL: int(0),
    AUTH_PASSWORD_MAX_FAILURES: int(1),
    AUTH_PASSWORD_FAILURE_WINDOW: int(1),
    AUTH_PASSWORD_LOCKOUT: int(1),
    AUTH_FLOW_STATE_EXPIRY: int(60),
    AUTH_MESSAGE_LOCALE: z.enum(['zh', 'en']),
    AUTH_SMS_TEST_OTP: z.string(),
  })
  .partial();

function fromEnv(env: Record<string, string | undefined>): Partial<AuthConfig> {
  const parsed = envSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('AUTH_') && v)),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid local Auth settings:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const out: Partial<AuthConfig> = {
    siteUrl: e.AUTH_SITE_URL,
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
    smsTestOtp: e.AUTH_SMS_TEST_OTP !== undefined ? parseTestOtp(e.AUTH_SMS_TEST_OTP) : undefined,
  };
  return withoutUndefined(out);
}

/** The `[auth]` keys of the Supabase CLI's config.toml that the local service honours. */
const tomlSchema = z
  .object({
    auth: z
      .object({
        site_url: z.string().url().optional(),
        additional_redirect_urls: z.array(z.string()).optional(),
        jwt_expiry: z.number().int().min(30).optional(),
        refresh_token_reuse_interval: z.number().int().min(0).optional(),
        enable_signup: z.boolean().optional(),
        minimum_password_length: z.number().int().min(6).max(72).optional(),
        email: z
          .object({
            enable_signup: z.boolean().optional(),
            enable_confirmations: z.boolean().optional(),
            double_confirm_changes: z.boolean().optional(),
            otp_length: z.number().int().min(6).max(10).optional(),
            otp_expiry: z.number().int().min(1).optional(),
          })
          .passthrough()
          .optional(),
        sms: z
          .object({
            enable_confirmations: z.boolean().optional(),
            test_otp: z.record(z.union([z.string(), z.number()])).optional(),
          })
          .passthrough()
          .optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

export function fromConfigToml(file: string): Partial<AuthConfig> {
  if (!fs.existsSync(file)) return {};
  const parsed = tomlSchema.safeParse(parseToml(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid [auth] settings in ${file}:\n${lines.join('\n')}`);
  }
  const a = parsed.data.auth;
  if (!a) return {};
  const testOtp = a.sms?.test_otp
    ? new Map(Object.entries(a.sms.test_otp).map(([phone, code]) => [normalizePhone(phone), String(code)]))
    : undefined;
  return withoutUndefined({
    siteUrl: a.site_url,
    redirectAllowList: a.additional_redirect_urls,
    jwtExpiry: a.jwt_expiry,
    refreshTokenReuseInterval: a.refresh_token_reuse_interval,
    disableSignup: a.enable_signup === undefined ? undefined : !a.enable_signup,
    minPasswordLength: a.minimum_password_length,
    emailAutoconfirm: a.email?.enable_confirmations === undefined ? undefined : !a.email.enable_confirmations,
    secureEmailChange: a.email?.double_confirm_changes,
    otpLength: a.email?.otp_length,
    otpExpiry: a.email?.otp_expiry === undefined ? undefined : Math.min(a.email.otp_expiry, MAX_OTP_EXPIRY),
    smsAutoconfirm: a.sms?.enable_confirmations === undefined ? undefined : !a.sms.enable_confirmations,
    smsTestOtp: testOtp,
  });
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function loadAuthConfig(opts: {
  env: Record<string, string | undefined>;
  configFile?: string;
  local: boolean;
}): AuthConfig {
  const toml = opts.configFile ? fromConfigToml(opts.configFile) : {};
  const env = fromEnv(opts.env);
  const config: AuthConfig = { ...AUTH_DEFAULTS, ...toml, ...env };
  config.siteUrl = config.siteUrl.replace(/\/+$/, '');
  // Fixed codes are a development convenience; they never apply outside local mode.
  config.smsTestOtp = opts.local
    ? new Map([...(toml.smsTestOtp ?? []), ...(env.smsTestOtp ?? [])])
    : new Map();
  return config;
}
