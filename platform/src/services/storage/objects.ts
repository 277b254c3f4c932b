import { randomUUID } from 'node:crypto';
import { findBucketAsOwner } from './buckets';
import { type Caller, ownerUuid, resolveCaller } from './caller';
import { asCaller, type RequestScope, requestScope, transaction } from './db';
import type { RouteRequest, StorageDeps } from './deps';
import { ERRORS, toStorageError } from './errors';
import { parseBool, readJson, sendJson } from './http';
import { effectiveLimit } from './limits';
import { infoBody, OBJECT_COLUMNS, type ObjectRow, sendObject } from './object-read';
import { canUpload, commitObject, type ObjectMetadata, objectMetadata } from './object-write';
import { mustBeValidBucketName, mustBeValidKey } from './paths';
import { receiveUpload } from './upload-body';

/** Reads one object row as the caller (RLS decides) or, with `scope` null, as the owner. */
export async function findObject(
  deps: StorageDeps,
  scope: RequestScope | null,
  bucket: string,
  key: string,
): Promise<ObjectRow | undefined> {
  const sql = `select ${OBJECT_COLUMNS} from storage.objects where bucket_id = $1 and name = $2`;
  if (!scope) return (await deps.pool.query<ObjectRow>(sql, [bucket, key])).rows[0];
  return asCaller(deps.pool, scope, async (tx) => (await tx.query<ObjectRow>(sql, [bucket, key])).rows[0]);
}

/**
 * Looks an object up and sends it. A concurrent overwrite can remove the version just read
 * before its file is opened; one fresh look-up covers that.
 */
export async function findAndSend(
  deps: StorageDeps,
  r: RouteRequest,
  scope: RequestScope | null,
  bucket: string,
  key: string,
  opts: { expires?: Date } = {},
) {
  for (let attempt = 0; ; attempt++) {
    const obj = await findObject(deps, scope, bucket, key);
    if (!obj) throw ERRORS.noSuchKey();
    try {
      await sendObject(deps, r.req, r.res, obj, { download: r.query.get('download'), expires: opts.expires });
      return;
    } catch (err) {
      if (attempt > 0 || (err as { code?: string }).code !== 'NoSuchKey') throw err;
    }
  }
}

/**
 * `POST /object/<b>/<key>` (upload, `x-upsert`), `PUT /object/<b>/<key>` (update: always
 * an upsert, as hosted) and the signed-URL PUT (`scope` null, owner from the token).
 */
export async function storeUpload(
  deps: StorageDeps,
  r: RouteRequest,
  target: { bucket: string; key: string; upsert: boolean; owner: string | undefined },
  scope: RequestScope | null,
): Promise<{ id: string }> {
  mustBeValidKey(target.key);
  const bucket = await findBucketAsOwner(deps.pool, target.bucket);
  if (scope) {
    const declared = Number(r.req.headers['content-length']);
    await canUpload(deps, scope, {
      bucket: target.bucket,
      key: target.key,
      upsert: target.upsert,
      mimeType: r.req.headers['content-type'],
      contentLength: Number.isFinite(declared) ? declared : undefined,
    });
  }
  const received = await receiveUpload(r.req, deps.store, {
    key: target.key,
    limit: effectiveLimit(bucket.file_size_limit),
    allowedMimeTypes: bucket.allowed_mime_types,
  });
  try {
    return await commitObject(
      deps,
      scope,
      target,
      (version) => deps.store.place(received.tmpPath, target.bucket, target.key, version),
      { metadata: objectMetadata(received), userMetadata: received.userMetadata },
    );
  } finally {
    await deps.store.discard(received.tmpPath);
  }
}

async function upload(deps: StorageDeps, r: RouteRequest, caller: Caller, bucket: string, key: string) {
  const upsert = r.req.method === 'PUT' || parseBool(r.req.headers['x-upsert']);
  const scope = requestScope(
    r.req,
    caller,
    r.path,
    upsert ? 'storage.object.upload_update' : 'storage.object.upload',
  );
  const { id } = await storeUpload(deps, r, { bucket, key, upsert, owner: caller.sub }, scope);
  sendJson(r.res, 200, { Id: id, Key: `${bucket}/${key}` });
}

/** `GET|HEAD /object/info/...`, `HEAD /object/...`: public buckets are read as the owner (hosted). */
async function info(
  deps: StorageDeps,
  r: RouteRequest,
  caller: Caller | null,
  bucketId: string,
  key: string,
) {
  const bucket = await findBucketAsOwner(deps.pool, bucketId).catch(() => undefined);
  if (!bucket || (!caller && !bucket.public)) throw ERRORS.noSuchBucket();
  const scope = caller && !bucket.public ? requestScope(r.req, caller, r.path, 'storage.object.info') : null;
  const obj = await findObject(deps, scope, bucketId, key);
  if (!obj) throw ERRORS.noSuchKey();
  if (r.req.method === 'HEAD') {
    await sendObject(deps, r.req, r.res, obj, { download: null });
    return;
  }
  sendJson(r.res, 200, infoBody(obj), obj.metadata?.eTag ? { ETag: obj.metadata.eTag } : {});
}

