/**
 * CORS for functions that browsers call. Hosted Supabase passes OPTIONS preflights to the
 * function and adds no CORS headers of its own, so a function the browser calls must answer
 * them itself; the local platform does the same, so a missing `withCors` shows up locally.
 */
import type { Handler } from './http.ts';

export type CorsOptions = {
  /** Origins allowed to call; `*` (the default) allows any, which suits bearer-token APIs without cookies. */
  origins?: '*' | string[];
};

const ALLOW_HEADERS = 'authorization, x-client-info, apikey, content-type, x-region';
const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';

export function corsHeaders(req: Request, opts: CorsOptions = {}): Record<string, string> {
  const origins = opts.origins ?? '*';
  const origin = req.headers.get('origin');
  const allow = origins === '*' ? '*' : origin && origins.includes(origin) ? origin : null;
  if (!allow) return {};
  return {
    'Access-Control-Allow-Origin': allow,
    'Access-Control-Allow-Headers': ALLOW_HEADERS,
    'Access-Control-Allow-Methods': ALLOW_METHODS,
    ...(allow === '*' ? {} : { Vary: 'Origin' }),
  };
}

/** Answers preflights and adds the CORS headers to every response of `handler`. */
export function withCors(handler: Handler, opts: CorsOptions = {}): Handler {
  return async (req) => {
    const headers = corsHeaders(req, opts);
    if (req.method === 'OPTIONS') return new Response('ok', { headers });
    const res = await handler(req);
    try {
      // A response the function built: add the headers in place, so a body of known length is
      // sent as it is instead of being streamed through a new Response.
      for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
      return res;
    } catch {
      // A fetched Response has immutable headers (the first set throws): wrap its body.
      const merged = new Headers(res.headers);
      for (const [name, value] of Object.entries(headers)) merged.set(name, value);
      return new Response(res.body, { status: res.status, statusText: res.statusText, headers: merged });
    }
  };
}
