import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type pg from 'pg';
import type { Claims } from './jwt';
import type { PlatformKeys } from './keys';
import { createLogger, type Logger } from './log';

/** What every local service gets from the platform. */
export type ServiceContext = {
  keys: PlatformKeys;
  /** Public base URL of the gateway, e.g. http://127.0.0.1:54321 */
  apiUrl: string;
  databaseUrl: string;
  /** A pool connected as the database owner, for the services' own bookkeeping (not for app data on behalf of users). */
  adminPool: pg.Pool;
  verifyJwt: (token: string) => Promise<Claims>;
  dataDir: string;
  /** True for the local platform; dev-only conveniences (outbox, fixed OTPs) check it. */
  local: boolean;
  log: Logger;
};

/**
 * A service mounted under `/<name>/v1`. `path` is the rest of the URL after the prefix
 * (starting with `/`, query string included). Requests reach it after the gateway's
 * API-key → Authorization mapping, so it only has to look at `Authorization`.
 */
export type PlatformService = {
  name: string;
  handle: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void> | void;
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer, path: string) => void;
  /**
   * Optional routes outside `/<name>/v1` (for example local-only `/_dev/...` pages). Return
   * true when the request was handled. They get the raw headers: no API-key mapping.
   */
  routes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;
  /** The service answers OPTIONS itself (hosted Edge Functions pass preflights to the function). */
  handlesPreflight?: boolean;
  /** Called once the gateway listens and `ctx.apiUrl` is final (port 0 resolved). */
  ready?: () => Promise<void> | void;
  close?: () => Promise<void>;
};

export type ServiceFactory = (ctx: ServiceContext) => PlatformService | Promise<PlatformService>;

/** The four service prefixes the real clients use, plus the optional data API. */
export const SERVICE_PREFIXES = ['auth', 'rest', 'storage', 'realtime', 'functions'] as const;

const ALLOW_HEADERS = [
  'authorization',
  'apikey',
  'content-type',
  'x-client-info',
  'x-supabase-api-version',
  'x-upsert',
  'x-metadata',
  'cache-control',
  'content-encoding',
  'x-region',
  'traceparent',
  'tus-resumable',
  'upload-length',
  'upload-metadata',
  'upload-offset',
  'x-signature',
  'prefer',
  'range',
  'accept-profile',
  'content-profile',
  'x-http-method-override',
  'upload-concat',
  'upload-defer-length',
  'x-source',
].join(', ');
const EXPOSE_HEADERS = [
  'x-total-count',
  'link',
  'content-range',
  'x-supabase-api-version',
  'x-sb-error-code',
  'location',
  'upload-offset',
  'upload-length',
  'tus-resumable',
  'tus-version',
  'tus-max-size',
  'tus-extension',
  'upload-expires',
  'etag',
  'content-length',
  'content-type',
].join(', ');

