import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { type PlatformService, type ServiceContext, type ServiceFactory, sendJson } from '../../gateway';
import { createLogger } from '../../log';
import { PROJECT_ROOT } from '../../migrate';
import { type FunctionDefinition, loadFunctions, loadSecrets } from './config';
import { BootError, FunctionWorker } from './worker';

/**
 * `/functions/v1/<name>`: Supabase Edge Functions on the real Deno, one process per function
 * (docs/decisions/0005-local-functions.md). A worker starts on the first request, restarts
 * when its files change (dev) and after it exits; the gateway's request reaches the function
 * as `/<name>/<rest>`, after the same `verify_jwt` check hosted Supabase makes.
 */
export type FunctionsServiceOptions = {
  /** `supabase/config.toml`: `[functions.<name>]` blocks (verify_jwt, entrypoint, import_map). */
  configFile: string;
  /** Folder with one sub-folder per function (`edge-functions/`). */
  functionsDir: string;
  /** Dotenv file with the functions' secrets (git-ignored). */
  envFile?: string;
  /** Where node_modules lives; functions may read this tree. */
  projectRoot: string;
  /** Restart a function when its files change. */
  watch: boolean;
};

export function defaultFunctionsOptions(ctx: ServiceContext): FunctionsServiceOptions {
  return {
    configFile: path.join(PROJECT_ROOT, 'supabase', 'config.toml'),
    functionsDir: path.join(PROJECT_ROOT, 'edge-functions'),
    envFile: path.join(PROJECT_ROOT, 'supabase', 'functions.env'),
    projectRoot: PROJECT_ROOT,
    watch: ctx.local,
  };
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);
const WATCH_DEBOUNCE_MS = 150;
const RETIRE_GRACE_MS = 5_000;

type Slot = { worker?: FunctionWorker; watchers: fs.FSWatcher[]; timer?: NodeJS.Timeout };

