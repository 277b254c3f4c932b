import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERRORS, type StorageError, sendError } from './errors';

const MAX_JSON_BODY = 2 * 1024 * 1024;

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

/** Reads a small JSON body (bucket and object commands); an empty body is `{}`. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BODY) throw ERRORS.entityTooLarge();
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw ERRORS.invalidRequest('Body must be a JSON object');
}

/** How much of an unread request body is drained after an early error, so clients see the answer. */
const DRAIN_BYTES = 64 * 1024 * 1024;
const DRAIN_MS = 10_000;

/**
 * Answers an upload that failed before its body was read (too large, wrong type, no
 * permission). The bytes are no longer stored; a bounded amount is still read and thrown
 * away so the client, which is usually still sending, gets the response instead of a reset,
 * then the connection is closed.
 */
export function sendUploadError(req: IncomingMessage, res: ServerResponse, err: StorageError) {
  const unread = !req.complete;
  sendError(res, err, unread ? { Connection: 'close' } : {});
  if (!unread) return;
  let drained = 0;
  const timer = setTimeout(() => req.destroy(), DRAIN_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_BYTES) req.destroy();
  });
  req.on('end', () => clearTimeout(timer));
  req.on('close', () => clearTimeout(timer));
  req.resume();
}

export function parseBool(value: string | string[] | undefined | null): boolean {
  return typeof value === 'string' && value.toLowerCase() === 'true';
}
