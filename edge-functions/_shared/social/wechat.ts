/**
 * WeChat Open Platform, website application QR login (网站应用微信登录):
 *
 * 1. the browser goes to `open.weixin.qq.com/connect/qrconnect?appid&redirect_uri&response_type=code
 *    &scope=snsapi_login&state#wechat_redirect` (parameters in this order; WeChat is strict);
 * 2. after the person confirms on their phone, WeChat redirects to `redirect_uri?code=&state=`
 *    (only `state` when they refuse);
 * 3. `api.weixin.qq.com/sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code`
 *    → `{access_token, expires_in, refresh_token, openid, scope, unionid}`;
 * 4. `/sns/userinfo?access_token&openid` → `{openid, nickname, headimgurl, unionid, …}`.
 *
 * Failures are HTTP 200 with `{errcode, errmsg}` (errmsg often ends with `, rid: …`).
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

export type WeChatConfig = {
  appId: string;
  appSecret: string;
  /** https://open.weixin.qq.com (the QR page), or the simulator's `/_dev/wechat/open`. */
  openBaseUrl: string;
  /** https://api.weixin.qq.com, or the simulator's `/_dev/wechat/api`. */
  apiBaseUrl: string;
  fetch?: Fetch;
};

/** WeChat errcodes we tell apart; anything else is `rejected`. */
const failures: Record<number, SocialProviderFailure> = {
  [-1]: 'unavailable', // system busy
  40029: 'invalid_code', // invalid code (also expired ones)
  40163: 'invalid_code', // code been used
  42003: 'invalid_code', // code expired
  41008: 'invalid_code', // missing code
  40013: 'misconfigured', // invalid appid
  40125: 'misconfigured', // invalid appsecret
  41002: 'misconfigured', // appid missing
  41004: 'misconfigured', // appsecret missing
  40002: 'misconfigured', // invalid grant_type
  40001: 'rejected', // invalid credential (access_token)
  42001: 'rejected', // access_token expired
  40003: 'rejected', // invalid openid
};

function check(body: Record<string, unknown>, step: string): void {
  const errcode = Number(body.errcode ?? 0);
  if (!Number.isFinite(errcode) || errcode === 0) return;
  const errmsg = typeof body.errmsg === 'string' ? body.errmsg : '';
  throw new SocialProviderError(
    'wechat',
    failures[errcode] ?? 'rejected',
    errcode,
    `${step}: errcode ${errcode} ${errmsg}`.trim(),
  );
}

export function createWeChatProvider(config: WeChatConfig): SocialProvider {
  const fetcher: Fetch = config.fetch ?? ((input, init) => fetch(input, init));
  return {
    id: 'wechat',
    authorizeUrl(state, redirectUri) {
      const url = endpoint(config.openBaseUrl, '/connect/qrconnect', {
        appid: config.appId,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: 'snsapi_login',
        state,
      });
      return `${url}#wechat_redirect`;
    },
    async exchangeCode(code): Promise<SocialProfile> {
      const token = await getJson(
        fetcher,
        'wechat',
        endpoint(config.apiBaseUrl, '/sns/oauth2/access_token', {
          appid: config.appId,
          secret: config.appSecret,
          code,
          grant_type: 'authorization_code',
        }),
      );
      check(token, 'access_token');
      const accessToken = text(token, 'access_token');
      const openid = text(token, 'openid');
      if (!accessToken || !openid) {
        throw new SocialProviderError(
          'wechat',
          'unavailable',
          null,
          'access_token: no access_token or openid',
        );
      }
      const info = await getJson(
        fetcher,
        'wechat',
        endpoint(config.apiBaseUrl, '/sns/userinfo', { access_token: accessToken, openid, lang: 'zh_CN' }),
      );
      check(info, 'userinfo');
      if (text(info, 'openid') !== openid) {
        throw new SocialProviderError('wechat', 'rejected', null, 'userinfo: openid differs from the token');
      }
      const unionid = text(info, 'unionid') ?? text(token, 'unionid');
      const avatar = cleanAvatar(text(info, 'headimgurl'));
      return {
        openid,
        ...(unionid ? { unionid } : {}),
        nickname: cleanNickname(text(info, 'nickname')),
        ...(avatar ? { avatar } : {}),
      };
    },
  };
}
