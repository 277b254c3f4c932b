import { createServerClient, parseCookieHeader, serializeCookieHeader } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';
import { getLocale } from '~/i18n/locale.server';
import { env } from '~/lib/env.server';

export type SupabaseServer = {
  supabase: SupabaseClient;
  /**
   * `Set-Cookie` and the cache headers @supabase/ssr asks for whenever it writes the session.
   * Every loader or action that used `supabase` returns these on its response (data,
   * redirect or thrown error), otherwise a refreshed session would be lost.
   */
  headers: Headers;
};

/** Cookies are `Secure` when the browser reached us over HTTPS (directly or through a proxy). */
function isHttps(request: Request): boolean {
  const forwarded = request.headers.get('X-Forwarded-Proto')?.split(',')[0]?.trim();
  return (forwarded ?? new URL(request.url).protocol.replace(':', '')) === 'https';
}

/**
 * A Supabase client for one request, keeping the session in the request's cookies through
 * @supabase/ssr (PKCE, cookie name derived from SUPABASE_URL, chunking and encoding as the
 * library does them). Create one per request: the cache headers come only with its first write.
 */
export function createSupabaseServerClient(request: Request): SupabaseServer {
  const headers = new Headers();
  const supabase = createServerClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
    cookieOptions: { secure: isHttps(request) },
    cookies: {
      getAll: () => parseCookieHeader(request.headers.get('Cookie') ?? ''),
      setAll(cookies, cacheHeaders) {
        for (const { name, value, options } of cookies) {
          headers.append('Set-Cookie', serializeCookieHeader(name, value, options));
        }
        for (const [name, value] of Object.entries(cacheHeaders ?? {})) headers.set(name, value);
      },
    },
    // Codes by SMS and e-mail are worded in the page's language (the local Auth service reads
    // this header; hosted templates ignore it).
    global: { headers: { 'Accept-Language': getLocale(request) } },
  });
  return { supabase, headers };
}

const cacheHeaderNames = ['Cache-Control', 'Expires', 'Pragma'] as const;

/**
 * For a route's `headers` export: keeps the no-store cache headers a loader or action got from
 * @supabase/ssr (Remix keeps only their cookies by default), so a page that wrote a session is
 * never cached by a proxy.
 */
export function authCacheHeaders({
  loaderHeaders,
  actionHeaders,
  errorHeaders,
  parentHeaders,
}: {
  loaderHeaders: Headers;
  actionHeaders: Headers;
  errorHeaders?: Headers;
  parentHeaders: Headers;
}): Headers {
  const headers = new Headers();
  for (const source of [parentHeaders, loaderHeaders, actionHeaders, errorHeaders]) {
    for (const name of cacheHeaderNames) {
      const value = source?.get(name);
      if (value) headers.set(name, value);
    }
  }
  return headers;
}
