import type pg from 'pg';
import { type Caller, ownerUuid, resolveCaller } from './caller';
import { asCaller, requestScope, transaction } from './db';
import type { RouteRequest, StorageDeps } from './deps';
import { ERRORS } from './errors';
import { parseBool, readJson, sendJson } from './http';
import { parseFileSizeLimit } from './limits';
import { mustBeValidBucketName } from './paths';

export type BucketRow = {
  id: string;
  name: string;
  owner: string | null;
  owner_id: string | null;
  public: boolean;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
  type: string;
  created_at: string;
  updated_at: string;
};

const BUCKET_COLUMNS =
  'id, name, owner, owner_id, public, type, file_size_limit, allowed_mime_types, created_at, updated_at';

function toBucket(row: Record<string, unknown>): BucketRow {
  return {
    ...(row as BucketRow),
    file_size_limit: row.file_size_limit === null ? null : Number(row.file_size_limit),
  };
}

/** Reads a bucket as the database owner (uploads and public reads check it this way on hosted too). */
export async function findBucketAsOwner(pool: pg.Pool, id: string): Promise<BucketRow> {
  const { rows } = await pool.query(`select ${BUCKET_COLUMNS} from storage.buckets where id = $1`, [id]);
  if (!rows[0]) throw ERRORS.noSuchBucket();
  return toBucket(rows[0]);
}

const MIME_PATTERN = /^[a-z0-9!#$&^_.+-]+\/([a-z0-9!#$&^_.+-]+|\*)$/i;

function parseAllowedMimeTypes(value: unknown): string[] | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && MIME_PATTERN.test(v))) {
    throw ERRORS.invalidRequest(
      'allowed_mime_types must be an array of MIME types such as image/png or image/*',
    );
  }
  return value.length === 0 ? null : (value as string[]);
}

const SORT_COLUMNS = new Set(['id', 'name', 'created_at', 'updated_at']);

async function listBuckets(deps: StorageDeps, r: RouteRequest, caller: Caller) {
  const q = r.query;
  const values: unknown[] = [];
  let where = '';
  const search = q.get('search');
  if (search) {
    values.push(`%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where = `where name ilike $${values.length}`;
  }
  const column = SORT_COLUMNS.has(q.get('sortColumn') ?? '') ? q.get('sortColumn') : 'name';
  const order = q.get('sortOrder')?.toLowerCase() === 'desc' ? 'desc' : 'asc';
  const limit = Number(q.get('limit'));
  const offset = Number(q.get('offset'));
  let page = '';
  if (Number.isInteger(limit) && limit > 0) page += ` limit ${limit}`;
  if (Number.isInteger(offset) && offset > 0) page += ` offset ${offset}`;
  const rows = await asCaller(
    deps.pool,
    requestScope(r.req, caller, r.path, 'storage.bucket.list'),
    async (tx) => {
      const result = await tx.query(
        `select ${BUCKET_COLUMNS} from storage.buckets ${where} order by ${column} ${order}${page}`,
        values,
      );
      return result.rows;
    },
  );
  sendJson(r.res, 200, rows.map(toBucket));
}

async function getBucket(deps: StorageDeps, r: RouteRequest, caller: Caller, id: string) {
  const row = await asCaller(
    deps.pool,
    requestScope(r.req, caller, r.path, 'storage.bucket.get'),
    async (tx) => {
      const result = await tx.query(`select ${BUCKET_COLUMNS} from storage.buckets where id = $1`, [id]);
      return result.rows[0];
    },
  );
  if (!row) throw ERRORS.noSuchBucket();
  sendJson(r.res, 200, toBucket(row));
}

async function createBucket(deps: StorageDeps, r: RouteRequest, caller: Caller) {
  const body = await readJson(r.req);
  const name = (body.name ?? body.id) as unknown;
  const id = (body.id ?? body.name) as unknown;
  mustBeValidBucketName(id);
  mustBeValidBucketName(name);
  if (body.type !== undefined && body.type !== null && body.type !== 'STANDARD') {
    throw ERRORS.notImplemented(`Buckets of type ${String(body.type)}`);
  }
  const limit = parseFileSizeLimit(body.file_size_limit);
  const mimes = parseAllowedMimeTypes(body.allowed_mime_types);
  try {
    await asCaller(deps.pool, requestScope(r.req, caller, r.path, 'storage.bucket.create'), (tx) =>
      tx.query(
        `insert into storage.buckets (id, name, owner, owner_id, public, file_size_limit, allowed_mime_types)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [
          id,
          name,
          ownerUuid(caller.sub) ?? null,
          caller.sub ?? null,
          body.public === true,
          limit ?? null,
          mimes ?? null,
        ],
      ),
    );
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw ERRORS.bucketAlreadyExists();
    throw err;
  }
  sendJson(r.res, 200, { name });
}

