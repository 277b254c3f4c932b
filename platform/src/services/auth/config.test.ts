import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AUTH_DEFAULTS, fromConfigToml, loadAuthConfig } from './config';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function toml(text: string): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.toml`);
  fs.writeFileSync(file, text);
  return file;
}

const projectToml = toml(`
project_id = "wuye"
[auth]
site_url = "http://localhost:3000"
additional_redirect_urls = ["http://127.0.0.1:3000"]
jwt_expiry = 1800
enable_signup = true
[auth.email]
enable_confirmations = true
otp_expiry = 3600
[auth.sms]
enable_confirmations = false
[auth.sms.test_otp]
"+8613800000000" = "123456"
`);

describe('auth settings', () => {
  it('reads the [auth] section of the Supabase CLI config', () => {
    const t = fromConfigToml(projectToml);
    expect(t).toMatchObject({
      siteUrl: 'http://localhost:3000',
      redirectAllowList: ['http://127.0.0.1:3000'],
      jwtExpiry: 1800,
      disableSignup: false,
      emailAutoconfirm: false,
      smsAutoconfirm: true,
      // Codes never live longer than 10 minutes, whatever the file says.
      otpExpiry: 600,
    });
    expect([...(t.smsTestOtp ?? [])]).toEqual([['8613800000000', '123456']]);
    expect(fromConfigToml(path.join(dir, 'missing.toml'))).toEqual({});
  });

  it('layers defaults, then config.toml, then AUTH_* variables', () => {
    const c = loadAuthConfig({
      env: { AUTH_JWT_EXPIRY: '900', AUTH_SMS_TEST_OTP: '8613900000000=654321', PATH: '/bin' },
      configFile: projectToml,
      local: true,
    });
    expect(c.jwtExpiry).toBe(900);
    expect(c.emailAutoconfirm).toBe(false);
    expect(c.sendInterval).toBe(AUTH_DEFAULTS.sendInterval);
    expect([...c.smsTestOtp.keys()].sort()).toEqual(['8613800000000', '8613900000000']);
  });

  it('drops fixed test codes outside local mode and refuses invalid variables', () => {
    expect(
      loadAuthConfig({ env: { AUTH_SMS_TEST_OTP: '8613900000000=654321' }, local: false }).smsTestOtp.size,
    ).toBe(0);
    expect(() => loadAuthConfig({ env: { AUTH_OTP_EXPIRY: '3600' }, local: true })).toThrow(
      /AUTH_OTP_EXPIRY/,
    );
    expect(() => loadAuthConfig({ env: { AUTH_EMAIL_AUTOCONFIRM: 'maybe' }, local: true })).toThrow(
      /AUTH_EMAIL_AUTOCONFIRM/,
    );
  });

  it('reads the real supabase/config.toml of this project', () => {
    const file = path.resolve(__dirname, '../../../../supabase/config.toml');
    expect(() => fromConfigToml(file)).not.toThrow();
  });
});
