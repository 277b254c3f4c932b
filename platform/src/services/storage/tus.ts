import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { findBucketAsOwner } from './buckets';
import { type Caller, resolveCaller } from './caller';
import { type RequestScope, requestScope } from './db';
import type { RouteRequest, StorageDeps } from './deps';
import { ERRORS, StorageError, toStorageError } from './errors';
import { pipeWithoutDestroying, syncFile } from './file-store';
import { parseBool } from './http';
import { effectiveLimit } from './limits';
import { checkContent, mustBeAllowedMime, SNIFF_BYTES } from './mime';
import { canUpload, commitObject } from './object-write';
import { mustBeValidKey } from './paths';
import { verifySigned } from './signed-tokens';
import { TUS_TTL_MS, type TusInfo, type TusStore } from './tus-state';
import { isEmptyFolderPlaceholder } from './upload-body';

/**
 * TUS 1.0.0 resumable uploads at `/storage/v1/upload/resumable` (and `/sign` with an
 * upload token in `x-signature`), as hosted Storage serves them with @tus/server:
 * creation, creation-with-upload, creation-defer-length, termination, expiration.
 * Upload ids are base64url of `<bucket>/<key>/<version>`.
 */
const TUS_VERSION = '1.0.0';
export const TUS_HEADERS = {
  'Tus-Resumable': TUS_VERSION,
  'Tus-Version': TUS_VERSION,
  'Tus-Extension': 'creation,creation-with-upload,creation-defer-length,termination,expiration',
  'Tus-Max-Size': String(effectiveLimit(null)),
};

function tusError(status: number, message: string) {
  return new StorageError('TusError', status, message, undefined, status);
}

/** Errors go out the way @tus/server sends them: the real status and the message as text. */
function sendTusError(req: IncomingMessage, res: ServerResponse, err: StorageError) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = err.statusCode >= 500 && err.statusCode !== 501 ? 500 : err.statusCode;
  const unread = !req.complete;
  res.writeHead(status, {
    'Tus-Resumable': TUS_VERSION,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(err.message),
    ...(unread ? { Connection: 'close' } : {}),
  });
  res.end(err.message);
  if (unread) req.resume();
}

function parseMetadata(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const pair of header.split(',')) {
    const [key, value, extra] = pair.trim().split(' ');
    if (!key || extra !== undefined || !/^[\x21-\x7e]+$/.test(key) || key in out) {
      throw tusError(400, 'Invalid Upload-Metadata header');
    }
    out[key] = value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');
  }
  return out;
}

function encodeId(bucket: string, key: string, version: string) {
  return Buffer.from(`${bucket}/${key}/${version}`, 'utf8').toString('base64url');
}

function decodeId(id: string): { bucket: string; key: string; version: string } {
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const first = text.indexOf('/');
  const last = text.lastIndexOf('/');
  const version = text.slice(last + 1);
  if (first <= 0 || last <= first || !/^[0-9a-f-]{36}$/.test(version))
    throw tusError(404, 'Upload not found');
  return { bucket: text.slice(0, first), key: text.slice(first + 1, last), version };
}