async function updateBucket(deps: StorageDeps, r: RouteRequest, caller: Caller, id: string) {
  const body = await readJson(r.req);
  const sets: string[] = [];
  const values: unknown[] = [id];
  if (body.public !== undefined) {
    values.push(body.public === true || parseBool(String(body.public)));
    sets.push(`public = $${values.length}`);
  }
  const limit = parseFileSizeLimit(body.file_size_limit);
  if (limit !== undefined) {
    values.push(limit);
    sets.push(`file_size_limit = $${values.length}`);
  }
  const mimes = parseAllowedMimeTypes(body.allowed_mime_types);
  if (mimes !== undefined) {
    values.push(mimes);
    sets.push(`allowed_mime_types = $${values.length}`);
  }
  sets.push('updated_at = now()');
  const updated = await asCaller(
    deps.pool,
    requestScope(r.req, caller, r.path, 'storage.bucket.update'),
    async (tx) => {
      const result = await tx.query(`update storage.buckets set ${sets.join(', ')} where id = $1`, values);
      return result.rowCount ?? 0;
    },
  );
  if (updated === 0) throw ERRORS.noSuchBucket();
  sendJson(r.res, 200, { message: 'Successfully updated' });
}

/** Deletes every object of the bucket the caller may delete, then their files. */
async function emptyBucket(deps: StorageDeps, r: RouteRequest, caller: Caller, id: string) {
  const removed = await asCaller(
    deps.pool,
    requestScope(r.req, caller, r.path, 'storage.bucket.empty'),
    async (tx) => {
      const bucket = await tx.query('select id from storage.buckets where id = $1', [id]);
      if (!bucket.rows[0]) throw ERRORS.noSuchBucket();
      const result = await tx.query<{ name: string; version: string | null }>(
        'delete from storage.objects where bucket_id = $1 returning name, version',
        [id],
      );
      return result.rows;
    },
  );
  for (const o of removed) if (o.version) await deps.store.remove(id, o.name, o.version);
  sendJson(r.res, 200, { message: 'Successfully emptied' });
}

async function deleteBucket(deps: StorageDeps, r: RouteRequest, caller: Caller, id: string) {
  await transaction(deps.pool, async (tx) => {
    // Counted as the owner: objects the caller cannot see still keep the bucket from going.
    const objects = await tx.query('select 1 from storage.objects where bucket_id = $1 limit 1', [id]);
    if (objects.rows[0]) throw ERRORS.bucketNotEmpty();
    await tx.becomeCaller(requestScope(r.req, caller, r.path, 'storage.bucket.delete'));
    const result = await tx.query('delete from storage.buckets where id = $1', [id]);
    if (!result.rowCount) throw ERRORS.noSuchBucket();
  });
  await deps.store.removeBucketDir(id);
  sendJson(r.res, 200, { message: 'Successfully deleted' });
}

/** `/bucket`, `/bucket/<id>`, `/bucket/<id>/empty`. */
export async function handleBucketRoute(deps: StorageDeps, r: RouteRequest): Promise<boolean> {
  const m = /^\/bucket(?:\/([^/]+))?(\/empty)?\/?$/.exec(r.path);
  if (!m) return false;
  const id = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
  const method = r.req.method;
  const caller = await resolveCaller(deps.ctx, r.req);
  if (id === undefined) {
    if (method === 'GET') await listBuckets(deps, r, caller);
    else if (method === 'POST') await createBucket(deps, r, caller);
    else return false;
    return true;
  }
  if (m[2]) {
    if (method !== 'POST') return false;
    await emptyBucket(deps, r, caller, id);
    return true;
  }
  if (method === 'GET') await getBucket(deps, r, caller, id);
  else if (method === 'PUT') await updateBucket(deps, r, caller, id);
  else if (method === 'DELETE') await deleteBucket(deps, r, caller, id);
  else return false;
  return true;
}