function deleteEntries(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) throw ERRORS.missingParameter('prefixes');
  if (value.length > 1000)
    throw ERRORS.invalidRequest('Bulk object requests are limited to 1000 objects per request.');
  return value.map((v) => {
    const path = typeof v === 'string' ? v : (v as { path?: unknown })?.path;
    if (typeof path !== 'string') throw ERRORS.invalidRequest('prefixes must be object paths');
    return path;
  });
}

/** `DELETE /object/<b>` with `{prefixes}`: deletes what the caller may (SELECT + DELETE), returns those rows. */
async function removeMany(deps: StorageDeps, r: RouteRequest, caller: Caller, bucket: string) {
  const names = deleteEntries((await readJson(r.req)).prefixes);
  const scope = requestScope(r.req, caller, r.path, 'storage.object.delete_many');
  const rows = await asCaller(deps.pool, scope, async (tx) => {
    const result = await tx.query<ObjectRow>(
      `delete from storage.objects where bucket_id = $1 and name = any($2::text[]) returning ${OBJECT_COLUMNS}`,
      [bucket, names],
    );
    return result.rows;
  });
  for (const o of rows) if (o.version) await deps.store.remove(bucket, o.name, o.version);
  sendJson(r.res, 200, rows);
}

/** `DELETE /object/<b>/<key>`: NoSuchKey when it does not exist, AccessDenied when RLS keeps it. */
async function removeOne(deps: StorageDeps, r: RouteRequest, caller: Caller, bucket: string, key: string) {
  const scope = requestScope(r.req, caller, r.path, 'storage.object.delete');
  const version = await transaction(deps.pool, async (tx) => {
    const found = await tx.query<{ version: string | null }>(
      'select version from storage.objects where bucket_id = $1 and name = $2 for update',
      [bucket, key],
    );
    if (!found.rows[0]) throw ERRORS.noSuchKey();
    await tx.becomeCaller(scope);
    const deleted = await tx.query('delete from storage.objects where bucket_id = $1 and name = $2', [
      bucket,
      key,
    ]);
    if (!deleted.rowCount) throw ERRORS.accessDenied('Access denied');
    return found.rows[0].version;
  });
  if (version) await deps.store.remove(bucket, key, version);
  sendJson(r.res, 200, { message: 'Successfully deleted' });
}

type Transfer = { bucket: string; source: string; destBucket: string; dest: string };

async function transferBody(deps: StorageDeps, body: Record<string, unknown>): Promise<Transfer> {
  const { bucketId, sourceKey, destinationKey, destinationBucket } = body;
  if (typeof bucketId !== 'string') throw ERRORS.missingParameter('bucketId');
  if (typeof sourceKey !== 'string') throw ERRORS.missingParameter('sourceKey');
  if (typeof destinationKey !== 'string') throw ERRORS.missingParameter('destinationKey');
  const destBucket =
    typeof destinationBucket === 'string' && destinationBucket ? destinationBucket : bucketId;
  mustBeValidBucketName(bucketId);
  mustBeValidBucketName(destBucket);
  mustBeValidKey(sourceKey);
  mustBeValidKey(destinationKey);
  if (destBucket !== bucketId) await findBucketAsOwner(deps.pool, destBucket);
  return { bucket: bucketId, source: sourceKey, destBucket, dest: destinationKey };
}

/**
 * `POST /object/move`: renames the row as the caller (SELECT + UPDATE; the update's
 * WITH CHECK sees the new name), links the bytes under the new name, then drops the old file.
 */
async function move(deps: StorageDeps, r: RouteRequest, caller: Caller) {
  const t = await transferBody(deps, await readJson(r.req));
  const scope = requestScope(r.req, caller, r.path, 'storage.object.move');
  if (t.bucket === t.destBucket && t.source === t.dest) {
    if (!(await findObject(deps, scope, t.bucket, t.source))) throw ERRORS.noSuchKey();
    sendJson(r.res, 200, { message: 'Successfully moved' });
    return;
  }
  const version = randomUUID();
  let previous: string;
  try {
    previous = await transaction(deps.pool, async (tx) => {
      const found = await tx.query<{ version: string }>(
        'select version from storage.objects where bucket_id = $1 and name = $2 for update',
        [t.bucket, t.source],
      );
      if (!found.rows[0]?.version) throw ERRORS.noSuchKey();
      await tx.becomeCaller(scope);
      const updated = await tx.query(
        `update storage.objects
            set bucket_id = $3, name = $4, version = $5, owner = $6, owner_id = $7, updated_at = now()
          where bucket_id = $1 and name = $2`,
        [
          t.bucket,
          t.source,
          t.destBucket,
          t.dest,
          version,
          ownerUuid(caller.sub) ?? null,
          caller.sub ?? null,
        ],
      );
      if (!updated.rowCount) throw ERRORS.noSuchKey();
      await deps.store.duplicate(
        { bucket: t.bucket, key: t.source, version: found.rows[0].version },
        { bucket: t.destBucket, key: t.dest, version },
      );
      return found.rows[0].version;
    });
  } catch (err) {
    await deps.store.remove(t.destBucket, t.dest, version);
    throw toStorageError(err);
  }
  await deps.store.remove(t.bucket, t.source, previous);
  sendJson(r.res, 200, { message: 'Successfully moved' });
}