function nonNegativeInt(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Caps a PATCH body at what the upload may still take. */
class Budget extends Transform {
  constructor(private left: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
    this.left -= chunk.length;
    if (this.left < 0) cb(ERRORS.entityTooLarge());
    else cb(null, chunk);
  }
}

export class TusHandler {
  constructor(
    private readonly deps: StorageDeps,
    private readonly state: TusStore,
  ) {}

  /** `path` is after `/storage/v1`; returns false when it is not a TUS path. */
  async handle(r: RouteRequest): Promise<boolean> {
    const m = /^\/upload\/resumable(\/sign)?(?:\/([A-Za-z0-9_-]+))?\/?$/.exec(r.path);
    if (!m) return false;
    const signed = m[1] !== undefined;
    const id = m[2];
    try {
      if (r.req.headers['tus-resumable'] !== TUS_VERSION && r.req.method !== 'OPTIONS') {
        throw new StorageError('TusError', 412, 'Unsupported TUS version', undefined, 412);
      }
      if (!id) {
        if (r.req.method === 'POST') await this.create(r, signed);
        else if (r.req.method === 'OPTIONS') this.options(r.res);
        else throw tusError(405, 'Method not allowed');
        return true;
      }
      const target = decodeId(id);
      switch (r.req.method) {
        case 'HEAD':
          await this.head(r, target.version, target);
          break;
        case 'PATCH':
          await this.patch(r, signed, target.version, target);
          break;
        case 'DELETE':
          await this.terminate(r, signed, target.version, target);
          break;
        case 'OPTIONS':
          this.options(r.res);
          break;
        default:
          throw tusError(405, 'Method not allowed');
      }
    } catch (err) {
      const e = toStorageError(err);
      if (e.code === 'InternalError')
        this.deps.ctx.log.error('resumable upload failed', { error: String(err) });
      sendTusError(r.req, r.res, e);
    }
    return true;
  }

  private options(res: ServerResponse) {
    res.writeHead(204, TUS_HEADERS);
    res.end();
  }

  /** The caller of a request: a JWT, or for `/sign` an upload token naming this object. */
  private async authorize(
    r: RouteRequest,
    signed: boolean,
    bucket: string,
    key: string,
  ): Promise<{ caller: Caller | null; owner?: string; upsert?: boolean }> {
    if (!signed) return { caller: await resolveCaller(this.deps.ctx, r.req) };
    const signature = r.req.headers['x-signature'];
    if (typeof signature !== 'string') throw ERRORS.invalidSignature('Missing x-signature header');
    const token = await verifySigned(this.deps.ctx.keys, signature, `${bucket}/${key}`, 'upload');
    return { caller: null, owner: token.owner, upsert: token.upsert === true };
  }

  private scope(r: RouteRequest, caller: Caller | null): RequestScope | null {
    return caller ? requestScope(r.req, caller, r.path, 'storage.object.upload_resumable') : null;
  }

  private location(r: RouteRequest, signed: boolean, id: string) {
    const host = r.req.headers['x-forwarded-host'] ?? r.req.headers.host;
    const proto = (r.req.headers['x-forwarded-proto'] as string | undefined) ?? 'http';
    const base = host ? `${proto}://${host}/storage/v1` : this.deps.baseUrl();
    return `${base}/upload/resumable${signed ? '/sign' : ''}/${id}`;
  }

  private async create(r: RouteRequest, signed: boolean) {
    const meta = parseMetadata(r.req.headers['upload-metadata'] as string | undefined);
    const bucket = meta.bucketName;
    const key = meta.objectName;
    if (!bucket || !key) throw new StorageError('InvalidRequest', 400, 'Metadata header is required');
    mustBeValidKey(key);
    const length = nonNegativeInt(r.req.headers['upload-length']);
    const deferred = r.req.headers['upload-defer-length'] === '1';
    if (length === undefined && !deferred)
      throw tusError(400, 'Upload-Length or Upload-Defer-Length header required');
    const auth = await this.authorize(r, signed, bucket, key);
    const found = await findBucketAsOwner(this.deps.pool, bucket);
    const limit = isEmptyFolderPlaceholder(key) ? 0 : effectiveLimit(found.file_size_limit);
    if (length !== undefined && length > limit) throw tusError(413, 'Maximum size exceeded');
    const contentType = meta.contentType || 'application/octet-stream';
    if (!isEmptyFolderPlaceholder(key)) mustBeAllowedMime(contentType, found.allowed_mime_types);
    let userMetadata: Record<string, unknown> | undefined;
    if (meta.metadata) {
      try {
        userMetadata = JSON.parse(meta.metadata);
      } catch {
        throw ERRORS.invalidRequest('metadata must be a JSON object');
      }
    }
    const upsert = auth.upsert ?? parseBool(r.req.headers['x-upsert']);
    const scope = this.scope(r, auth.caller);
    if (scope) {
      await canUpload(this.deps, scope, {
        bucket,
        key,
        upsert,
        mimeType: contentType,
        contentLength: length,
        userMetadata,
      });
    } else if (!upsert) {
      const exists = await this.deps.pool.query(
        'select 1 from storage.objects where bucket_id = $1 and name = $2',
        [bucket, key],
      );
      if (exists.rows[0]) throw ERRORS.keyAlreadyExists();
    }
    const version = randomUUID();
    const id = encodeId(bucket, key, version);
    const info: TusInfo = {
      id,
      bucket,
      key,
      version,
      length: length ?? null,
      rawMetadata: (r.req.headers['upload-metadata'] as string | undefined) ?? '',
      contentType,
      cacheControl: /^\d+$/.test(meta.cacheControl ?? '') ? `max-age=${meta.cacheControl}` : 'no-cache',
      userMetadata,
      upsert,
      owner: auth.caller?.sub ?? auth.owner,
      signed,
      checked: false,
      expiresAt: new Date(Date.now() + TUS_TTL_MS).toISOString(),
    };
    await this.state.create(info);
    const headers: Record<string, string> = {
      'Tus-Resumable': TUS_VERSION,
      Location: this.location(r, signed, id),
      'Upload-Expires': new Date(info.expiresAt).toUTCString(),
    };
    const withBody = r.req.headers['content-type'] === 'application/offset+octet-stream';
    if (withBody) {
      const offset = await this.state.exclusive(version, () => this.append(r, info, scope, 0));
      headers['Upload-Offset'] = String(offset);
    }
    res201(r.res, headers);
  }

  private async loadOwned(version: string, target: { bucket: string; key: string }) {
    const info = await this.state.load(version);
    if (!info || info.bucket !== target.bucket || info.key !== target.key)
      throw tusError(404, 'Upload not found');
    if (Date.parse(info.expiresAt) < Date.now()) {
      await this.state.remove(version);
      throw tusError(410, 'Upload expired');
    }
    return info;
  }

  private async head(r: RouteRequest, version: string, target: { bucket: string; key: string }) {
    await this.state.exclusive(version, async () => {
      const info = await this.loadOwned(version, target);
      const offset = await this.state.offset(version);
      const headers: Record<string, string> = {
        'Tus-Resumable': TUS_VERSION,
        'Upload-Offset': String(offset),
        'Cache-Control': 'no-store',
        'Upload-Expires': new Date(info.expiresAt).toUTCString(),
      };
      if (info.length === null) headers['Upload-Defer-Length'] = '1';
      else headers['Upload-Length'] = String(info.length);
      if (info.rawMetadata) headers['Upload-Metadata'] = info.rawMetadata;
      r.res.writeHead(200, headers);
      r.res.end();
    });
  }

  private async checkSameOwner(r: RouteRequest, signed: boolean, info: TusInfo) {
    const auth = await this.authorize(r, signed, info.bucket, info.key);
    const who = auth.caller?.sub ?? auth.owner;
    if (info.signed !== signed || (info.owner ?? null) !== (who ?? null)) {
      throw ERRORS.accessDenied('This upload belongs to someone else', 403);
    }
    return auth;
  }

  private async patch(
    r: RouteRequest,
    signed: boolean,
    version: string,
    target: { bucket: string; key: string },
  ) {
    if (r.req.headers['content-type'] !== 'application/offset+octet-stream') {
      throw tusError(415, 'Content-Type must be application/offset+octet-stream');
    }
    const claimed = nonNegativeInt(r.req.headers['upload-offset']);
    if (claimed === undefined) throw tusError(400, 'Upload-Offset header required');
    const offset = await this.state.exclusive(version, async () => {
      const info = await this.loadOwned(version, target);
      const auth = await this.checkSameOwner(r, signed, info);
      const scope = this.scope(r, auth.caller);
      if (scope) {
        await canUpload(this.deps, scope, {
          bucket: info.bucket,
          key: info.key,
          upsert: info.upsert,
          mimeType: info.contentType,
        });
      }
      const current = await this.state.offset(version);
      if (claimed !== current) throw tusError(409, `Upload-Offset conflict: the upload is at ${current}`);
      const declaredLength = nonNegativeInt(r.req.headers['upload-length']);
      if (info.length === null && declaredLength !== undefined) {
        info.length = declaredLength;
        await this.state.save(info);
      }
      return this.append(r, info, scope, current);
    });
    r.res.writeHead(204, { 'Tus-Resumable': TUS_VERSION, 'Upload-Offset': String(offset) });
    r.res.end();
  }

  /**
   * Appends the request body to the upload's data file and fsyncs it, so the offset a
   * later HEAD reports is durable. A dropped connection keeps what arrived. Completes the
   * upload when the last byte is in.
   */
  private async append(
    r: RouteRequest,
    info: TusInfo,
    scope: RequestScope | null,
    start: number,
  ): Promise<number> {
    const found = await findBucketAsOwner(this.deps.pool, info.bucket);
    const limit = isEmptyFolderPlaceholder(info.key) ? 0 : effectiveLimit(found.file_size_limit);
    const room = Math.min(info.length ?? limit, limit) - start;
    const file = this.state.dataFile(info.version);
    let failure: unknown;
    try {
      await pipeWithoutDestroying(r.req, new Budget(room), fs.createWriteStream(file, { flags: 'a' }));
    } catch (err) {
      failure = err;
    }
    // What reached the file stays, durably: the offset a later HEAD reports is never ahead of it.
    await syncFile(file);
    if (failure instanceof StorageError) {
      // Too much data: keep what fits, refuse the rest.
      await fs.promises.truncate(
        file,
        Math.min(await this.state.offset(info.version), start + Math.max(room, 0)),
      );
      throw failure;
    }
    const offset = await this.state.offset(info.version);
    if (failure) return offset;
    if (!info.checked && (offset >= SNIFF_BYTES || offset === info.length)) {
      try {
        if (!isEmptyFolderPlaceholder(info.key)) {
          checkContent(
            info.contentType,
            await this.state.head(info.version, SNIFF_BYTES),
            found.allowed_mime_types,
          );
        }
      } catch (err) {
        await this.state.remove(info.version);
        throw err;
      }
      info.checked = true;
      await this.state.save(info);
    }
    if (info.length !== null && offset === info.length) {
      try {
        await this.complete(info, scope);
      } catch (err) {
        // The bytes are gone with the failed commit; the upload cannot be resumed.
        await this.state.remove(info.version);
        throw err;
      }
    }
    return offset;
  }

  private async complete(info: TusInfo, scope: RequestScope | null) {
    const file = this.state.dataFile(info.version);
    const eTag = await md5File(file);
    const size = await this.state.offset(info.version);
    await commitObject(
      this.deps,
      scope,
      { bucket: info.bucket, key: info.key, upsert: info.upsert, owner: info.owner },
      (version) => this.deps.store.place(file, info.bucket, info.key, version),
      {
        metadata: {
          eTag,
          size,
          mimetype: info.contentType,
          cacheControl: info.cacheControl,
          lastModified: new Date().toISOString(),
          contentLength: size,
          httpStatusCode: 200,
        },
        userMetadata: info.userMetadata,
      },
    );
    await this.state.remove(info.version);
  }

  private async terminate(
    r: RouteRequest,
    signed: boolean,
    version: string,
    target: { bucket: string; key: string },
  ) {
    await this.state.exclusive(version, async () => {
      const info = await this.loadOwned(version, target);
      await this.checkSameOwner(r, signed, info);
      await this.state.remove(version);
    });
    r.res.writeHead(204, { 'Tus-Resumable': TUS_VERSION });
    r.res.end();
  }
}

function res201(res: ServerResponse, headers: Record<string, string>) {
  res.writeHead(201, { ...headers, 'Content-Length': '0' });
  res.end();
}

async function md5File(file: string): Promise<string> {
  const hash = createHash('md5');
  await pipeline(fs.createReadStream(file), hash);
  return `"${hash.digest('hex')}"`;
}
