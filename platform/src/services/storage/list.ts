import { resolveCaller } from './caller';
import { asCaller, requestScope, type Tx } from './db';
import type { RouteRequest, StorageDeps } from './deps';
import { ERRORS } from './errors';
import { readJson, sendJson } from './http';

/**
 * `POST /object/list/<b>` (storage-js `list(path, {limit, offset, sortBy, search})`): one
 * folder level through `storage.search`, run as the caller so RLS hides what it hides on
 * hosted — including folders that only hold objects the caller may not see.
 */
async function listV1(deps: StorageDeps, r: RouteRequest, bucket: string) {
  const caller = await resolveCaller(deps.ctx, r.req);
  const body = await readJson(r.req);
  let prefix = typeof body.prefix === 'string' ? body.prefix : '';
  if (body.prefix !== undefined && typeof body.prefix !== 'string') throw ERRORS.missingParameter('prefix');
  // Like hosted: the prefix is always a folder.
  if (prefix.length > 0 && !prefix.endsWith('/')) prefix = `${prefix}/`;
  const limit = Number.isInteger(body.limit) && (body.limit as number) > 0 ? (body.limit as number) : 100;
  const offset = Number.isInteger(body.offset) && (body.offset as number) > 0 ? (body.offset as number) : 0;
  const sortBy = (body.sortBy ?? {}) as { column?: unknown; order?: unknown };
  const search = typeof body.search === 'string' ? body.search : '';
  const rows = await asCaller(
    deps.pool,
    requestScope(r.req, caller, r.path, 'storage.object.list'),
    async (tx) => {
      const result = await tx.query('select * from storage.search($1, $2, $3, $4, $5, $6, $7, $8)', [
        prefix,
        bucket,
        limit,
        prefix.split('/').length,
        offset,
        search,
        typeof sortBy.column === 'string' ? sortBy.column : 'name',
        typeof sortBy.order === 'string' ? sortBy.order : 'asc',
      ]);
      return result.rows;
    },
  );
  sendJson(r.res, 200, rows);
}

type V2Row = {
  name: string;
  id: string;
  updated_at: Date;
  created_at: Date;
  last_accessed_at: Date;
  metadata: unknown;
};

type Cursor = { after: string; column?: string; value?: string };

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(token: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof c.after === 'string') return c as Cursor;
  } catch {
    // fall through
  }
  throw new Error('bad cursor');
}

/** `%`, `_` and `\` taken literally in a LIKE pattern. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A key greater than every key that starts with `folder` (keys are ASCII; this is the top code point). */
const AFTER_ALL = String.fromCodePoint(0x10ffff);

type Entry = { folder: { name: string; key: string } } | { object: V2Row & { key: string } };

/** Where the next page starts after `entry`. */
function cursorAfter(entry: Entry, column: 'name' | 'created_at' | 'updated_at', desc: boolean): Cursor {
  if ('folder' in entry) return { after: desc ? entry.folder.name : entry.folder.name + AFTER_ALL };
  const o = entry.object;
  return column === 'name'
    ? { after: o.name }
    : { after: o.name, column, value: new Date(o[column]).toISOString() };
}

/**
 * Up to `want` entries in listing order. With the delimiter, a key below the prefix that
 * has another `/` becomes its folder, and the scan jumps past the whole folder.
 */
