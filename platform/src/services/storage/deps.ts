import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import type { ServiceContext } from '../../gateway';
import type { FileStore } from './file-store';

/** What every Storage route handler works with. */
export type StorageDeps = {
  ctx: ServiceContext;
  /** The owner's pool; handlers reach the caller's role through `db.ts`. */
  pool: pg.Pool;
  store: FileStore;
  /** Public base of this service, e.g. http://127.0.0.1:54321/storage/v1 */
  baseUrl: () => string;
};

/** One routed request: `path` is after `/storage/v1`, without the query; `rest` is after the route prefix. */
export type RouteRequest = {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  query: URLSearchParams;
};
