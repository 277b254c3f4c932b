import { findBucketAsOwner } from './buckets';
import { resolveCaller } from './caller';
import { asCaller, requestScope } from './db';
import type { RouteRequest, StorageDeps } from './deps';
import { ERRORS } from './errors';
import { parseBool, readJson, sendJson } from './http';
import { canUpload } from './object-write';
import { findAndSend, findObject, splitObjectPath, storeUpload } from './objects';
import { mustBeValidKey } from './paths';
import { signDownload, signUpload, verifySigned } from './signed-tokens';

function expiresIn(body: Record<string, unknown>): number {
  const value = Number(body.expiresIn);
  if (body.expiresIn === undefined || body.expiresIn === null) throw ERRORS.missingParameter('expiresIn');
  if (!Number.isFinite(value) || value < 1)
    throw ERRORS.invalidRequest('expiresIn must be a positive number of seconds');
  return value;
}

function hasTransform(body: Record<string, unknown>): boolean {
  return (
    typeof body.transform === 'object' && body.transform !== null && Object.keys(body.transform).length > 0
  );
}

/** `POST /object/sign/<b>/<key>`: the caller must be able to read the object (SELECT). */
async function signOne(deps: StorageDeps, r: RouteRequest, bucket: string, key: string) {
  const caller = await resolveCaller(deps.ctx, r.req);
  const body = await readJson(r.req);
  const ttl = expiresIn(body);
  if (hasTransform(body)) throw ERRORS.notImplemented('Image transformation');
  const obj = await findObject(deps, requestScope(r.req, caller, r.path, 'storage.object.sign'), bucket, key);
  if (!obj) throw ERRORS.noSuchKey();
  const url = `${bucket}/${key}`;
  const token = await signDownload(deps.ctx.keys, url, ttl);
  sendJson(r.res, 200, { signedURL: `/object/sign/${url}?token=${token}` });
}

/** `POST /object/sign/<b>` with `{expiresIn, paths}`: one entry per path, an error for the ones not readable. */
async function signMany(deps: StorageDeps, r: RouteRequest, bucket: string) {
  const caller = await resolveCaller(deps.ctx, r.req);
  const body = await readJson(r.req);
  const ttl = expiresIn(body);
  const paths = body.paths;
  if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string'))
    throw ERRORS.missingParameter('paths');
  if (paths.length > 1000)
    throw ERRORS.invalidRequest('Bulk object requests are limited to 1000 objects per request.');
  const scope = requestScope(r.req, caller, r.path, 'storage.object.sign_many');
  const visible = await asCaller(deps.pool, scope, async (tx) => {
    const result = await tx.query<{ name: string }>(
      'select name from storage.objects where bucket_id = $1 and name = any($2::text[])',
      [bucket, paths],
    );
    return new Set(result.rows.map((row) => row.name));
  });
  const entries = await Promise.all(
    (paths as string[]).map(async (path) => {
      if (!visible.has(path)) {
        return {
          error: 'Either the object does not exist or you do not have access to it',
          path,
          signedURL: null,
        };
      }
      const url = `${bucket}/${path}`;
      const token = await signDownload(deps.ctx.keys, url, ttl);
      return { error: null, path, signedURL: `/object/sign/${url}?token=${token}` };
    }),
  );
  sendJson(r.res, 200, entries);
}

/** `GET /object/sign/<b>/<key>?token=`: no Authorization needed; the token is the permission. */
async function getSigned(deps: StorageDeps, r: RouteRequest, bucket: string, key: string) {
  const token = await verifySigned(deps.ctx.keys, r.query.get('token'), `${bucket}/${key}`, 'download');
  await findAndSend(deps, r, null, bucket, key, { expires: new Date(token.exp * 1000) });
}

/**
 * `POST /object/upload/sign/<b>/<key>`: checks now that the caller could upload there
 * (hosted `signUploadObjectUrl`), then hands out a two-hour token bound to the path.
 */
async function createUploadUrl(deps: StorageDeps, r: RouteRequest, bucket: string, key: string) {
  const caller = await resolveCaller(deps.ctx, r.req);
  mustBeValidKey(key);
  await findBucketAsOwner(deps.pool, bucket);
  const upsert = parseBool(r.req.headers['x-upsert']);
  await canUpload(deps, requestScope(r.req, caller, r.path, 'storage.object.upload_sign'), {
    bucket,
    key,
    upsert,
  });
  const url = `${bucket}/${key}`;
  const token = await signUpload(deps.ctx.keys, url, caller.sub, upsert);
  sendJson(r.res, 200, { url: `/object/upload/sign/${url}?token=${token}`, token });
}

/** `PUT /object/upload/sign/<b>/<key>?token=`: written as the owner, on behalf of the token's `owner`. */
async function uploadToSignedUrl(deps: StorageDeps, r: RouteRequest, bucket: string, key: string) {
  const token = await verifySigned(deps.ctx.keys, r.query.get('token'), `${bucket}/${key}`, 'upload');
  const { id } = await storeUpload(
    deps,
    r,
    { bucket, key, upsert: token.upsert === true, owner: token.owner },
    null,
  );
  sendJson(r.res, 200, { Id: id, Key: `${bucket}/${key}` });
}

/** `/object/sign/...` and `/object/upload/sign/...`; `rest` is the decoded path after `/object/`. */
export async function handleSignedRoute(deps: StorageDeps, r: RouteRequest, rest: string): Promise<boolean> {
  const method = r.req.method;
  if (rest.startsWith('sign/')) {
    const { bucket, key } = splitObjectPath(rest.slice('sign/'.length));
    if (method === 'POST') await (key ? signOne(deps, r, bucket, key) : signMany(deps, r, bucket));
    else if (method === 'GET' || method === 'HEAD') await getSigned(deps, r, bucket, key);
    else return false;
    return true;
  }
  if (rest.startsWith('upload/sign/')) {
    const { bucket, key } = splitObjectPath(rest.slice('upload/sign/'.length));
    if (method === 'POST') await createUploadUrl(deps, r, bucket, key);
    else if (method === 'PUT') await uploadToSignedUrl(deps, r, bucket, key);
    else return false;
    return true;
  }
  return false;
}
