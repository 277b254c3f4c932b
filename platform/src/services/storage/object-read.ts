import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { StorageDeps } from './deps';
import { ERRORS, sendError } from './errors';
import type { ObjectMetadata } from './object-write';

/** The columns a read needs. */
export type ObjectRow = {
  id: string;
  name: string;
  bucket_id: string;
  version: string | null;
  owner: string | null;
  owner_id: string | null;
  metadata: Partial<ObjectMetadata> | null;
  user_metadata: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
  last_accessed_at: string;
};

export const OBJECT_COLUMNS =
  'id, name, bucket_id, version, owner, owner_id, metadata, user_metadata, created_at, updated_at, last_accessed_at';

type Range = { start: number; end: number };

/** Read size for downloads: fewer, larger writes to the socket than the 64 KiB default. */
const READ_CHUNK = 1024 * 1024;

/**
 * One `bytes=` range (`a-b`, `a-`, `-n`). Several ranges, or a malformed header, are
 * ignored and the whole object is sent, as RFC 9110 allows; `undefined` means whole.
 */
export function parseRange(header: string | undefined, size: number): Range | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size || size === 0) return 'unsatisfiable';
  return { start, end };
}

function contentDisposition(download: string | null): string | undefined {
  if (download === null) return undefined;
  if (download === '') return 'attachment;';
  const encoded = encodeURIComponent(download);
  return `attachment; filename=${encoded}; filename*=UTF-8''${encoded}`;
}

/**
 * Sends an object's bytes with hosted Storage's headers: content type, ETag,
 * Last-Modified, Cache-Control (or Expires for signed URLs), Accept-Ranges, and a 206 for a
 * Range request. `?download[=name]` makes it an attachment. HEAD sends headers only.
 */
export async function sendObject(
  deps: StorageDeps,
  req: IncomingMessage,
  res: ServerResponse,
  obj: ObjectRow,
  opts: { download: string | null; expires?: Date },
) {
  if (!obj.version) throw ERRORS.noSuchKey();
  const handle = await deps.store.open(obj.bucket_id, obj.name, obj.version);
  let streaming = false;
  try {
    const { size } = await handle.stat();
    const meta = obj.metadata ?? {};
    const headers: Record<string, string | number> = {
      'Content-Type': meta.mimetype || 'application/octet-stream',
      'Accept-Ranges': 'bytes',
      'Last-Modified': new Date(meta.lastModified ?? obj.updated_at).toUTCString(),
      'X-Content-Type-Options': 'nosniff',
    };
    if (meta.eTag) headers.ETag = meta.eTag;
    if (meta.contentEncoding) headers['Content-Encoding'] = meta.contentEncoding;
    if (opts.expires) headers.Expires = opts.expires.toUTCString();
    else headers['Cache-Control'] = meta.cacheControl || 'no-cache';
    const disposition = contentDisposition(opts.download);
    if (disposition) headers['Content-Disposition'] = disposition;

    if (meta.eTag && req.headers['if-none-match'] === meta.eTag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const range = parseRange(req.headers.range, size);
    if (range === 'unsatisfiable') {
      sendError(res, ERRORS.invalidRange(), { 'Content-Range': `bytes */${size}` });
      return;
    }
    if (range) {
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
      headers['Content-Length'] = range.end - range.start + 1;
      res.writeHead(206, headers);
    } else {
      headers['Content-Length'] = size;
      res.writeHead(200, headers);
    }
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    // The stream owns the handle from here and closes it when it ends or is destroyed.
    streaming = true;
    await pipeline(
      handle.createReadStream({ ...(range ?? {}), autoClose: true, highWaterMark: READ_CHUNK }),
      res,
    ).catch(() => {
      // The client went away mid-download; nothing to answer.
    });
  } finally {
    if (!streaming) await handle.close().catch(() => {});
  }
}

/** The body of `GET /object/info/...` (hosted InfoRenderer); storage-js camelises it. */
export function infoBody(obj: ObjectRow) {
  const meta = obj.metadata ?? {};
  return {
    id: obj.id,
    name: obj.name,
    version: obj.version,
    bucket_id: obj.bucket_id,
    size: meta.size ?? null,
    content_type: meta.mimetype ?? null,
    cache_control: meta.cacheControl ?? null,
    etag: meta.eTag ?? null,
    metadata: obj.user_metadata,
    last_modified: obj.updated_at,
    created_at: obj.created_at,
  };
}
