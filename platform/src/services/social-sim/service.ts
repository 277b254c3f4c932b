import { randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PlatformService, ServiceContext, ServiceFactory } from '../../gateway';
import { sendJson } from '../../gateway';
import { createLogger } from '../../log';
import { SIMULATED_APPS, type SimProvider, TOKEN_TTL_SECONDS } from './apps';
import { avatarUrl, renderAuthorizePage, renderAvatar, renderErrorPage } from './pages';
import { createSimStore, rid, type SimStore, type SimUser } from './store';

/**
 * Local stand-ins for WeChat Open Platform website login and QQ Connect
 * (docs/decisions/0008-wechat-qq-login.md), mounted under `/_dev/wechat/…` and `/_dev/qq/…`
 * in local mode only. Each path mirrors the real host's, so only base URLs differ:
 *
 * | real                                          | simulator                                   |
 * |-----------------------------------------------|---------------------------------------------|
 * | https://open.weixin.qq.com/connect/qrconnect  | /_dev/wechat/open/connect/qrconnect          |
 * | https://api.weixin.qq.com/sns/oauth2/access_token, /sns/userinfo | /_dev/wechat/api/sns/…   |
 * | https://graph.qq.com/oauth2.0/authorize, /token, /me, /user/get_user_info | /_dev/qq/…      |
 *
 * The sign-in page lets a person pick or create a simulated user, then redirects to
 * `redirect_uri?code=&state=` like the provider; the API answers with the providers' field
 * names and error codes (WeChat `{errcode, errmsg}` with HTTP 200, QQ `{error,
 * error_description}` / `{ret, msg}`, JSONP without `fmt=json`). Codes work once, for 10 minutes.
 */

const MAX_FORM_BYTES = 16 * 1024;

function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType: string,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(body);
}

const html = (res: ServerResponse, status: number, body: string) =>
  send(res, status, body, 'text/html; charset=utf-8');

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function httpUrl(value: string | null): URL | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

function redirectBack(res: ServerResponse, redirectUri: URL, params: Record<string, string | null>) {
  const target = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value) target.searchParams.set(name, value);
  res.writeHead(302, { Location: target.href, 'Content-Length': '0', 'Cache-Control': 'no-store' });
  res.end();
}

type AuthorizeRequest = { appId: string; redirectUri: URL; state: string | null };

/**
 * The provider's sign-in page (GET) and its buttons (POST to the same URL): pick or create a
 * simulated user and come back with a code, or cancel and come back with only the state.
 */
async function signInPage(
  ctx: ServiceContext,
  store: SimStore,
  provider: SimProvider,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  parsed: AuthorizeRequest | string,
): Promise<void> {
  if (typeof parsed === 'string') return html(res, 400, renderErrorPage(provider, parsed));
  if (req.method === 'GET' || req.method === 'HEAD') {
    const label = provider === 'wechat' ? '微信用户' : 'QQ用户';
    return html(
      res,
      200,
      renderAuthorizePage({
        provider,
        action: url.pathname + url.search,
        appName: SIMULATED_APPS[provider].name,
        appId: parsed.appId,
        redirectUri: parsed.redirectUri.href,
        users: await store.listUsers(provider),
        apiUrl: ctx.apiUrl,
        suggestedNickname: `${label}${randomInt(1000, 10_000)}`,
      }),
    );
  }
  if (req.method !== 'POST')
    return send(res, 405, 'Method Not Allowed', 'text/plain; charset=utf-8', { Allow: 'GET, POST' });
  let form: URLSearchParams;
  try {
    form = await readForm(req);
  } catch {
    return html(res, 413, renderErrorPage(provider, '请求过大'));
  }
  if (form.get('cancel')) return redirectBack(res, parsed.redirectUri, { state: parsed.state });
  let user: SimUser | null = null;
  const picked = form.get('user');
  if (picked && /^\d+$/.test(picked)) user = await store.findUser(provider, Number(picked));
  const nickname = form.get('nickname')?.trim();
  if (!user && nickname && Array.from(nickname).length <= 64)
    user = await store.createUser(provider, nickname);
  if (!user) return html(res, 400, renderErrorPage(provider, '请选择或新建一个用户'));
  const code = await store.issueCode(provider, parsed.appId, user, parsed.redirectUri.href);
  return redirectBack(res, parsed.redirectUri, { code, state: parsed.state });
}

