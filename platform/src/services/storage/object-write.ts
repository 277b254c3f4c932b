import { randomUUID } from 'node:crypto';
import { ownerUuid } from './caller';
import { type RequestScope, type Tx, testPermission, transaction } from './db';
import type { StorageDeps } from './deps';
import { ERRORS, toStorageError } from './errors';
import type { ReceivedUpload } from './upload-body';

/** The `metadata` column as hosted Storage fills it (`src/storage/backend/adapter.ts` ObjectMetadata). */
export type ObjectMetadata = {
  eTag: string;
  size: number;
  mimetype: string;
  cacheControl: string;
  lastModified: string;
  contentLength: number;
  httpStatusCode: number;
  contentEncoding?: string;
};

export function objectMetadata(upload: ReceivedUpload): ObjectMetadata {
  return {
    eTag: upload.eTag,
    size: upload.size,
    mimetype: upload.mimeType,
    cacheControl: upload.cacheControl,
    lastModified: new Date().toISOString(),
    contentLength: upload.size,
    httpStatusCode: 200,
    ...(upload.contentEncoding ? { contentEncoding: upload.contentEncoding } : {}),
  };
}

type Row = {
  bucket: string;
  key: string;
  owner: string | undefined;
  version: string;
  metadata: unknown;
  userMetadata: unknown;
};

/**
 * Inserts (or with `upsert` inserts-or-replaces) an object row. Run as the caller, RLS
 * decides: a plain upload needs INSERT, an upsert INSERT + SELECT + UPDATE — the
 * permissions hosted Storage documents. A duplicate without upsert is KeyAlreadyExists.
 */
async function putRow(tx: Tx, row: Row, upsert: boolean): Promise<string> {
  // The id is chosen here: a plain insert has no RETURNING, which would also need a SELECT policy.
  const id = randomUUID();
  const values = [
    id,
    row.bucket,
    row.key,
    ownerUuid(row.owner) ?? null,
    row.owner ?? null,
    row.version,
    row.metadata === undefined ? null : JSON.stringify(row.metadata),
    row.userMetadata === undefined ? null : JSON.stringify(row.userMetadata),
  ];
  const insert = `insert into storage.objects (id, bucket_id, name, owner, owner_id, version, metadata, user_metadata)
                  values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb)`;
  try {
    if (!upsert) {
      await tx.query(insert, values);
      return id;
    }
    const result = await tx.query<{ id: string }>(
      `${insert}
       on conflict (bucket_id, name) do update set
         owner = excluded.owner, owner_id = excluded.owner_id, version = excluded.version,
         metadata = excluded.metadata, user_metadata = excluded.user_metadata,
         updated_at = now(), last_accessed_at = now()
       returning id`,
      values,
    );
    return result.rows[0].id;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw ERRORS.keyAlreadyExists();
    throw err;
  }
}

/**
 * Hosted's upload pre-check (`Uploader.canUpload`): try the row as the caller and roll
 * back, so a refused upload is answered before any byte is read.
 */
export async function canUpload(
  deps: StorageDeps,
  scope: RequestScope,
  target: {
    bucket: string;
    key: string;
    upsert: boolean;
    mimeType?: string;
    contentLength?: number;
    userMetadata?: unknown;
  },
) {
  await testPermission(deps.pool, scope, (tx) =>
    putRow(
      tx,
      {
        bucket: target.bucket,
        key: target.key,
        owner: scope.caller.sub,
        version: randomUUID(),
        metadata: { mimetype: target.mimeType, contentLength: target.contentLength },
        userMetadata: target.userMetadata,
      },
      target.upsert,
    ),
  );
}

/**
 * Records a new version of an object whose bytes `place(version)` puts at
 * `<bucket>/<key>/<version>`. The row is written as the caller when `scope` is given (RLS
 * applies), as the owner otherwise (signed upload URLs, whose token carries the
 * permission). The previous version's file is removed only after the commit; on failure
 * the new one is.
 */
export async function commitObject(
  deps: StorageDeps,
  scope: RequestScope | null,
  target: { bucket: string; key: string; upsert: boolean; owner: string | undefined },
  place: (version: string) => Promise<void>,
  row: { metadata: ObjectMetadata; userMetadata?: Record<string, unknown> | null },
): Promise<{ id: string }> {
  const version = randomUUID();
  let result: { id: string; previous: string | null };
  try {
    result = await transaction(deps.pool, async (tx) => {
      const current = await tx.query<{ version: string | null }>(
        'select version from storage.objects where bucket_id = $1 and name = $2 for update',
        [target.bucket, target.key],
      );
      if (current.rows[0] && !target.upsert) throw ERRORS.keyAlreadyExists();
      await place(version);
      if (scope) await tx.becomeCaller(scope);
      const id = await putRow(
        tx,
        {
          bucket: target.bucket,
          key: target.key,
          owner: target.owner,
          version,
          metadata: row.metadata,
          userMetadata: row.userMetadata ?? undefined,
        },
        target.upsert,
      );
      return { id, previous: current.rows[0]?.version ?? null };
    });
  } catch (err) {
    await deps.store.remove(target.bucket, target.key, version);
    throw toStorageError(err);
  }
  if (result.previous && result.previous !== version) {
    await deps.store.remove(target.bucket, target.key, result.previous);
  }
  return { id: result.id };
}