export function applyCors(req: IncomingMessage, res: ServerResponse) {
  const origin = req.headers.origin;
  res.setHeader('Access-Control-Allow-Origin', origin ?? '*');
  if (origin) res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
  res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
  res.setHeader('Access-Control-Max-Age', '86400');
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export type KeyMapping =
  | { ok: true; authorization: string | undefined }
  | { ok: false; status: number; body: unknown };

/**
 * Supabase's gateway rule (CLI kong.yml / ApiProxy): keep a real bearer token; otherwise turn
 * the `apikey` into one — the secret key becomes the service_role JWT, the publishable key the
 * anon JWT, a legacy JWT key is passed on as it is. Unknown `sb_` keys are refused.
 */
export function mapApiKey(
  keys: PlatformKeys,
  authorization: string | undefined,
  apikey: string | undefined,
): KeyMapping {
  if (apikey?.startsWith('sb_') && apikey !== keys.secretKey && apikey !== keys.publishableKey) {
    return {
      ok: false,
      status: 401,
      body: {
        message: 'Invalid API key',
        hint: 'Double check your Supabase `anon` or `service_role` API key.',
      },
    };
  }
  if (authorization && !/^bearer sb_/i.test(authorization)) return { ok: true, authorization };
  if (authorization && /^bearer sb_/i.test(authorization)) {
    const bearer = authorization.slice(7).trim();
    // A new-style key in Authorization is tolerated only when it equals `apikey` (hosted rule).
    if (apikey && bearer !== apikey) {
      return {
        ok: false,
        status: 401,
        body: {
          message: 'Invalid API key',
          hint: 'The Authorization header key does not match the apikey header.',
        },
      };
    }
    apikey = bearer;
  }
  if (apikey === keys.secretKey) return { ok: true, authorization: `Bearer ${keys.serviceRoleKey}` };
  if (apikey === keys.publishableKey) return { ok: true, authorization: `Bearer ${keys.anonKey}` };
  if (apikey) return { ok: true, authorization: `Bearer ${apikey}` };
  return { ok: true, authorization: undefined };
}

export type Gateway = {
  server: http.Server;
  url: string;
  port: number;
  services: Map<string, PlatformService>;
  close: () => Promise<void>;
};

export async function startGateway(opts: {
  ctx: ServiceContext;
  services: PlatformService[];
  host: string;
  port: number;
  extraRoutes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;
}): Promise<Gateway> {
  const log = createLogger('gateway');
  const services = new Map(opts.services.map((s) => [s.name, s]));
  const started = Date.now();

  const route = (rawUrl: string): { service: string; path: string } | null => {
    const m = /^\/([a-z]+)\/v1(\/.*)?$/.exec(rawUrl.split('?')[0]);
    if (!m) return null;
    const qs = rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?')) : '';
    return { service: m[1], path: (m[2] ?? '/') + qs };
  };

  const server = http.createServer(async (req, res) => {
    const t0 = performance.now();
    applyCors(req, res);
    res.on('finish', () => {
      log.debug('request', {
        method: req.method,
        url: req.url?.split('?')[0],
        status: res.statusCode,
        ms: Math.round(performance.now() - t0),
      });
    });
    try {
      if (req.method === 'OPTIONS' && !services.get(route(req.url ?? '/')?.service ?? '')?.handlesPreflight) {
        res.writeHead(200, { 'Content-Length': '0' });
        res.end();
        return;
      }
      const url = new URL(req.url ?? '/', 'http://gateway');
      if (url.pathname === '/health' || url.pathname === '/_platform/health') {
        sendJson(res, 200, {
          status: 'ok',
          uptime_s: Math.round((Date.now() - started) / 1000),
          services: Object.fromEntries(
            SERVICE_PREFIXES.map((p) => [p, services.has(p) ? 'up' : 'not_implemented']),
          ),
        });
        return;
      }
      if (opts.extraRoutes && (await opts.extraRoutes(req, res, url))) return;
      if (!/^\/[a-z]+\/v1(\/|$)/.test(url.pathname)) {
        for (const s of services.values()) if (s.routes && (await s.routes(req, res, url))) return;
      }
      const r = route(req.url ?? '/');
      if (!r) {
        sendJson(res, 404, { message: 'no Route matched with those values' });
        return;
      }
      const apikey =
        (req.headers.apikey as string | undefined) ?? url.searchParams.get('apikey') ?? undefined;
      const mapped = mapApiKey(opts.ctx.keys, req.headers.authorization, apikey);
      if (!mapped.ok) {
        sendJson(res, mapped.status, mapped.body);
        return;
      }
      if (mapped.authorization) req.headers.authorization = mapped.authorization;
      else delete req.headers.authorization;
      const service = services.get(r.service);
      if (!service) {
        if ((SERVICE_PREFIXES as readonly string[]).includes(r.service)) {
          sendJson(res, 501, {
            code: 'not_implemented',
            message: `The local platform does not provide /${r.service}/v1 yet.`,
          });
        } else {
          sendJson(res, 404, { message: 'no Route matched with those values' });
        }
        return;
      }
      await service.handle(req, res, r.path);
    } catch (err) {
      log.error('unhandled error in a service', {
        url: req.url,
        error: String((err as Error)?.stack ?? err),
      });
      if (!res.headersSent)
        sendJson(res, 500, {
          code: 'unexpected_failure',
          message: 'Unexpected failure in the local platform',
        });
      else res.end();
    }
  });

  server.on('upgrade', (req, socket, head) => {
    const r = route(req.url ?? '/');
    const service = r ? services.get(r.service) : undefined;
    if (!r || !service?.upgrade) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://gateway');
    const mapped = mapApiKey(
      opts.ctx.keys,
      req.headers.authorization,
      url.searchParams.get('apikey') ?? (req.headers.apikey as string | undefined),
    );
    if (!mapped.ok) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (mapped.authorization) req.headers.authorization = mapped.authorization;
    service.upgrade(req, socket, head, r.path);
  });

  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    server,
    port,
    url: `http://${opts.host}:${port}`,
    services,
    async close() {
      await Promise.all([...services.values()].map((s) => s.close?.()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