/**
 * `POST /object/copy`: reads the source as the caller (SELECT), writes the copy as the
 * caller (INSERT, or INSERT + UPDATE with `x-upsert`). The bytes are shared by a hard link:
 * version files are never modified in place.
 */
async function copy(deps: StorageDeps, r: RouteRequest, caller: Caller) {
  const body = await readJson(r.req);
  const t = await transferBody(deps, body);
  const upsert = parseBool(r.req.headers['x-upsert']);
  const scope = requestScope(r.req, caller, r.path, 'storage.object.copy');
  const source = await findObject(deps, scope, t.bucket, t.source);
  if (!source?.version) throw ERRORS.noSuchKey();
  const sourceVersion = source.version;
  const userMetadata =
    body.copyMetadata === false
      ? ((body.metadata as Record<string, unknown> | undefined) ?? null)
      : (source.user_metadata ?? null);
  const metadata = { ...(source.metadata ?? {}), lastModified: new Date().toISOString() } as ObjectMetadata;
  const { id } = await commitObject(
    deps,
    scope,
    { bucket: t.destBucket, key: t.dest, upsert, owner: caller.sub },
    (version) =>
      deps.store.duplicate(
        { bucket: t.bucket, key: t.source, version: sourceVersion },
        { bucket: t.destBucket, key: t.dest, version },
      ),
    { metadata, userMetadata },
  );
  sendJson(r.res, 200, { Id: id, Key: `${t.destBucket}/${t.dest}` });
}

/** Splits `<bucket>/<key…>` (already decoded). */
export function splitObjectPath(rest: string): { bucket: string; key: string } {
  const slash = rest.indexOf('/');
  if (slash <= 0) return { bucket: rest, key: '' };
  return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

/**
 * The authenticated object routes: upload, update, download, info/exists, delete, move,
 * copy. `rest` is the decoded path after `/object/`.
 */
export async function handleObjectRoute(deps: StorageDeps, r: RouteRequest, rest: string): Promise<boolean> {
  const method = r.req.method;
  if (method === 'POST' && (rest === 'move' || rest === 'copy')) {
    const caller = await resolveCaller(deps.ctx, r.req);
    await (rest === 'move' ? move(deps, r, caller) : copy(deps, r, caller));
    return true;
  }
  if (rest.startsWith('public/') && (method === 'GET' || method === 'HEAD')) {
    const { bucket, key } = splitObjectPath(rest.slice('public/'.length));
    const found = await findBucketAsOwner(deps.pool, bucket).catch(() => undefined);
    if (!found?.public) throw ERRORS.noSuchBucket();
    await findAndSend(deps, r, null, bucket, key);
    return true;
  }
  if (rest.startsWith('info/') && method === 'GET') {
    let path = rest.slice('info/'.length);
    let caller: Caller | null = null;
    if (path.startsWith('public/')) path = path.slice('public/'.length);
    else {
      if (path.startsWith('authenticated/')) path = path.slice('authenticated/'.length);
      caller = await resolveCaller(deps.ctx, r.req);
    }
    const { bucket, key } = splitObjectPath(path);
    await info(deps, r, caller, bucket, key);
    return true;
  }
  const caller = await resolveCaller(deps.ctx, r.req);
  const path = rest.startsWith('authenticated/') ? rest.slice('authenticated/'.length) : rest;
  const { bucket, key } = splitObjectPath(path);
  if (!key) {
    if (method === 'DELETE') {
      await removeMany(deps, r, caller, bucket);
      return true;
    }
    return false;
  }
  switch (method) {
    case 'GET':
      await findAndSend(
        deps,
        r,
        requestScope(r.req, caller, r.path, 'storage.object.get_authenticated'),
        bucket,
        key,
      );
      return true;
    case 'HEAD':
      await info(deps, r, caller, bucket, key);
      return true;
    case 'POST':
    case 'PUT':
      await upload(deps, r, caller, bucket, key);
      return true;
    case 'DELETE':
      await removeOne(deps, r, caller, bucket, key);
      return true;
    default:
      return false;
  }
}
