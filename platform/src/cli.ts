import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { apiUrl, loadPlatformConfig } from './config';
import { loadOrCreateKeys } from './keys';
import { createLogger, setLogLevel } from './log';
import { prepareDatabase } from './migrate';
import { startLocalPlatform, statusLines } from './platform';
import { startPostgres } from './postgres';

const log = createLogger('cli');

function postmasterRunning(pgDataDir: string): boolean {
  const lock = path.join(pgDataDir, 'postmaster.pid');
  if (!fs.existsSync(lock)) return false;
  const pid = Number(fs.readFileSync(lock, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Installs SIGINT/SIGTERM handlers that run `stop` once; a second signal exits at once. */
export function onShutdown(stop: () => Promise<void>) {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn('second signal: exiting now', { signal });
      process.exit(130);
    }
    stopping = true;
    log.info('shutting down', { signal });
    stop().then(
      () => process.exit(0),
      (err) => {
        log.error('shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
  // Orphaned (the parent died without passing a signal on): stop as if told to.
  const parentAtStart = process.ppid;
  setInterval(() => {
    if (process.ppid !== parentAtStart) handler('SIGTERM');
  }, 500).unref();
}

async function main() {
  const cmd = process.argv[2] ?? 'start';
  const config = loadPlatformConfig();
  setLogLevel(config.logLevel);

  if (cmd === 'start') {
    const platform = await startLocalPlatform(config);
    onShutdown(() => platform.stop());
    for (const line of statusLines(config, platform.keys))
      if (!/JWT_SECRET|SECRET_KEY|SERVICE_ROLE_KEY/.test(line)) log.info(line);
    return;
  }

  if (cmd === 'status') {
    const keys = await loadOrCreateKeys(config.dataDir);
    let running = false;
    try {
      const res = await fetch(`${apiUrl(config)}/health`, { signal: AbortSignal.timeout(1000) });
      running = res.ok;
    } catch {
      running = false;
    }
    process.stderr.write(
      running
        ? `local platform is running at ${apiUrl(config)}\n`
        : 'local platform is not running (start it with `npm run platform` or `npm run dev`)\n',
    );
    process.stdout.write(`${statusLines(config, keys).join('\n')}\n`);
    return;
  }

  if (cmd === 'reset') {
    const alreadyRunning = postmasterRunning(config.pgDataDir);
    const server = alreadyRunning
      ? null
      : await startPostgres({ dataDir: config.pgDataDir, port: config.dbPort, host: config.host });
    const adminUrl = `postgresql://postgres:postgres@${config.host}:${config.dbPort}/template1`;
    try {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query('drop database if exists postgres with (force)');
      await admin.query('create database postgres');
      await admin.end();
      fs.rmSync(path.join(config.dataDir, 'storage'), { recursive: true, force: true });
      const { applied, seeded } = await prepareDatabase(
        `postgresql://postgres:postgres@${config.host}:${config.dbPort}/postgres`,
        { seed: true },
      );
      log.info('database reset', { migrations: applied.length, seeded });
    } finally {
      await server?.stop();
    }
    return;
  }

  process.stderr.write(`unknown command ${cmd}; use start | status | reset\n`);
  process.exit(2);
}

main().catch((err) => {
  log.error(String(err?.stack ?? err));
  process.exit(1);
});
