import type { ServerResponse } from 'node:http';

/**
 * A Storage API error in the shape hosted Storage renders (supabase/storage
 * `src/internal/errors/codes.ts`): the body carries the "real" status as a string in
 * `statusCode`, while the HTTP status is 400 for every client error unless a route sets
 * another one. storage-js reads `message`, `statusCode` and `code`.
 */
export class StorageError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    /** The legacy `error` field; defaults to `code`. */
    readonly error?: string,
    /** HTTP status when it differs from the hosted default (400, or 500 for 500s). */
    readonly httpStatus?: number,
  ) {
    super(message);
  }

  get status(): number {
    return this.httpStatus ?? (this.statusCode >= 500 ? this.statusCode : 400);
  }

  render() {
    return {
      statusCode: String(this.statusCode),
      code: this.code,
      error: this.error ?? this.code,
      message: this.message,
    };
  }
}

export const ERRORS = {
  noSuchBucket: () => new StorageError('NoSuchBucket', 404, 'Bucket not found', 'Bucket not found'),
  noSuchKey: () => new StorageError('NoSuchKey', 404, 'Object not found', 'not_found'),
  keyAlreadyExists: () =>
    new StorageError('KeyAlreadyExists', 409, 'The resource already exists', 'Duplicate'),
  bucketAlreadyExists: () =>
    new StorageError('BucketAlreadyExists', 409, 'The resource already exists', 'Duplicate'),
  resourceAlreadyExists: () =>
    new StorageError('ResourceAlreadyExists', 409, 'The resource already exists', 'Duplicate'),
  bucketNotEmpty: () =>
    new StorageError('InvalidRequest', 409, 'The bucket you tried to delete is not empty'),
  entityTooLarge: () =>
    new StorageError(
      'EntityTooLarge',
      413,
      'The object exceeded the maximum allowed size',
      'Payload too large',
    ),
  invalidMimeType: (mime: string, detail?: string) =>
    new StorageError(
      'InvalidMimeType',
      415,
      detail ? `mime type ${mime} is not supported: ${detail}` : `mime type ${mime} is not supported`,
      'invalid_mime_type',
    ),
  invalidJwt: (message = 'Invalid JWT') => new StorageError('InvalidJWT', 400, message),
  accessDenied: (message = 'Access denied', httpStatus?: number) =>
    new StorageError('AccessDenied', 403, message, 'Unauthorized', httpStatus),
  invalidSignature: (message = 'Invalid signature') => new StorageError('InvalidSignature', 400, message),
  invalidKey: (key: string) => new StorageError('InvalidKey', 400, `Invalid key: ${key}`),
  invalidBucketName: () => new StorageError('InvalidBucketName', 400, 'Bucket name invalid', 'Invalid Input'),
  invalidFileSizeLimit: () =>
    new StorageError('InvalidRequest', 400, 'Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B'),
  missingParameter: (name: string) =>
    new StorageError('MissingParameter', 400, `Missing Required Parameter ${name}`),
  invalidRequest: (message: string) => new StorageError('InvalidRequest', 400, message),
  invalidRange: () => new StorageError('InvalidRange', 416, 'invalid range provided', 'invalid_range', 416),
  notFound: () => new StorageError('NotFound', 404, 'Route not found', 'Not Found', 404),
  notImplemented: (what: string) =>
    new StorageError(
      'NotSupported',
      501,
      `${what} is not available on the local platform`,
      'not_implemented',
      501,
    ),
  databaseTimeout: () => new StorageError('DatabaseTimeout', 544, 'The connection to the database timed out'),
  internal: (message = 'Internal server error') =>
    new StorageError('InternalError', 500, message, 'Internal'),
};

type PgError = { code?: string; message?: string };

function isPgError(err: unknown): err is PgError {
  return (
    typeof err === 'object' && err !== null && typeof (err as PgError).code === 'string' && 'severity' in err
  );
}

/** Maps a database error the way hosted Storage does (`src/storage/database/errors.ts`). */
export function fromDatabaseError(err: unknown): StorageError | undefined {
  if (!isPgError(err)) return undefined;
  switch (err.code) {
    case '42501':
      return ERRORS.accessDenied(
        err.message?.includes('row-level security')
          ? 'new row violates row-level security policy'
          : err.message,
      );
    case '23505':
      return ERRORS.resourceAlreadyExists();
    case '57014':
      return ERRORS.databaseTimeout();
    case '23503':
      return new StorageError(
        'InvalidRequest',
        400,
        'The resource could not be updated or removed due to a foreign key constraint',
      );
    case '22P02':
      return new StorageError('InvalidParameter', 400, err.message ?? 'Invalid value');
    default:
      return undefined;
  }
}

export function toStorageError(err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  return fromDatabaseError(err) ?? ERRORS.internal();
}

export function sendError(res: ServerResponse, err: StorageError, extraHeaders: Record<string, string> = {}) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(err.render());
  res.writeHead(err.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}
