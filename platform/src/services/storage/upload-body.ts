import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { ERRORS, StorageError } from './errors';
import type { FileStore, StagedFile } from './file-store';
import { checkContent } from './mime';

/** What an upload request carries besides its bytes. */
export type UploadFields = {
  mimeType: string;
  cacheControl: string;
  contentEncoding?: string;
  userMetadata?: Record<string, unknown>;
};

export type ReceivedUpload = StagedFile & UploadFields;

const MAX_USER_METADATA = 1024 * 1024;

/** The dashboard's folder marker: no size or type rules apply to it (hosted `isEmptyFolder`). */
export function isEmptyFolderPlaceholder(key: string) {
  return key.endsWith('.emptyFolderPlaceholder');
}

function parseUserMetadata(json: string): Record<string, unknown> {
  if (Buffer.byteLength(json) > MAX_USER_METADATA) {
    throw new StorageError(
      'EntityTooLarge',
      413,
      'The user_metadata exceeded the maximum allowed size',
      'Payload too large',
    );
  }
  try {
    const value = JSON.parse(json);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw ERRORS.invalidRequest('metadata must be a JSON object');
}

/** `x-metadata` is base64 of a JSON object (storage-js `toBase64(JSON.stringify(metadata))`). */
export function parseMetadataHeader(
  value: string | string[] | undefined,
): Record<string, unknown> | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return parseUserMetadata(Buffer.from(value, 'base64').toString('utf8'));
}

/**
 * Reads an upload request into a staged file: a multipart form (storage-js's Blob/File/
 * FormData path: text fields `cacheControl`, `metadata`, `contentEncoding`, then the file
 * part) or a raw body (Buffer/stream path, with `content-type`, `cache-control`,
 * `content-encoding` and `x-metadata` headers). Stops reading and fails with
 * EntityTooLarge once `limit` is passed; checks the content against `allowedMimeTypes`.
 */
export async function receiveUpload(
  req: IncomingMessage,
  store: FileStore,
  opts: { key: string; limit: number; allowedMimeTypes: string[] | null },
): Promise<ReceivedUpload> {
  const placeholder = isEmptyFolderPlaceholder(opts.key);
  const limit = placeholder ? 0 : opts.limit;
  const allowed = placeholder ? null : opts.allowedMimeTypes;
  const contentType = req.headers['content-type'] ?? '';

  if (/^multipart\/form-data/i.test(contentType)) return receiveMultipart(req, store, limit, allowed);

  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw ERRORS.entityTooLarge();
  const fields: UploadFields = {
    mimeType: contentType || 'application/octet-stream',
    cacheControl: (req.headers['cache-control'] as string | undefined) ?? 'no-cache',
    contentEncoding: req.headers['content-encoding'] as string | undefined,
    userMetadata: parseMetadataHeader(req.headers['x-metadata']),
  };
  const staged = await store.stage(req, limit, (head) => checkContent(fields.mimeType, head, allowed));
  return { ...staged, ...fields };
}

function receiveMultipart(
  req: IncomingMessage,
  store: FileStore,
  limit: number,
  allowed: string[] | null,
): Promise<ReceivedUpload> {
  return new Promise<ReceivedUpload>((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      req.unpipe();
      reject(
        err instanceof StorageError
          ? err
          : ERRORS.invalidRequest(`Invalid multipart body: ${(err as Error).message}`),
      );
    };
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { files: 1, fields: 20, fieldSize: MAX_USER_METADATA + 1 },
      });
    } catch (err) {
      fail(err);
      return;
    }
    const fields: Record<string, string> = {};
    let sawFile = false;
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (_name, file: Readable, info) => {
      if (sawFile || settled) {
        file.resume();
        return;
      }
      sawFile = true;
      let upload: UploadFields;
      try {
        const metadataField = fields.metadata ?? fields.userMetadata;
        upload = {
          mimeType: fields.contentType || info.mimeType || 'application/octet-stream',
          cacheControl: fields.cacheControl ? `max-age=${fields.cacheControl}` : 'no-cache',
          contentEncoding: fields.contentEncoding || undefined,
          userMetadata: metadataField ? parseUserMetadata(metadataField) : undefined,
        };
      } catch (err) {
        file.resume();
        fail(err);
        return;
      }
      store
        .stage(file, limit, (head) => checkContent(upload.mimeType, head, allowed))
        .then(
          (staged) => {
            if (settled) {
              void store.discard(staged.tmpPath);
              return;
            }
            settled = true;
            resolve({ ...staged, ...upload });
          },
          (err) => {
            file.resume();
            fail(err);
          },
        );
    });
    bb.on('error', fail);
    bb.on('close', () => {
      if (!sawFile) fail(new StorageError('InvalidRequest', 400, 'No content provided'));
    });
    req.on('error', fail);
    req.pipe(bb);
  });
}
