import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { AuthError, badRequest, negotiateApiVersion } from './errors';

/** One request to `/auth/v1`, parsed once by the service and handed to a route handler. */
export type AuthRequest = {
  method: string;
  /** The path below `/auth/v1`, without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  ip: string;
  userAgent: string | null;
  apiVersion: '2024-01-01' | null;
  acceptLanguage: string | undefined;
};

/** What a handler answers; the service turns it into the HTTP response. */
export type AuthResult =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'redirect'; location: string }
  | { kind: 'empty'; status: number };

export const json = (body: unknown, status = 200, headers?: Record<string, string>): AuthResult => ({
  kind: 'json',
  status,
  body,
  headers,
});
export const redirect = (location: string): AuthResult => ({ kind: 'redirect', location });
export const noContent = (): AuthResult => ({ kind: 'empty', status: 204 });

const MAX_BODY = 1024 * 1024;

async function readRaw(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new AuthError(413, 'request_entity_too_large', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** JSON (what auth-js sends) or a urlencoded form; an empty body is `{}`. */
export async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (req.method === 'GET' || req.method === 'HEAD') return {};
  const raw = await readRaw(req);
  if (raw.trim() === '') return {};
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  try {
    const parsed = JSON.parse(raw);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error('expected a JSON object');
    }
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw badRequest('bad_json', `Could not parse request body as JSON: ${(err as Error).message}`);
  }
}

export async function parseRequest(req: IncomingMessage, pathWithQuery: string): Promise<AuthRequest> {
  const url = new URL(pathWithQuery, 'http://auth.local');
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')[0]
    .trim();
  return {
    method: req.method ?? 'GET',
    path: url.pathname.replace(/\/+$/, '') || '/',
    query: url.searchParams,
    headers: req.headers,
    body: await readBody(req),
    ip: forwarded || req.socket.remoteAddress || '',
    userAgent: (req.headers['user-agent'] as string | undefined) ?? null,
    apiVersion: negotiateApiVersion(req.headers['x-supabase-api-version'] as string | undefined),
    acceptLanguage: req.headers['accept-language'] as string | undefined,
  };
}

/** A string field of the body; anything else (missing, null, a number) is ''. */
export function str(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  return typeof v === 'string' ? v : '';
}

/** An object field of the body (metadata), or undefined when absent or not an object. */
export function obj(body: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = body[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

export function bool(body: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = body[key];
  return typeof v === 'boolean' ? v : fallback;
}
