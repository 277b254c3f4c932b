import { createHash } from 'node:crypto';
import type { SimProvider } from './apps';
import type { SimUser } from './store';

/** HTML of the simulator: the provider's sign-in page, its error page, and avatar images. */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const LOOK: Record<SimProvider, { title: string; brand: string; color: string; scan: string }> = {
  wechat: { title: '微信登录', brand: '微信', color: '#07c160', scan: '使用微信扫一扫登录' },
  qq: { title: 'QQ登录', brand: 'QQ', color: '#12b7f5', scan: '使用QQ手机版扫码登录' },
};

const STYLE = `
body{font:15px/1.6 system-ui,-apple-system,"PingFang SC","Noto Sans SC",sans-serif;margin:0;background:#f2f2f2;color:#222}
main{max-width:420px;margin:32px auto;background:#fff;border-radius:12px;padding:24px 28px;box-shadow:0 1px 4px #0002}
h1{font-size:20px;margin:0 0 4px}.sim{font-size:12px;color:#888;margin:0 0 16px}
.app{background:#fafafa;border:1px solid #eee;border-radius:8px;padding:10px 12px;margin-bottom:16px;font-size:13px}
.qr{display:grid;place-items:center;height:120px;border:1px dashed #ccc;border-radius:8px;color:#999;font-size:13px;margin-bottom:16px}
ul{list-style:none;padding:0;margin:0 0 16px;display:flex;flex-direction:column;gap:8px}
button{font:inherit;cursor:pointer;border-radius:8px;border:1px solid #ddd;background:#fff;padding:8px 12px}
.user{display:flex;align-items:center;gap:10px;width:100%;text-align:left}
.user img{width:32px;height:32px;border-radius:6px}.user small{color:#999;display:block;font-size:11px}
.primary{background:var(--c);border-color:var(--c);color:#fff;width:100%;margin-top:8px}
label{display:block;font-size:13px;margin-bottom:4px}input{font:inherit;width:100%;box-sizing:border-box;padding:8px 10px;border:1px solid #ddd;border-radius:8px}
.cancel{border:none;background:none;color:#888;width:100%;margin-top:12px}h2{font-size:14px;margin:16px 0 8px;color:#555}
`;

export function avatarUrl(apiUrl: string, provider: SimProvider, openid: string): string {
  return `${apiUrl}/_dev/${provider}/avatar/${encodeURIComponent(openid)}.svg`;
}

/** The sign-in page: pick a simulated user, create one, or cancel. Every button posts back here. */
export function renderAuthorizePage(opts: {
  provider: SimProvider;
  /** This page's path and query: the forms post here (without the `#wechat_redirect` fragment). */
  action: string;
  appName: string;
  appId: string;
  redirectUri: string;
  users: SimUser[];
  apiUrl: string;
  suggestedNickname: string;
}): string {
  const look = LOOK[opts.provider];
  const action = escapeHtml(opts.action);
  const users = opts.users
    .map(
      (
        u,
      ) => `<li><form method="post" action="${action}"><button class="user" type="submit" name="user" value="${u.id}">
<img alt="" src="${escapeHtml(avatarUrl(opts.apiUrl, opts.provider, u.openid))}"><span>${escapeHtml(u.nickname)}<small>${escapeHtml(u.openid)}</small></span></button></form></li>`,
    )
    .join('\n');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${look.title}（本地模拟）</title><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body style="--c:${look.color}"><main>
<h1>${look.title}</h1><p class="sim">本地模拟器 · Local ${look.brand} simulator — 不连接真实的${look.brand}</p>
<div class="app">「${escapeHtml(opts.appName)}」申请使用您的${look.brand}头像、昵称登录<br><small>AppID ${escapeHtml(opts.appId)} → ${escapeHtml(opts.redirectUri)}</small></div>
<div class="qr" aria-hidden="true">${look.scan}（模拟：在下方选择${look.brand}用户）</div>
${users ? `<h2>选择${look.brand}用户并确认登录</h2><ul>${users}</ul>` : ''}
<h2>新建模拟${look.brand}用户</h2>
<form method="post" action="${action}"><label for="nickname">昵称</label><input id="nickname" name="nickname" maxlength="64" value="${escapeHtml(opts.suggestedNickname)}" required>
<button class="primary" type="submit">新建并确认登录</button></form>
<form method="post" action="${action}"><button class="cancel" type="submit" name="cancel" value="1">取消登录</button></form>
</main></body></html>`;
}

/** What the provider shows instead of signing in when the request is broken. */
export function renderErrorPage(provider: SimProvider, message: string): string {
  const look = LOOK[provider];
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${look.title}</title><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body><main><h1>${look.title}</h1><p class="sim">本地模拟器</p><p>${escapeHtml(message)}</p></main></body></html>`;
}

/** A square avatar: the nickname's first character on a colour picked from the openid. */
export function renderAvatar(user: SimUser): string {
  const hue = createHash('sha256').update(user.openid).digest()[0] * (360 / 256);
  const initial = escapeHtml(Array.from(user.nickname)[0] ?? '?');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="132" height="132" viewBox="0 0 132 132">
<rect width="132" height="132" fill="hsl(${Math.round(hue)} 55% 55%)"/>
<text x="66" y="66" dy=".35em" text-anchor="middle" font-family="sans-serif" font-size="64" fill="#fff">${initial}</text></svg>`;
}
