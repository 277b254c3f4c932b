import { assertEquals, assertThrows } from '../../_testing/assert.ts';
import { readEnv } from '../env.ts';
import { redirectChecker, SIMULATOR_APPS, socialEnvSchema, socialSettings } from './config.ts';

const platform = {
  SUPABASE_URL: 'http://127.0.0.1:54321',
  SUPABASE_SECRET_KEYS: { default: 'sb_secret_local' },
  SUPABASE_SERVICE_ROLE_KEY: undefined,
};

Deno.test('config: locally, providers without credentials use the simulator', () => {
  const settings = socialSettings(readEnv(socialEnvSchema, { SB_REGION: 'local' }), platform);
  assertEquals(settings.modes, { wechat: 'simulator', qq: 'simulator' });
  assertEquals(
    settings.providers.wechat?.authorizeUrl('s', 'http://127.0.0.1:3000/auth/callback/wechat').split('?')[0],
    'http://127.0.0.1:54321/_dev/wechat/open/connect/qrconnect',
  );
  assertEquals(
    new URL(settings.providers.qq!.authorizeUrl('s', 'http://x/')).searchParams.get('client_id'),
    SIMULATOR_APPS.qq.appId,
  );
  assertEquals(settings.signingSecret, 'sb_secret_local');
});

Deno.test('config: hosted, a provider is on only with credentials, and callbacks must be listed', () => {
  assertThrows(
    () => readEnv(socialEnvSchema, {}),
    (e: Error) => /SOCIAL_LOGIN_REDIRECT_URLS/.test(e.message),
  );
  const env = readEnv(socialEnvSchema, {
    SB_REGION: 'ap-southeast-1',
    SOCIAL_LOGIN_REDIRECT_URLS: 'https://wuye.example.com/auth/callback/',
    WECHAT_APP_ID: 'wxabc',
    WECHAT_APP_SECRET: 'secret',
  });
  const settings = socialSettings(env, platform);
  assertEquals(settings.modes, { wechat: 'live' });
  assertEquals(
    settings.providers.wechat
      ?.authorizeUrl('s', 'https://wuye.example.com/auth/callback/wechat')
      .split('?')[0],
    'https://open.weixin.qq.com/connect/qrconnect',
  );
  assertThrows(
    () => readEnv(socialEnvSchema, { SB_REGION: 'local', QQ_APP_ID: '1' }),
    (e: Error) => /QQ_APP_KEY: set together with QQ_APP_ID/.test(e.message),
  );
});

Deno.test('config: no signing secret at all stops the function at boot', () => {
  assertThrows(
    () =>
      socialSettings(readEnv(socialEnvSchema, { SB_REGION: 'local' }), {
        SUPABASE_URL: 'http://127.0.0.1:54321',
        SUPABASE_SECRET_KEYS: undefined,
        SUPABASE_SERVICE_ROLE_KEY: undefined,
      }),
    (e: Error) => /SOCIAL_LOGIN_SECRET/.test(e.message),
  );
});

Deno.test('config: callback URLs are checked against the list, exactly as written', () => {
  const listed = redirectChecker(
    readEnv(socialEnvSchema, {
      SOCIAL_LOGIN_REDIRECT_URLS:
        'https://wuye.example.com/auth/callback/, https://m.wuye.example.com/auth/callback/',
    }),
  );
  assertEquals(listed('https://wuye.example.com/auth/callback/wechat'), true);
  assertEquals(listed('https://m.wuye.example.com/auth/callback/qq'), true);
  assertEquals(listed('https://wuye.example.com.evil.example/auth/callback/wechat'), false);
  assertEquals(listed('https://wuye.example.com/auth/callback/wechat#x'), false);
  assertEquals(listed('https://user@wuye.example.com/auth/callback/wechat'), false);
  assertEquals(listed('not a url'), false);
  const local = redirectChecker(readEnv(socialEnvSchema, { SB_REGION: 'local' }));
  assertEquals(local('http://127.0.0.1:3100/auth/callback/wechat'), true);
  assertEquals(local('http://localhost:3000/auth/callback/qq'), true);
  assertEquals(local('http://evil.example/auth/callback/qq'), false);
  assertEquals(local('http://127.0.0.1:3100/elsewhere'), false);
});