// ---------------------------------------------------------------------------------------------
// WeChat
// ---------------------------------------------------------------------------------------------

function wechatAuthorize(url: URL): AuthorizeRequest | string {
  const q = url.searchParams;
  const appId = q.get('appid') ?? '';
  if (appId !== SIMULATED_APPS.wechat.appId)
    return 'appid 参数错误：该应用不存在（模拟器只认识 wx10ca1de5e0000001）';
  const redirectUri = httpUrl(q.get('redirect_uri'));
  if (!redirectUri) return 'redirect_uri 参数错误';
  if (q.get('response_type') !== 'code') return 'response_type 参数错误';
  if (!(q.get('scope') ?? '').split(',').includes('snsapi_login')) return 'Scope 参数错误或没有 Scope 权限';
  const state = q.get('state');
  // WeChat's rule: letters and digits, at most 128 bytes.
  if (state && !/^[A-Za-z0-9]{1,128}$/.test(state)) return 'state 参数错误：最多 128 个字母或数字';
  return { appId, redirectUri, state };
}

function wechatJson(res: ServerResponse, body: Record<string, unknown>) {
  // WeChat answers errors with HTTP 200 too; the body says what happened.
  send(res, 200, JSON.stringify(body), 'application/json; encoding=utf-8');
}

function wechatError(res: ServerResponse, errcode: number, errmsg: string) {
  wechatJson(res, { errcode, errmsg: `${errmsg}, rid: ${rid()}` });
}

async function wechatAccessToken(store: SimStore, url: URL, res: ServerResponse) {
  const q = url.searchParams;
  const app = SIMULATED_APPS.wechat;
  const appid = q.get('appid');
  const secret = q.get('secret');
  const code = q.get('code');
  if (!appid) return wechatError(res, 41002, 'appid missing');
  if (appid !== app.appId) return wechatError(res, 40013, 'invalid appid');
  if (!secret) return wechatError(res, 41004, 'appsecret missing');
  if (secret !== app.secret) return wechatError(res, 40125, 'invalid appsecret');
  if (q.get('grant_type') !== 'authorization_code') return wechatError(res, 40002, 'invalid grant_type');
  if (!code) return wechatError(res, 41008, 'missing code');
  const spent = await store.spendCode('wechat', appid, code);
  if (spent.status === 'used') return wechatError(res, 40163, 'code been used');
  if (spent.status === 'unknown') return wechatError(res, 40029, 'invalid code');
  const token = await store.issueToken('wechat', appid, spent.user);
  return wechatJson(res, {
    access_token: token.accessToken,
    expires_in: TOKEN_TTL_SECONDS.wechat,
    refresh_token: token.refreshToken,
    openid: spent.user.openid,
    scope: 'snsapi_login',
    unionid: spent.user.unionid,
  });
}

async function wechatUserinfo(ctx: ServiceContext, store: SimStore, url: URL, res: ServerResponse) {
  const q = url.searchParams;
  const accessToken = q.get('access_token');
  const openid = q.get('openid');
  if (!accessToken) return wechatError(res, 41001, 'access_token missing');
  const found = await store.findToken('wechat', accessToken);
  if (found.status === 'unknown')
    return wechatError(res, 40001, 'invalid credential, access_token is invalid or not latest');
  if (found.status === 'expired') return wechatError(res, 42001, 'access_token expired');
  if (!openid) return wechatError(res, 41009, 'missing openid');
  if (openid !== found.user.openid) return wechatError(res, 40003, 'invalid openid');
  return wechatJson(res, {
    openid: found.user.openid,
    nickname: found.user.nickname,
    sex: 0,
    language: '',
    city: '',
    province: '',
    country: '',
    headimgurl: avatarUrl(ctx.apiUrl, 'wechat', found.user.openid),
    privilege: [],
    unionid: found.user.unionid,
  });
}

