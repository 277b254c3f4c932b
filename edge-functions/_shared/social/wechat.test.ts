import { assertEquals, assertMatch } from '../../_testing/assert.ts';
import { SocialProviderError } from './provider.ts';
import recorded from './testdata/wechat.json' with { type: 'json' };
import { recordedFetch } from './testing.ts';
import { createWeChatProvider } from './wechat.ts';

const config = {
  appId: 'wx10ca1de5e0000001',
  appSecret: 'secret-of-the-app',
  openBaseUrl: 'https://open.weixin.qq.com',
  apiBaseUrl: 'https://api.weixin.qq.com',
};

async function failure(promise: Promise<unknown>): Promise<SocialProviderError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SocialProviderError) return err;
    throw err;
  }
  throw new Error('expected a SocialProviderError');
}

Deno.test('wechat: the QR page URL has the parameters in WeChat’s order and the #wechat_redirect suffix', () => {
  const url = createWeChatProvider(config).authorizeUrl(
    '1s0000abcd',
    'https://wuye.example.com/auth/callback/wechat',
  );
  assertEquals(
    url,
    'https://open.weixin.qq.com/connect/qrconnect?appid=wx10ca1de5e0000001' +
      '&redirect_uri=https%3A%2F%2Fwuye.example.com%2Fauth%2Fcallback%2Fwechat' +
      '&response_type=code&scope=snsapi_login&state=1s0000abcd#wechat_redirect',
  );
});

Deno.test('wechat: a code becomes openid, unionid, nickname and avatar', async () => {
  const { fetch, calls } = recordedFetch({
    '/sns/oauth2/access_token': recorded.access_token.ok,
    '/sns/userinfo': recorded.userinfo.ok,
  });
  const profile = await createWeChatProvider({ ...config, fetch }).exchangeCode('061abc', {
    redirectUri: 'https://wuye.example.com/auth/callback/wechat',
  });
  assertEquals(profile, {
    openid: 'oYbGRs8MmU6bESxXcX2Z0rFRivjQ',
    unionid: 'o6_bmasdasdsad6_2sgVt7hMZOPfL',
    nickname: '张三',
    avatar: recorded.userinfo.ok.headimgurl,
  });
  assertEquals(Object.fromEntries(calls[0].searchParams), {
    appid: config.appId,
    secret: config.appSecret,
    code: '061abc',
    grant_type: 'authorization_code',
  });
  assertEquals(calls[1].searchParams.get('access_token'), recorded.access_token.ok.access_token);
  assertEquals(calls[1].searchParams.get('openid'), recorded.access_token.ok.openid);
});

Deno.test('wechat: no unionid and no avatar are left out; the nickname is cleaned', async () => {
  const { fetch } = recordedFetch({
    '/sns/oauth2/access_token': recorded.access_token.ok_without_unionid,
    '/sns/userinfo': recorded.userinfo.ok_no_avatar,
  });
  const profile = await createWeChatProvider({ ...config, fetch }).exchangeCode('061abc', {
    redirectUri: 'x',
  });
  assertEquals(profile, { openid: 'oYbGRs8MmU6bESxXcX2Z0rFRivjQ', nickname: '微信用户' });
});

Deno.test('wechat: errcodes of the token call are classified', async () => {
  const cases: [keyof typeof recorded.access_token, string, number][] = [
    ['invalid_code', 'invalid_code', 40029],
    ['code_used', 'invalid_code', 40163],
    ['invalid_appid', 'misconfigured', 40013],
    ['invalid_secret', 'misconfigured', 40125],
    ['busy', 'unavailable', -1],
  ];
  for (const [name, kind, errcode] of cases) {
    const { fetch, calls } = recordedFetch({ '/sns/oauth2/access_token': recorded.access_token[name] });
    const err = await failure(
      createWeChatProvider({ ...config, fetch }).exchangeCode('c', { redirectUri: 'x' }),
    );
    assertEquals([err.provider, err.failure, err.providerCode], ['wechat', kind, errcode], name);
    assertMatch(err.message, new RegExp(`errcode ${errcode}`));
    assertEquals(calls.length, 1, `${name}: no userinfo call after a failed exchange`);
  }
});

Deno.test('wechat: errcodes of userinfo are rejections', async () => {
  for (const name of ['invalid_openid', 'token_expired'] as const) {
    const { fetch } = recordedFetch({
      '/sns/oauth2/access_token': recorded.access_token.ok,
      '/sns/userinfo': recorded.userinfo[name],
    });
    const err = await failure(
      createWeChatProvider({ ...config, fetch }).exchangeCode('c', { redirectUri: 'x' }),
    );
    assertEquals(err.failure, 'rejected', name);
  }
});

Deno.test('wechat: userinfo for another openid is refused', async () => {
  const { fetch } = recordedFetch({
    '/sns/oauth2/access_token': recorded.access_token.ok,
    '/sns/userinfo': { ...recorded.userinfo.ok, openid: 'oSomeoneElse' },
  });
  const err = await failure(
    createWeChatProvider({ ...config, fetch }).exchangeCode('c', { redirectUri: 'x' }),
  );
  assertEquals(err.failure, 'rejected');
});

Deno.test('wechat: HTTP errors and bodies that are not JSON mean unavailable', async () => {
  const notFound = recordedFetch({});
  const down = await failure(
    createWeChatProvider({ ...config, fetch: notFound.fetch }).exchangeCode('c', { redirectUri: 'x' }),
  );
  assertEquals(down.failure, 'unavailable');
  const html = recordedFetch({ '/sns/oauth2/access_token': '<html>502 Bad Gateway</html>' });
  const garbled = await failure(
    createWeChatProvider({ ...config, fetch: html.fetch }).exchangeCode('c', { redirectUri: 'x' }),
  );
  assertEquals(garbled.failure, 'unavailable');
  const refused = await failure(
    createWeChatProvider({
      ...config,
      fetch: () => Promise.reject(new TypeError('connection refused')),
    }).exchangeCode('c', { redirectUri: 'x' }),
  );
  assertEquals(refused.failure, 'unavailable');
});

Deno.test('wechat: base URLs may point at the simulator', async () => {
  const sim = {
    ...config,
    openBaseUrl: 'http://127.0.0.1:54321/_dev/wechat/open/',
    apiBaseUrl: 'http://127.0.0.1:54321/_dev/wechat/api',
  };
  assertMatch(
    createWeChatProvider(sim).authorizeUrl('s', 'http://127.0.0.1:3000/auth/callback/wechat'),
    /^http:\/\/127\.0\.0\.1:54321\/_dev\/wechat\/open\/connect\/qrconnect\?appid=/,
  );
  const { fetch, calls } = recordedFetch({
    '/_dev/wechat/api/sns/oauth2/access_token': recorded.access_token.ok,
    '/_dev/wechat/api/sns/userinfo': recorded.userinfo.ok,
  });
  await createWeChatProvider({ ...sim, fetch }).exchangeCode('c', { redirectUri: 'x' });
  assertEquals(
    calls.map((u) => u.pathname),
    ['/_dev/wechat/api/sns/oauth2/access_token', '/_dev/wechat/api/sns/userinfo'],
  );
});