async function scanV2(
  tx: Tx,
  bucket: string,
  prefix: string,
  opts: {
    want: number;
    desc: boolean;
    column: 'name' | 'created_at' | 'updated_at';
    cursor?: Cursor;
    delimiter: boolean;
  },
): Promise<Entry[]> {
  const entries: Entry[] = [];
  const dir = opts.desc ? 'desc' : 'asc';
  const cmp = opts.desc ? '<' : '>';
  let cursor = opts.cursor;
  const order =
    opts.column === 'name'
      ? `name collate "C" ${dir}`
      : `date_trunc('milliseconds', ${opts.column}) ${dir}, name collate "C" ${dir}`;
  const batch = Math.min(1000, opts.want * 2);
  for (;;) {
    const values: unknown[] = [bucket, likePrefix(prefix)];
    let seek = '';
    if (cursor?.value !== undefined && opts.column !== 'name') {
      values.push(cursor.value, cursor.after);
      seek = `and (date_trunc('milliseconds', ${opts.column}), name collate "C") ${cmp} ($3::timestamptz, $4::text collate "C")`;
    } else if (cursor) {
      values.push(cursor.after);
      seek = `and name collate "C" ${cmp} $3`;
    }
    const { rows } = await tx.query<V2Row>(
      `select name, id, updated_at, created_at, last_accessed_at, metadata from storage.objects
        where bucket_id = $1 and name like $2 ${seek} order by ${order} limit ${batch}`,
      values,
    );
    let jumped = false;
    for (const row of rows) {
      const rest = row.name.slice(prefix.length);
      const slash = opts.delimiter ? rest.indexOf('/') : -1;
      const entry: Entry =
        slash >= 0
          ? { folder: { name: prefix + rest.slice(0, slash + 1), key: prefix + rest.slice(0, slash + 1) } }
          : { object: { ...row, key: row.name } };
      entries.push(entry);
      cursor = cursorAfter(entry, opts.column, opts.desc);
      if (entries.length >= opts.want) return entries;
      if ('folder' in entry) {
        jumped = true;
        break;
      }
    }
    if (!jumped && rows.length < batch) return entries;
  }
}

/**
 * `POST /object/list-v2/<b>` (storage-js `listV2`): flat listing, or one level with
 * `with_delimiter`, paged by an opaque cursor. Names are full keys, as hosted returns them.
 */
async function listV2(deps: StorageDeps, r: RouteRequest, bucket: string) {
  const caller = await resolveCaller(deps.ctx, r.req);
  const body = await readJson(r.req);
  const prefix = typeof body.prefix === 'string' ? body.prefix : '';
  const limit = Math.min(
    Number.isInteger(body.limit) && (body.limit as number) > 0 ? (body.limit as number) : 1000,
    1000,
  );
  const sortBy = (body.sortBy ?? {}) as { column?: unknown; order?: unknown };
  const delimiter = body.with_delimiter === true;
  // Folders only make sense in name order.
  const column =
    !delimiter && (sortBy.column === 'created_at' || sortBy.column === 'updated_at') ? sortBy.column : 'name';
  const desc = sortBy.order === 'desc';
  let cursor: Cursor | undefined;
  if (typeof body.cursor === 'string' && body.cursor) {
    try {
      cursor = decodeCursor(body.cursor);
    } catch {
      throw ERRORS.invalidRequest('Invalid Parameter cursor');
    }
  }
  const entries = await asCaller(
    deps.pool,
    requestScope(r.req, caller, r.path, 'storage.object.list_v2'),
    (tx) => scanV2(tx, bucket, prefix, { want: limit + 1, desc, column, cursor, delimiter }),
  );
  const hasNext = entries.length > limit;
  const page = entries.slice(0, limit);
  const last = page.at(-1);
  const next = hasNext && last ? cursorAfter(last, column, desc) : undefined;
  sendJson(r.res, 200, {
    hasNext,
    ...(next && last
      ? {
          nextCursor: encodeCursor(next),
          nextCursorKey: 'folder' in last ? last.folder.name : last.object.name,
        }
      : {}),
    folders: page.flatMap((e) => ('folder' in e ? [e.folder] : [])),
    objects: page.flatMap((e) => ('object' in e ? [e.object] : [])),
  });
}

export async function handleListRoute(deps: StorageDeps, r: RouteRequest, rest: string): Promise<boolean> {
  if (r.req.method !== 'POST') return false;
  if (rest.startsWith('list/')) {
    await listV1(deps, r, rest.slice('list/'.length));
    return true;
  }
  if (rest.startsWith('list-v2/')) {
    await listV2(deps, r, rest.slice('list-v2/'.length));
    return true;
  }
  return false;
}