// ---------------------------------------------------------------------------------------------
// QQ
// ---------------------------------------------------------------------------------------------

function qqAuthorize(url: URL): AuthorizeRequest | string {
  const q = url.searchParams;
  if (q.get('response_type') !== 'code') return '100000：缺少参数 response_type 或 response_type 非法';
  const appId = q.get('client_id') ?? '';
  if (!appId) return '100001：缺少参数 client_id';
  if (appId !== SIMULATED_APPS.qq.appId) return '100008：client_id 不存在（模拟器只认识 101000001）';
  const redirectUri = httpUrl(q.get('redirect_uri'));
  if (!redirectUri) return '100010：回调地址不合法';
  return { appId, redirectUri, state: q.get('state') };
}

/** QQ's OAuth endpoints answer JSON with `fmt=json` and `callback( … );` (JSONP) without it. */
function qqOAuthAnswer(res: ServerResponse, url: URL, body: Record<string, unknown>) {
  if (url.searchParams.get('fmt') === 'json') return send(res, 200, JSON.stringify(body), 'application/json');
  return send(res, 200, `callback( ${JSON.stringify(body)} );\n`, 'text/html; charset=utf-8');
}

function qqError(res: ServerResponse, url: URL, error: number, description: string) {
  qqOAuthAnswer(res, url, { error, error_description: description });
}

async function qqToken(store: SimStore, url: URL, res: ServerResponse) {
  const q = url.searchParams;
  const app = SIMULATED_APPS.qq;
  const clientId = q.get('client_id');
  const code = q.get('code');
  if (q.get('grant_type') !== 'authorization_code')
    return qqError(res, url, 100000, 'param grant_type is wrong or lost');
  if (!clientId) return qqError(res, url, 100001, 'param client_id is wrong or lost');
  if (clientId !== app.appId) return qqError(res, url, 100008, 'client id is illegal');
  if (!q.get('client_secret')) return qqError(res, url, 100002, 'param client_secret is wrong or lost');
  if (q.get('client_secret') !== app.secret) return qqError(res, url, 100009, 'client secret is illegal');
  if (!q.get('redirect_uri')) return qqError(res, url, 100005, 'param redirect_uri is wrong or lost');
  if (!code) return qqError(res, url, 100019, 'code to access token error');
  const spent = await store.spendCode('qq', clientId, code);
  if (spent.status === 'used') return qqError(res, url, 100020, 'code is reused error');
  if (spent.status === 'unknown') return qqError(res, url, 100019, 'code to access token error');
  if (spent.redirectUri !== q.get('redirect_uri'))
    return qqError(res, url, 100010, 'redirect uri is illegal');
  const token = await store.issueToken('qq', clientId, spent.user);
  const body = {
    access_token: token.accessToken,
    expires_in: String(TOKEN_TTL_SECONDS.qq),
    refresh_token: token.refreshToken,
  };
  if (q.get('fmt') === 'json') return send(res, 200, JSON.stringify(body), 'application/json');
  // The historical default: form-encoded on success.
  return send(res, 200, new URLSearchParams(body).toString(), 'text/plain; charset=utf-8');
}

async function qqMe(store: SimStore, url: URL, res: ServerResponse) {
  const accessToken = url.searchParams.get('access_token');
  const found = accessToken ? await store.findToken('qq', accessToken) : { status: 'unknown' as const };
  if (found.status !== 'ok') return qqError(res, url, 100016, 'access token check failed');
  return qqOAuthAnswer(res, url, {
    client_id: found.appId,
    openid: found.user.openid,
    ...(url.searchParams.get('unionid') === '1' ? { unionid: found.user.unionid } : {}),
  });
}

