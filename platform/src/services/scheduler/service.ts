import pg from 'pg';
import { type PlatformService, type ServiceContext, type ServiceFactory, sendJson } from '../../gateway';
import { createLogger } from '../../log';
import { installLocalExtensions } from './extensions';
import { NetWorker } from './net-worker';
import { CronScheduler } from './scheduler';

/**
 * Schedules, locally (docs/decisions/0006-local-schedules.md): the pg_cron and pg_net
 * stand-ins' workers for the platform's database, and the Vault secrets that app SQL reads
 * to call Edge Functions. Hosted Supabase runs the real extensions; app migrations are the
 * same SQL in both places.
 */
export type SchedulerServiceOptions = {
  /** Safety net: re-read jobs and the queue this often even without a NOTIFY. */
  pollMs?: number;
  now?: () => Date;
};

export type SchedulerService = PlatformService & {
  scheduler: CronScheduler;
  net: NetWorker;
  /** Re-reads the jobs and runs whatever is due, as at start. */
  refresh: () => Promise<void>;
  ready: () => Promise<void>;
  close: () => Promise<void>;
};

/** Vault secret names app SQL uses to call functions; the same names are set on hosted (docs/functions.md). */
export const VAULT_PROJECT_URL = 'project_url';
export const VAULT_SECRET_KEY = 'secret_key';

export async function createSchedulerService(
  ctx: ServiceContext,
  opts: SchedulerServiceOptions = {},
): Promise<SchedulerService> {
  const log = createLogger('scheduler');
  const pollMs = opts.pollMs ?? 30_000;
  let available = true;
  try {
    const { written, foreign, dir } = await installLocalExtensions();
    if (written.length)
      log.info('installed the local pg_cron, pg_net and vault stand-ins', { dir, files: written });
    if (foreign.length)
      log.warn('left extension files that this platform did not write', { dir, files: foreign });
  } catch (err) {
    available = false;
    log.warn('pg_cron, pg_net and Vault are not available locally', { error: (err as Error).message });
  }

  const pool = new pg.Pool({
    connectionString: ctx.databaseUrl,
    max: 4,
    application_name: 'local scheduler',
  });
  pool.on('error', (err) => log.warn('idle scheduler connection failed', { error: err.message }));
  const scheduler = new CronScheduler({
    pool,
    databaseUrl: ctx.databaseUrl,
    log,
    now: opts.now ?? (() => new Date()),
  });
  const net = new NetWorker(pool, log);
  let listener: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let reconnect: NodeJS.Timeout | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;
  let chain: Promise<void> = Promise.resolve();

  /**
   * One pass at a time: reload when asked (NOTIFY, start) or when the last reload is older than
   * `pollMs`, run what is due, and sleep until the next slot.
   */
  let lastReload = 0;
  const pass = (reload: boolean) => {
    chain = chain.then(async () => {
      if (closed) return;
      try {
        if (reload || Date.now() - lastReload >= pollMs) {
          lastReload = Date.now();
          await scheduler.reload();
          void drainNet().catch((err) => log.warn('pg_net drain failed', { error: String(err) }));
        }
        await scheduler.tick();
      } catch (err) {
        log.warn('scheduler pass failed', { error: String(err) });
      }
      if (closed) return;
      clearTimeout(timer);
      timer = setTimeout(() => pass(false), Math.max(50, Math.min(scheduler.msUntilNext(), pollMs)));
      timer.unref();
    });
    return chain;
  };

  const drainNet = async () => {
    if (closed) return;
    const r = await pool.query<{ ok: boolean }>(
      `select to_regclass('net.http_request_queue') is not null as ok`,
    );
    if (r.rows[0].ok) await net.drain();
  };

  async function listen() {
    const client = new pg.Client({ connectionString: ctx.databaseUrl, application_name: 'pg_net worker' });
    client.on('notification', (msg) => {
      if (msg.channel === 'pg_net_wake')
        void drainNet().catch((err) => log.warn('pg_net drain failed', { error: String(err) }));
      else void pass(true);
    });
    const retry = () => {
      if (closed || reconnect) return;
      listener = undefined;
      reconnect = setTimeout(() => {
        reconnect = undefined;
        listen().catch(retry);
      }, 1_000);
      reconnect.unref();
    };
    client.on('error', (err) => {
      log.warn('scheduler listener connection failed', { error: err.message });
      retry();
    });
    client.on('end', retry);
    await client.connect();
    await client.query('listen cron_job_cache_invalidate; listen pg_net_wake');
    listener = client;
    // Whatever changed while not listening.
    await pass(true);
  }

  async function seedVault() {
    await pool
      .query('create extension if not exists supabase_vault')
      .catch((err: Error & { code?: string }) => {
        // Two platforms starting at once on one database: the other one created it.
        if (err.code !== '23505' && err.code !== '42710') throw err;
      });
    for (const [name, value] of [
      [VAULT_PROJECT_URL, ctx.apiUrl],
      [VAULT_SECRET_KEY, ctx.keys.secretKey],
    ]) {
      const found = await pool.query<{ id: string; value: string }>(
        'select id, decrypted_secret as value from vault.decrypted_secrets where name = $1',
        [name],
      );
      if (found.rowCount === 0) {
        await pool.query(`select vault.create_secret($1, $2, 'Set by the local platform at start')`, [
          value,
          name,
        ]);
      } else if (found.rows[0].value !== value) {
        await pool.query('select vault.update_secret($1, $2)', [found.rows[0].id, value]);
      }
    }
  }

  return {
    name: 'scheduler',
    scheduler,
    net,
    refresh: () => pass(true),
    handle(_req, res) {
      sendJson(res, 404, { message: 'no Route matched with those values' });
    },
    async ready() {
      if (!available) return;
      await seedVault();
      await listen();
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };

  async function shutdown() {
    closed = true;
    clearTimeout(timer);
    clearTimeout(reconnect);
    await chain;
    await scheduler.idle();
    await net.idle();
    const l = listener;
    listener = undefined;
    l?.removeAllListeners('end');
    await l?.end().catch(() => {});
    await pool.end();
  }
}

export const schedulerService: ServiceFactory = (ctx) => createSchedulerService(ctx);