export function createFunctionsService(
  ctx: ServiceContext,
  options: FunctionsServiceOptions = defaultFunctionsOptions(ctx),
): PlatformService {
  const log = createLogger('functions');
  const slots = new Map<string, Slot>();
  let closed = false;
  let fingerprint = '';
  let definitions = new Map<string, FunctionDefinition>();
  let secrets: Record<string, string> = {};

  const mtime = (file: string | undefined) => {
    try {
      return file ? String(fs.statSync(file).mtimeMs) : '-';
    } catch {
      return '-';
    }
  };

  /** Config, secrets and the list of function folders, re-read when one of them changed. */
  function current(): Map<string, FunctionDefinition> {
    const now = [mtime(options.configFile), mtime(options.envFile), mtime(options.functionsDir)].join('|');
    if (now === fingerprint) return definitions;
    const before = { definitions, secrets };
    definitions = loadFunctions(options);
    const loaded = loadSecrets(options.envFile);
    if (loaded.ignored.length)
      log.warn('ignoring reserved names in the functions env file', { names: loaded.ignored });
    secrets = loaded.secrets;
    const first = fingerprint === '';
    fingerprint = now;
    if (!first) {
      const secretsChanged = JSON.stringify(before.secrets) !== JSON.stringify(secrets);
      for (const [name, slot] of slots) {
        if (
          secretsChanged ||
          JSON.stringify(before.definitions.get(name)) !== JSON.stringify(definitions.get(name))
        ) {
          retire(name, slot, 'configuration changed');
        }
      }
    }
    return definitions;
  }

  function functionEnv(): Record<string, string> {
    const k = ctx.keys;
    return {
      ...secrets,
      SUPABASE_URL: ctx.apiUrl,
      SUPABASE_ANON_KEY: k.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: k.serviceRoleKey,
      SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: k.publishableKey }),
      SUPABASE_SECRET_KEYS: JSON.stringify({ default: k.secretKey }),
      SUPABASE_JWKS: JSON.stringify({ keys: [k.signingKey.publicJwk] }),
      SUPABASE_DB_URL: ctx.databaseUrl,
      SB_REGION: 'local',
    };
  }

  function retire(name: string, slot: Slot, reason: string) {
    const old = slot.worker;
    slot.worker = undefined;
    // Watch again with the next worker: its folder or import map may have changed.
    for (const w of slot.watchers) w.close();
    slot.watchers = [];
    clearTimeout(slot.timer);
    if (!old) return;
    const wasRunning = old.alive;
    log.info('restarting function', { name, reason });
    void old.stop(RETIRE_GRACE_MS);
    if (wasRunning && !closed) {
      // Start the new generation now, so a boot error shows in the log right after the save.
      const def = current().get(name);
      if (def)
        workerFor(def)
          .start()
          .catch(() => {});
    }
  }

  function watch(def: FunctionDefinition, slot: Slot) {
    if (!options.watch || slot.watchers.length) return;
    const targets = new Set([def.dir, path.join(options.functionsDir, '_shared')]);
    if (def.importMap) {
      targets.add(def.importMap);
      targets.add(path.join(path.dirname(def.importMap), '_shared'));
    }
    for (const target of targets) {
      if (!fs.existsSync(target)) continue;
      try {
        const watcher = fs.watch(target, { recursive: fs.statSync(target).isDirectory() }, () => {
          clearTimeout(slot.timer);
          slot.timer = setTimeout(() => retire(def.name, slot, 'source changed'), WATCH_DEBOUNCE_MS);
        });
        watcher.on('error', () => watcher.close());
        slot.watchers.push(watcher);
      } catch (err) {
        log.warn('cannot watch for changes', { target, error: String(err) });
      }
    }
  }

  function workerFor(def: FunctionDefinition): FunctionWorker {
    let slot = slots.get(def.name);
    if (!slot) {
      slot = { watchers: [] };
      slots.set(def.name, slot);
    }
    if (slot.worker?.alive) return slot.worker;
    const tmpDir = path.join(ctx.dataDir, 'functions', 'tmp');
    fs.mkdirSync(tmpDir, { recursive: true });
    const worker = new FunctionWorker({
      definition: def,
      env: functionEnv(),
      readRoots: [...new Set([options.projectRoot, options.functionsDir, path.dirname(def.entrypoint)])],
      tmpDir,
    });
    const owner = slot;
    worker.onExit = (w) => {
      if (owner.worker === w) owner.worker = undefined;
    };
    slot.worker = worker;
    watch(def, slot);
    return worker;
  }

  async function verifyJwt(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const header = req.headers.authorization;
    if (!header) {
      sendJson(res, 401, { code: 401, message: 'Missing authorization header' });
      return false;
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    try {
      if (!match) throw new Error('not a bearer token');
      await ctx.verifyJwt(match[1]);
      return true;
    } catch {
      sendJson(res, 401, { msg: 'Invalid JWT' });
      return false;
    }
  }

  function proxy(
    req: IncomingMessage,
    res: ServerResponse,
    worker: FunctionWorker,
    name: string,
    upstreamPath: string,
  ): Promise<void> {
    return new Promise((resolve) => {
      worker.inflight++;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        worker.inflight--;
        resolve();
      };
      const headers: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(req.headers))
        if (!HOP_BY_HOP.has(name)) headers[name] = value;
      headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1';
      const upstream = http.request(
        {
          host: '127.0.0.1',
          port: worker.port,
          method: req.method,
          path: upstreamPath,
          headers,
          agent: worker.agent,
        },
        (upRes) => {
          // The function's own headers only: hosted Supabase adds no CORS headers of its own.
          for (const name of res.getHeaderNames()) res.removeHeader(name);
          const raw: string[] = [];
          for (let i = 0; i < upRes.rawHeaders.length; i += 2) {
            if (!HOP_BY_HOP.has(upRes.rawHeaders[i].toLowerCase()))
              raw.push(upRes.rawHeaders[i], upRes.rawHeaders[i + 1]);
          }
          res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, raw);
          upRes.pipe(res);
          upRes.on('end', finish);
          upRes.on('error', () => {
            res.destroy();
            finish();
          });
        },
      );
      upstream.on('error', (err) => {
        if (res.headersSent) {
          res.destroy();
          finish();
          return;
        }
        log.warn('function request failed', { name, error: err.message });
        // When the worker died under this request, answer once its exit is known (at most 1 s):
        // the caller's next request then starts a new worker instead of reaching the dead one.
        void worker.exitedWithin(1_000).then(() => {
          sendJson(res, 500, {
            code: 'WORKER_ERROR',
            message: 'Function exited due to an error (please check logs)',
          });
          finish();
        });
      });
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
        finish();
      });
      req.pipe(upstream);
    });
  }

  return {
    name: 'functions',
    handlesPreflight: true,
    async handle(req, res, urlPath) {
      const match = /^\/([^/?#]+)/.exec(urlPath);
      let name = '';
      try {
        name = decodeURIComponent(match?.[1] ?? '');
      } catch {
        // not a valid name; answered as not found below
      }
      const def = current().get(name);
      if (!def) {
        sendJson(res, 404, { code: 'NOT_FOUND', message: 'Requested function was not found' });
        return;
      }
      if (req.method !== 'OPTIONS' && def.verifyJwt && !(await verifyJwt(req, res))) return;
      const worker = workerFor(def);
      try {
        await worker.start();
      } catch (err) {
        if (!(err instanceof BootError)) throw err;
        log.warn('function failed to boot', { name, error: err.message });
        sendJson(res, 503, { code: 'BOOT_ERROR', message: 'Worker failed to boot (please check logs)' });
        return;
      }
      await proxy(req, res, worker, name, urlPath);
    },
    async close() {
      closed = true;
      const stops: Promise<void>[] = [];
      for (const slot of slots.values()) {
        clearTimeout(slot.timer);
        for (const w of slot.watchers) w.close();
        if (slot.worker) stops.push(slot.worker.stop());
      }
      await Promise.all(stops);
    },
  };
}

export const functionsService: ServiceFactory = (ctx) => createFunctionsService(ctx);