async function qqUserInfo(ctx: ServiceContext, store: SimStore, url: URL, res: ServerResponse) {
  const q = url.searchParams;
  const accessToken = q.get('access_token');
  const found = accessToken ? await store.findToken('qq', accessToken) : { status: 'unknown' as const };
  const answer = (body: Record<string, unknown>) => send(res, 200, JSON.stringify(body), 'application/json');
  if (found.status !== 'ok') return answer({ ret: 100016, msg: 'access token check failed' });
  if (q.get('oauth_consumer_key') !== found.appId) {
    return answer({ ret: -1, msg: "client request's parameters are invalid, invalid oauth_consumer_key" });
  }
  if (q.get('openid') !== found.user.openid) {
    return answer({ ret: -1, msg: "client request's parameters are invalid, invalid openid" });
  }
  const avatar = avatarUrl(ctx.apiUrl, 'qq', found.user.openid);
  return answer({
    ret: 0,
    msg: '',
    is_lost: 0,
    nickname: found.user.nickname,
    gender: '男',
    gender_type: 1,
    province: '',
    city: '',
    year: '',
    figureurl: avatar,
    figureurl_1: avatar,
    figureurl_2: avatar,
    figureurl_qq_1: avatar,
    figureurl_qq_2: avatar,
    figureurl_qq: avatar,
    is_yellow_vip: '0',
    vip: '0',
    yellow_vip_level: '0',
    level: '0',
    is_yellow_year_vip: '0',
  });
}

// ---------------------------------------------------------------------------------------------

export function createSocialSimService(ctx: ServiceContext): PlatformService {
  const log = createLogger('social-sim');
  const store = createSimStore(ctx.adminPool);

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const m = /^\/_dev\/(wechat|qq)(\/.*)$/.exec(url.pathname);
    if (!m) return false;
    const provider = m[1] as SimProvider;
    const path = m[2];
    const avatar = /^\/avatar\/([^/]+)\.svg$/.exec(path);
    const isPage = path === (provider === 'wechat' ? '/open/connect/qrconnect' : '/oauth2.0/authorize');
    if (!isPage && req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'Method Not Allowed', 'text/plain; charset=utf-8', { Allow: 'GET' });
      return true;
    }
    try {
      if (isPage) {
        await signInPage(
          ctx,
          store,
          provider,
          req,
          res,
          url,
          provider === 'wechat' ? wechatAuthorize(url) : qqAuthorize(url),
        );
      } else if (avatar) {
        const user = await store.findUserByOpenid(provider, decodeURIComponent(avatar[1]));
        if (user) send(res, 200, renderAvatar(user), 'image/svg+xml');
        else send(res, 404, 'Not Found', 'text/plain; charset=utf-8');
      } else if (provider === 'wechat' && path === '/api/sns/oauth2/access_token') {
        await wechatAccessToken(store, url, res);
      } else if (provider === 'wechat' && path === '/api/sns/userinfo') {
        await wechatUserinfo(ctx, store, url, res);
      } else if (provider === 'qq' && path === '/oauth2.0/token') {
        await qqToken(store, url, res);
      } else if (provider === 'qq' && path === '/oauth2.0/me') {
        await qqMe(store, url, res);
      } else if (provider === 'qq' && path === '/user/get_user_info') {
        await qqUserInfo(ctx, store, url, res);
      } else {
        sendJson(res, 404, { message: `The ${provider} simulator has no ${path}` });
      }
    } catch (err) {
      log.error('simulator request failed', { path: url.pathname, error: String(err) });
      if (!res.headersSent) sendJson(res, 500, { message: 'simulator failure' });
    }
    return true;
  }

  return {
    name: 'social-sim',
    // Nothing lives under /social-sim/v1: the simulator only has its /_dev routes.
    handle: (_req, res) => sendJson(res, 404, { message: 'no Route matched with those values' }),
    routes: ctx.local ? route : undefined,
  };
}

export const socialSimService: ServiceFactory = (ctx) => createSocialSimService(ctx);
