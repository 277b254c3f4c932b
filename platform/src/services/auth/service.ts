import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { PlatformService, ServiceContext, ServiceFactory } from '../../gateway';
import { PROJECT_ROOT } from '../../migrate';
import { handleAdmin } from './admin';
import { type AuthConfig, loadAuthConfig } from './config';
import type { AuthDeps } from './deps';
import { AuthError, errorResponse, negotiateApiVersion, OAuthError } from './errors';
import { type AuthRequest, type AuthResult, parseRequest } from './http';
import { handleHealth, handleJwks, handleSettings } from './meta';
import { handleOtp, handleReauthenticate, handleRecover, handleResend } from './otp';
import { createOutboxSender, handleOutboxRoute, type MessageSender } from './outbox';
import { handleSignup } from './signup';
import { handleToken } from './token';
import { handleGetUser, handleLogout, handleUpdateUser } from './user';
import { handleVerifyGet, handleVerifyPost } from './verify';

type Handler = (deps: AuthDeps, req: AuthRequest) => Promise<AuthResult> | AuthResult;

/** `METHOD path` → handler, for the routes auth-js 2.119 calls (admin routes live in admin.ts). */
const ROUTES: Record<string, Handler> = {
  'POST /signup': handleSignup,
  'POST /token': handleToken,
  'POST /otp': handleOtp,
  'POST /magiclink': handleOtp,
  'POST /verify': handleVerifyPost,
  'GET /verify': handleVerifyGet,
  'POST /recover': handleRecover,
  'POST /resend': handleResend,
  'GET /reauthenticate': handleReauthenticate,
  'GET /user': handleGetUser,
  'PUT /user': handleUpdateUser,
  'POST /logout': handleLogout,
  'GET /settings': handleSettings,
  'GET /.well-known/jwks.json': handleJwks,
  'GET /health': () => handleHealth(),
};

function send(res: ServerResponse, result: AuthResult) {
  if (result.kind === 'redirect') {
    res.writeHead(303, { Location: result.location, 'Content-Length': '0' });
    res.end();
    return;
  }
  if (result.kind === 'empty') {
    res.writeHead(result.status, { 'Content-Length': '0' });
    res.end();
    return;
  }
  const text = JSON.stringify(result.body);
  res.writeHead(result.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...result.headers,
  });
  res.end(text);
}

export type AuthServiceOptions = {
  /** Settings that win over config.toml and the environment (tests use this for fixed codes). */
  config?: Partial<AuthConfig>;
  /** `AUTH_*` variables to read; `process.env` by default. */
  env?: Record<string, string | undefined>;
  /** The Supabase CLI config whose `[auth]` section applies; `supabase/config.toml` by default, null for none. */
  configFile?: string | null;
  /** Another message sender than the database outbox. */
  sender?: (ctx: ServiceContext) => MessageSender;
};

/** A factory for the Auth service with options; the registry uses `createAuthService`. */
export function authServiceFactory(options: AuthServiceOptions = {}): ServiceFactory {
  return (ctx) => buildAuthService(ctx, options);
}

/** The local Auth service at `/auth/v1`: GoTrue's wire behaviour over the hosted `auth` schema. */
export const createAuthService: ServiceFactory = (ctx) => buildAuthService(ctx, {});

function buildAuthService(ctx: ServiceContext, options: AuthServiceOptions): PlatformService {
  const configFile =
    options.configFile === undefined
      ? path.join(PROJECT_ROOT, 'supabase', 'config.toml')
      : options.configFile;
  const config = {
    ...loadAuthConfig({
      env: options.env ?? process.env,
      configFile: configFile ?? undefined,
      local: ctx.local,
    }),
    ...options.config,
  };
  if (!ctx.local) config.smsTestOtp = new Map();
  const sender = options.sender?.(ctx) ?? createOutboxSender(ctx.adminPool);
  const deps: AuthDeps = { ctx, config, pool: ctx.adminPool, sender };

  return {
    name: 'auth',
    async handle(req: IncomingMessage, res: ServerResponse, path: string) {
      const apiVersion = negotiateApiVersion(req.headers['x-supabase-api-version'] as string | undefined);
      try {
        const request = await parseRequest(req, path);
        const handler = ROUTES[`${request.method} ${request.path}`];
        const result = handler ? await handler(deps, request) : await handleAdmin(deps, request);
        if (!result) throw new AuthError(404, 'not_found', 'Not Found');
        send(res, result);
      } catch (err) {
        if (err instanceof AuthError || err instanceof OAuthError) {
          if (err instanceof AuthError && err.status >= 500)
            ctx.log.error('auth request failed', { path, error: err.message });
          const e = errorResponse(err, apiVersion);
          send(res, { kind: 'json', status: e.status, body: e.body, headers: e.headers });
          return;
        }
        ctx.log.error('unexpected error in the auth service', {
          path,
          error: String((err as Error)?.stack ?? err),
        });
        const e = errorResponse(
          new AuthError(
            500,
            'unexpected_failure',
            'Unexpected failure, please check server logs for more information',
          ),
          apiVersion,
        );
        if (!res.headersSent) send(res, { kind: 'json', status: e.status, body: e.body, headers: e.headers });
        else res.end();
      }
    },
    routes: ctx.local ? (req, res, url) => handleOutboxRoute(ctx.adminPool, req, res, url) : undefined,
  };
}
