import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PlatformService, ServiceContext } from '../../gateway';
import { handleBucketRoute } from './buckets';
import type { RouteRequest, StorageDeps } from './deps';
import { ERRORS, sendError, toStorageError } from './errors';
import { FileStore } from './file-store';
import { sendJson, sendUploadError } from './http';
import { handleListRoute } from './list';
import { handleObjectRoute } from './objects';
import { decodePath, StorageLayout } from './paths';
import { handleSignedRoute } from './signed-urls';
import { TUS_HEADERS, TusHandler } from './tus';
import { TusStore } from './tus-state';

const SWEEP_EVERY_MS = 60 * 60 * 1000;

/**
 * The local Storage service behind `/storage/v1`: the routes storage-js 2.119 calls
 * (buckets, objects, signed URLs, list v1/v2, TUS), object rows in `storage.objects`
 * written as the caller so storage policies apply, bytes under `<dataDir>/storage`.
 */
export async function createStorageService(ctx: ServiceContext): Promise<PlatformService> {
  const store = new FileStore(new StorageLayout(ctx.dataDir));
  await store.init();
  const deps: StorageDeps = { ctx, pool: ctx.adminPool, store, baseUrl: () => `${ctx.apiUrl}/storage/v1` };
  const tusState = new TusStore(store.layout);
  const tus = new TusHandler(deps, tusState);
  await tusState.sweep();
  const sweeper = setInterval(() => {
    tusState
      .sweep()
      .catch((err) => ctx.log.warn('sweeping expired resumable uploads failed', { error: String(err) }));
  }, SWEEP_EVERY_MS);
  sweeper.unref();

  async function route(r: RouteRequest): Promise<boolean> {
    if (r.path === '/' || r.path === '/status') {
      sendJson(r.res, 200, { status: 'ok' });
      return true;
    }
    if (r.path.startsWith('/upload/resumable')) return tus.handle(r);
    if (r.path.startsWith('/bucket')) return handleBucketRoute(deps, r);
    if (r.path.startsWith('/render/image/')) throw ERRORS.notImplemented('Image transformation');
    if (!r.path.startsWith('/object/')) return false;
    const rest = decodePath(r.path.slice('/object/'.length));
    return (
      (await handleListRoute(deps, r, rest)) ||
      (await handleSignedRoute(deps, r, rest)) ||
      (await handleObjectRoute(deps, r, rest))
    );
  }

  const service = {
    name: 'storage',
    // TUS clients may discover the server with OPTIONS; every other preflight gets the gateway's answer.
    handlesPreflight: true,
    async handle(req: IncomingMessage, res: ServerResponse, fullPath: string) {
      const q = fullPath.indexOf('?');
      const path = q >= 0 ? fullPath.slice(0, q) : fullPath;
      if (req.method === 'OPTIONS') {
        const tusPath = path.startsWith('/upload/resumable');
        res.writeHead(tusPath ? 204 : 200, tusPath ? TUS_HEADERS : { 'Content-Length': '0' });
        res.end();
        return;
      }
      const query = new URLSearchParams(q >= 0 ? fullPath.slice(q + 1) : '');
      const r: RouteRequest = { req, res, path, query };
      try {
        if (!(await route(r))) sendError(res, ERRORS.notFound());
      } catch (err) {
        const e = toStorageError(err);
        if (e.code === 'InternalError')
          ctx.log.error('storage request failed', { path, error: String((err as Error)?.stack ?? err) });
        sendUploadError(req, res, e);
      }
    },
    async close() {
      clearInterval(sweeper);
    },
  };
  return service;
}
