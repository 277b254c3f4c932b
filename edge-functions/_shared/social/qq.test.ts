import { assertEquals } from '../../_testing/assert.ts';
import { SocialProviderError } from './provider.ts';
import { createQqProvider } from './qq.ts';
import recorded from './testdata/qq.json' with { type: 'json' };
import { recordedFetch } from './testing.ts';

const config = { appId: '101000001', appKey: 'key-of-the-app', baseUrl: 'https://graph.qq.com' };
const redirectUri = 'https://wuye.example.com/auth/callback/qq';

async function failure(promise: Promise<unknown>): Promise<SocialProviderError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SocialProviderError) return err;
    throw err;
  }
  throw new Error('expected a SocialProviderError');
}

const happy = {
  '/oauth2.0/token': recorded.token.ok,
  '/oauth2.0/me': recorded.me.ok,
  '/user/get_user_info': recorded.get_user_info.ok,
};

Deno.test('qq: the authorize URL', () => {
  assertEquals(
    createQqProvider(config).authorizeUrl('1s00ff', redirectUri),
    'https://graph.qq.com/oauth2.0/authorize?response_type=code&client_id=101000001' +
      '&redirect_uri=https%3A%2F%2Fwuye.example.com%2Fauth%2Fcallback%2Fqq&state=1s00ff&scope=get_user_info',
  );
});

Deno.test('qq: a code becomes openid, unionid, nickname and avatar in three calls', async () => {
  const { fetch, calls } = recordedFetch(happy, { contentType: 'application/json' });
  const profile = await createQqProvider({ ...config, fetch }).exchangeCode('ABC123', { redirectUri });
  assertEquals(profile, {
    openid: '942FEA70050EEAFBD4DCE2C1FC775E56',
    unionid: 'UID_2DA1C4B2A16CCB8FD6B36D2BC4B3B4A5',
    nickname: 'Peter',
    avatar: recorded.get_user_info.ok.figureurl_qq_2,
  });
  assertEquals(Object.fromEntries(calls[0].searchParams), {
    grant_type: 'authorization_code',
    client_id: config.appId,
    client_secret: config.appKey,
    code: 'ABC123',
    redirect_uri: redirectUri,
    fmt: 'json',
  });
  assertEquals(Object.fromEntries(calls[1].searchParams), {
    access_token: recorded.token.ok.access_token,
    unionid: '1',
    fmt: 'json',
  });
  assertEquals(Object.fromEntries(calls[2].searchParams), {
    access_token: recorded.token.ok.access_token,
    oauth_consumer_key: config.appId,
    openid: recorded.me.ok.openid,
  });
});

Deno.test('qq: the JSONP wrapper of older answers is understood', async () => {
  const { fetch } = recordedFetch({ ...happy, '/oauth2.0/me': recorded.me.jsonp });
  const profile = await createQqProvider({ ...config, fetch }).exchangeCode('ABC123', { redirectUri });
  assertEquals(profile.openid, '942FEA70050EEAFBD4DCE2C1FC775E56');
  assertEquals(profile.unionid, undefined);
});

Deno.test('qq: token errors are classified', async () => {
  const cases: [keyof typeof recorded.token, string, number][] = [
    ['invalid_code', 'invalid_code', 100019],
    ['code_reused', 'invalid_code', 100020],
    ['bad_secret', 'misconfigured', 100009],
    ['bad_redirect', 'misconfigured', 100010],
  ];
  for (const [name, kind, code] of cases) {
    const { fetch, calls } = recordedFetch({ ...happy, '/oauth2.0/token': recorded.token[name] });
    const err = await failure(createQqProvider({ ...config, fetch }).exchangeCode('c', { redirectUri }));
    assertEquals([err.provider, err.failure, err.providerCode], ['qq', kind, code], name);
    assertEquals(calls.length, 1, name);
  }
});

Deno.test('qq: a token of another app or a failed check is refused', async () => {
  const other = recordedFetch({ ...happy, '/oauth2.0/me': recorded.me.other_app });
  assertEquals(
    (await failure(createQqProvider({ ...config, fetch: other.fetch }).exchangeCode('c', { redirectUri })))
      .failure,
    'rejected',
  );
  assertEquals(other.calls.length, 2, 'no user info for a foreign token');
  const checkFailed = recordedFetch({ ...happy, '/oauth2.0/me': recorded.me.token_check_failed });
  const err = await failure(
    createQqProvider({ ...config, fetch: checkFailed.fetch }).exchangeCode('c', { redirectUri }),
  );
  assertEquals([err.failure, err.providerCode], ['rejected', 100016]);
});

Deno.test('qq: get_user_info with ret != 0 is refused', async () => {
  const { fetch } = recordedFetch({ ...happy, '/user/get_user_info': recorded.get_user_info.invalid_openid });
  const err = await failure(createQqProvider({ ...config, fetch }).exchangeCode('c', { redirectUri }));
  assertEquals([err.failure, err.providerCode], ['rejected', -1]);
});
