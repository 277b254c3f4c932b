/**
 * QQ Connect (QQ互联), website sign-in:
 *
 * 1. the browser goes to `graph.qq.com/oauth2.0/authorize?response_type=code&client_id
 *    &redirect_uri&state&scope=get_user_info` and comes back to `redirect_uri?code=&state=`;
 * 2. `/oauth2.0/token?grant_type=authorization_code&client_id&client_secret&code&redirect_uri
 *    &fmt=json` → `{access_token, expires_in, refresh_token}` (the redirect_uri must match);
 * 3. `/oauth2.0/me?access_token&unionid=1&fmt=json` → `{client_id, openid, unionid}` (the token
 *    says nothing about the user; `client_id` must be ours, or the token was issued to another app);
 * 4. `/user/get_user_info?access_token&oauth_consumer_key&openid` → `{ret: 0, nickname, figureurl_qq_1, …}`.
 *
 * Failures: `{error, error_description}` on the OAuth endpoints, `{ret != 0, msg}` on the API.
 */
import {
  cleanAvatar,
  cleanNickname,
  endpoint,
  type Fetch,
  getJson,
  type SocialProfile,
  type SocialProvider,
  SocialProviderError,
  type SocialProviderFailure,
  text,
} from './provider.ts';

export type QqConfig = {
  appId: string;
  /** The APP Key QQ Connect issues (the OAuth client secret). */
  appKey: string;
  /** https://graph.qq.com, or the simulator's `/_dev/qq`. */
  baseUrl: string;
  fetch?: Fetch;
};

/** QQ Connect error codes we tell apart; anything else is `rejected`. */
const failures: Record<number, SocialProviderFailure> = {
  100019: 'invalid_code', // code to access token error (unknown or expired code)
  100020: 'invalid_code', // code is reused
  100000: 'misconfigured', // response_type wrong or missing
  100001: 'misconfigured', // client_id wrong or missing
  100002: 'misconfigured', // client_secret wrong or missing
  100005: 'misconfigured', // redirect_uri wrong or missing
  100008: 'misconfigured', // client_id does not exist
  100009: 'misconfigured', // client_secret is wrong
  100010: 'misconfigured', // redirect_uri is not registered for the app
  100016: 'rejected', // access token check failed
};

function checkOAuth(body: Record<string, unknown>, step: string): void {
  if (body.error === undefined) return;
  const code = Number(body.error);
  const description = typeof body.error_description === 'string' ? body.error_description : '';
  throw new SocialProviderError(
    'qq',
    (Number.isFinite(code) && failures[code]) || 'rejected',
    Number.isFinite(code) ? code : null,
    `${step}: error ${body.error} ${description}`.trim(),
  );
}

export function createQqProvider(config: QqConfig): SocialProvider {
  const fetcher: Fetch = config.fetch ?? ((input, init) => fetch(input, init));
  return {
    id: 'qq',
    authorizeUrl(state, redirectUri) {
      return endpoint(config.baseUrl, '/oauth2.0/authorize', {
        response_type: 'code',
        client_id: config.appId,
        redirect_uri: redirectUri,
        state,
        scope: 'get_user_info',
      });
    },
    async exchangeCode(code, { redirectUri }): Promise<SocialProfile> {
      const token = await getJson(
        fetcher,
        'qq',
        endpoint(config.baseUrl, '/oauth2.0/token', {
          grant_type: 'authorization_code',
          client_id: config.appId,
          client_secret: config.appKey,
          code,
          redirect_uri: redirectUri,
          fmt: 'json',
        }),
      );
      checkOAuth(token, 'token');
      const accessToken = text(token, 'access_token');
      if (!accessToken) throw new SocialProviderError('qq', 'unavailable', null, 'token: no access_token');

      const me = await getJson(
        fetcher,
        'qq',
        endpoint(config.baseUrl, '/oauth2.0/me', { access_token: accessToken, unionid: '1', fmt: 'json' }),
      );
      checkOAuth(me, 'me');
      const openid = text(me, 'openid');
      if (!openid) throw new SocialProviderError('qq', 'unavailable', null, 'me: no openid');
      if (String(me.client_id ?? '') !== config.appId) {
        throw new SocialProviderError('qq', 'rejected', null, 'me: the token belongs to another app');
      }

      const info = await getJson(
        fetcher,
        'qq',
        endpoint(config.baseUrl, '/user/get_user_info', {
          access_token: accessToken,
          oauth_consumer_key: config.appId,
          openid,
        }),
      );
      const ret = Number(info.ret ?? -1);
      if (ret !== 0) {
        const msg = typeof info.msg === 'string' ? info.msg : '';
        throw new SocialProviderError(
          'qq',
          'rejected',
          Number.isFinite(ret) ? ret : null,
          `get_user_info: ret ${String(info.ret)} ${msg}`.trim(),
        );
      }
      const unionid = text(me, 'unionid');
      const avatar = cleanAvatar(
        text(info, 'figureurl_qq_2') ?? text(info, 'figureurl_qq_1') ?? text(info, 'figureurl_2'),
      );
      return {
        openid,
        ...(unionid ? { unionid } : {}),
        nickname: cleanNickname(text(info, 'nickname')),
        ...(avatar ? { avatar } : {}),
      };
    },
  };
}
