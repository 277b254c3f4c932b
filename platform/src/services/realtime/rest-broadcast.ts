import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../gateway';
import type { RealtimeDeps } from './deps';
import { topicKey } from './hub';
import { bearer, checkToken, type RealtimeClaims } from './tokens';

const MAX_BODY_BYTES = 3 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, { message: 'Payload too large' });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8') || 'null');
  } catch {
    throw new HttpError(400, { message: 'The request body is not valid JSON' });
  }
}

const xHeaders = (req: IncomingMessage) =>
  Object.fromEntries(
    Object.entries(req.headers).filter(([k, v]) => k.startsWith('x-') && typeof v === 'string'),
  ) as Record<string, string>;

/**
 * The REST side of Broadcast: `POST /api/broadcast` (batch; realtime-js `send()` falls back to it
 * before a channel is joined) and `POST /api/broadcast/<topic>/events/<event>` (`httpSend()`).
 * Private messages need write permission from RLS on realtime.messages, like a websocket broadcast.
 */
export async function handleBroadcastApi(
  deps: RealtimeDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<boolean> {
  const url = new URL(path, 'http://realtime');
  const single = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)\/?$/.exec(url.pathname);
  if (url.pathname !== '/api/broadcast' && url.pathname !== '/api/broadcast/' && !single) return false;
  try {
    if (req.method !== 'POST') throw new HttpError(405, { message: 'Method not allowed' });
    const checked = await checkToken(deps.verifyJwt, bearer(req.headers.authorization));
    if (!checked.ok) throw new HttpError(401, { message: 'Unauthorized' });
    const claims = checked.claims;
    const mayWrite = async (topic: string) => {
      try {
        const p = await deps.authorizer.authorize(
          { topic, claims, headers: xHeaders(req) },
          { broadcast: {}, presence: {} },
          { read: false, write: true, extensions: ['broadcast'] },
        );
        return p.broadcast.write === true;
      } catch {
        return false;
      }
    };
    if (single)
      await broadcastSingle(
        deps,
        req,
        url,
        decodeURIComponent(single[1]),
        decodeURIComponent(single[2]),
        mayWrite,
      );
    else await broadcastBatch(deps, req, claims, mayWrite);
    res.writeHead(202, { 'Content-Length': '0' });
    res.end();
  } catch (err) {
    if (err instanceof HttpError) sendJson(res, err.status, err.body);
    else throw err;
  }
  return true;
}

type BatchMessage = {
  topic: string;
  event: string;
  payload: Record<string, unknown>;
  private: boolean;
  id?: string;
};

async function broadcastBatch(
  deps: RealtimeDeps,
  req: IncomingMessage,
  _claims: RealtimeClaims,
  mayWrite: (topic: string) => Promise<boolean>,
) {
  const body = parseJson(await readBody(req)) as { messages?: unknown };
  if (!body || typeof body !== 'object' || !Array.isArray(body.messages) || body.messages.length === 0) {
    throw new HttpError(422, { errors: { messages: ["can't be blank"] } });
  }
  const messages: BatchMessage[] = body.messages.map((raw, i) => {
    const m = (raw ?? {}) as Record<string, unknown>;
    const errors: Record<string, string[]> = {};
    if (typeof m.topic !== 'string' || m.topic === '') errors.topic = ["can't be blank"];
    if (typeof m.event !== 'string' || m.event === '') errors.event = ["can't be blank"];
    if (!m.payload || typeof m.payload !== 'object' || Array.isArray(m.payload))
      errors.payload = ['is invalid'];
    if (Object.keys(errors).length > 0) throw new HttpError(422, { errors: { messages: { [i]: errors } } });
    return {
      topic: m.topic as string,
      event: m.event as string,
      payload: m.payload as Record<string, unknown>,
      private: m.private === true || m.private === 'true',
      ...(typeof m.id === 'string' ? { id: m.id } : {}),
    };
  });
  const allowed = new Map<string, boolean>();
  for (const m of messages) {
    if (m.private) {
      if (!allowed.has(m.topic)) allowed.set(m.topic, await mayWrite(m.topic));
      if (!allowed.get(m.topic)) continue; // hosted drops them silently and still answers 202
    }
    const payload: Record<string, unknown> = { type: 'broadcast', event: m.event, payload: m.payload };
    if (m.id) payload.meta = { id: m.id };
    deps.hub.broadcast(topicKey(m.topic, m.private), { type: 'json', payload });
  }
}

async function broadcastSingle(
  deps: RealtimeDeps,
  req: IncomingMessage,
  url: URL,
  topic: string,
  event: string,
  mayWrite: (topic: string) => Promise<boolean>,
) {
  const contentType = (req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
  if (contentType !== 'application/json' && contentType !== 'application/octet-stream') {
    throw new HttpError(415, {
      error: 'Unsupported Media Type. Use application/json or application/octet-stream',
    });
  }
  const body = await readBody(req);
  if (body.length === 0) throw new HttpError(422, { errors: { payload: ["can't be blank"] } });
  const isPrivate = url.searchParams.get('private') === 'true';
  if (isPrivate && !(await mayWrite(topic))) throw new HttpError(403, { message: 'Unauthorized' });
  const binary = contentType === 'application/octet-stream';
  const encoded = binary ? body : Buffer.from(JSON.stringify(parseJson(body)), 'utf8');
  deps.hub.broadcast(topicKey(topic, isPrivate), {
    type: 'user',
    userEvent: event,
    encoding: binary ? 'binary' : 'json',
    body: encoded,
    meta: null,
  });
}
