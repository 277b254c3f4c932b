/**
 * Third-party sign-in providers that Supabase Auth does not have (WeChat, QQ). Each one turns
 * an authorization `code` into the provider's user: the `social-login` function does the rest
 * (docs/decisions/0008-wechat-qq-login.md). Clients take their base URLs from configuration,
 * so the local simulator (`/_dev/wechat`, `/_dev/qq`) stands in for the real hosts.
 */

export const socialProviderIds = ['wechat', 'qq'] as const;
export type SocialProviderId = (typeof socialProviderIds)[number];

export function isSocialProviderId(value: unknown): value is SocialProviderId {
  return typeof value === 'string' && (socialProviderIds as readonly string[]).includes(value);
}

/** The provider's user, as far as we keep it. */
export type SocialProfile = {
  /** Id of the user for our app (per app id). */
  openid: string;
  /** Id of the user across our apps under one developer account, when the provider returns it. */
  unionid?: string;
  nickname: string;
  /** Avatar URL (http or https), when the user has one. */
  avatar?: string;
};

export interface SocialProvider {
  readonly id: SocialProviderId;
  /** Where to send the browser: the provider's sign-in page, which comes back to `redirectUri?code=&state=`. */
  authorizeUrl(state: string, redirectUri: string): string;
  /**
   * The user behind a code (one use, minutes long). `redirectUri` must be the one the code was
   * issued for: QQ checks it; WeChat ignores it.
   */
  exchangeCode(code: string, opts: { redirectUri: string }): Promise<SocialProfile>;
}

/**
 * What went wrong at the provider, classified for the caller:
 * - `invalid_code`: unknown, expired or already used code (the person should start again);
 * - `misconfigured`: our app id/secret or callback address are refused (an operator must act);
 * - `unavailable`: the provider failed or answered something unreadable (try again later);
 * - `rejected`: any other refusal (an access token or openid the provider does not accept).
 */
export type SocialProviderFailure = 'invalid_code' | 'misconfigured' | 'unavailable' | 'rejected';

export class SocialProviderError extends Error {
  constructor(
    readonly provider: SocialProviderId,
    readonly failure: SocialProviderFailure,
    /** The provider's own code (WeChat `errcode`, QQ `error` or `ret`), for the logs. */
    readonly providerCode: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'SocialProviderError';
  }
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** Provider calls give up after this long: a person is waiting on the callback page. */
export const PROVIDER_TIMEOUT_MS = 10_000;

/**
 * GETs `url` and parses its body as JSON whatever the Content-Type says (WeChat and QQ label
 * JSON inconsistently; QQ's older endpoints wrap it as `callback( {…} );`).
 */
export async function getJson(
  fetcher: Fetch,
  provider: SocialProviderId,
  url: string,
): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetcher(url, { signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
  } catch (err) {
    throw new SocialProviderError(provider, 'unavailable', null, `request failed: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    throw new SocialProviderError(
      provider,
      'unavailable',
      null,
      `HTTP ${res.status} from ${new URL(url).pathname}`,
    );
  }
  const unwrapped = /^\s*callback\(\s*([\s\S]*?)\s*\);?\s*$/.exec(text)?.[1] ?? text;
  let body: unknown;
  try {
    body = JSON.parse(unwrapped);
  } catch {
    throw new SocialProviderError(provider, 'unavailable', null, `not JSON from ${new URL(url).pathname}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SocialProviderError(
      provider,
      'unavailable',
      null,
      `unexpected JSON from ${new URL(url).pathname}`,
    );
  }
  return body as Record<string, unknown>;
}

/** A non-empty string field, or undefined. */
export function text(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Nicknames are shown, not trusted: trimmed, control characters dropped, at most 64 characters. */
export function cleanNickname(raw: string | undefined): string {
  const printable = Array.from(raw ?? '').filter((ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return code >= 0x20 && code !== 0x7f;
  });
  return Array.from(printable.join('').trim()).slice(0, 64).join('');
}

/** An avatar URL we are willing to store and show: http(s), at most 1024 characters. */
export function cleanAvatar(raw: string | undefined): string | undefined {
  if (!raw || raw.length > 1024) return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Joins a configured base URL (no trailing slash needed) and a path. */
export function endpoint(base: string, path: string, params: Record<string, string>): string {
  const url = new URL(base.replace(/\/+$/, '') + path);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}
