import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { apiUrl, type PlatformConfig } from './config';
import { type Gateway, type ServiceContext, type ServiceFactory, startGateway } from './gateway';
import { createJwtVerifier } from './jwt';
import { loadOrCreateKeys, type PlatformKeys } from './keys';
import { createLogger } from './log';
import { prepareDatabase } from './migrate';
import { type PostgresServer, startPostgres } from './postgres';
import { serviceFactories } from './services/registry';
import { installLocalExtensions } from './services/scheduler/extensions';

const log = createLogger('platform');

export type ServicesHandle = { gateway: Gateway; ctx: ServiceContext; close: () => Promise<void> };

/**
 * Starts the gateway and every registered service against an existing database. Tests use
 * this directly, with their own database and port 0.
 */
export async function startServices(opts: {
  keys: PlatformKeys;
  databaseUrl: string;
  dataDir: string;
  host: string;
  port: number;
  local?: boolean;
  /** The services to start; the registry's by default (tests swap one for a configured one). */
  factories?: ServiceFactory[];
}): Promise<ServicesHandle> {
  const adminPool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
  adminPool.on('error', (err) => log.warn('idle database connection failed', { error: err.message }));
  const ctx: ServiceContext = {
    keys: opts.keys,
    apiUrl: `http://${opts.host}:${opts.port}`,
    databaseUrl: opts.databaseUrl,
    adminPool,
    verifyJwt: createJwtVerifier(opts.keys),
    dataDir: opts.dataDir,
    local: opts.local ?? true,
    log: createLogger('services'),
  };
  const services = [];
  for (const factory of opts.factories ?? serviceFactories) services.push(await factory(ctx));
  const gateway = await startGateway({ ctx, services, host: opts.host, port: opts.port });
  ctx.apiUrl = gateway.url;
  for (const service of services) await service.ready?.();
  return {
    gateway,
    ctx,
    async close() {
      await gateway.close();
      await adminPool.end();
    },
  };
}

export type LocalPlatform = {
  config: PlatformConfig;
  keys: PlatformKeys;
  postgres: PostgresServer;
  services: ServicesHandle;
  apiUrl: string;
  databaseUrl: string;
  stop: () => Promise<void>;
};

/** Postgres, base schema, migrations, seed (first time only), then the gateway with its services. */
export async function startLocalPlatform(
  config: PlatformConfig,
  opts: { seed?: boolean } = {},
): Promise<LocalPlatform> {
  const t0 = performance.now();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const keys = await loadOrCreateKeys(config.dataDir);
  const postgres = await startPostgres({ dataDir: config.pgDataDir, port: config.dbPort, host: config.host });
  let services: ServicesHandle | undefined;
  try {
    const databaseUrl = postgres.url();
    // Before migrations: they may `create extension pg_cron` / `pg_net` as on hosted.
    await installLocalExtensions().catch((err) =>
      log.warn('local pg_cron/pg_net unavailable', { error: String(err) }),
    );
    const { applied, seeded } = await prepareDatabase(databaseUrl, { seed: opts.seed ?? true });
    services = await startServices({
      keys,
      databaseUrl,
      dataDir: config.dataDir,
      host: config.host,
      port: config.apiPort,
      local: true,
    });
    log.info('local platform is up', {
      api: apiUrl(config),
      db: databaseUrl.replace(/:[^:@/]+@/, ':***@'),
      migrationsApplied: applied.length,
      seeded,
      ms: Math.round(performance.now() - t0),
    });
    const svc = services;
    let stopping: Promise<void> | null = null;
    return {
      config,
      keys,
      postgres,
      services: svc,
      apiUrl: svc.gateway.url,
      databaseUrl,
      stop() {
        stopping ??= (async () => {
          await svc.close().catch((e) => log.warn('closing services failed', { error: String(e) }));
          await postgres.stop();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await services?.close().catch(() => {});
    await postgres.stop();
    throw err;
  }
}

/** `KEY=value` lines in the shape of `supabase status -o env`. */
export function statusLines(config: PlatformConfig, keys: PlatformKeys): string[] {
  const api = apiUrl(config);
  return [
    `API_URL=${api}`,
    `REST_URL=${api}/rest/v1`,
    `AUTH_URL=${api}/auth/v1`,
    `STORAGE_URL=${api}/storage/v1`,
    `FUNCTIONS_URL=${api}/functions/v1`,
    `REALTIME_URL=${api.replace(/^http/, 'ws')}/realtime/v1`,
    `DB_URL=postgresql://postgres:postgres@${config.host}:${config.dbPort}/postgres`,
    `PUBLISHABLE_KEY=${keys.publishableKey}`,
    `SECRET_KEY=${keys.secretKey}`,
    `ANON_KEY=${keys.anonKey}`,
    `SERVICE_ROLE_KEY=${keys.serviceRoleKey}`,
    `JWT_SECRET=${keys.jwtSecret}`,
    `JWKS_URL=${api}/auth/v1/.well-known/jwks.json`,
    `DATA_DIR=${path.relative(process.cwd(), config.dataDir) || '.'}`,
  ];
}
