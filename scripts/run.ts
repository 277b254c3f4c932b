/**
 * `npm run dev` / `npm start`: the whole system in one command.
 * Local mode (default): starts the local platform (PostgreSQL, Auth, Storage, Realtime,
 * Functions) in this process, then the web app with the platform's URL and keys in its env.
 * Hosted mode: when SUPABASE_URL and DATABASE_URL are configured (env or .env), only the web app starts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadPlatformConfig } from '../platform/src/config';
import { createLogger, setLogLevel } from '../platform/src/log';
import { type LocalPlatform, startLocalPlatform } from '../platform/src/platform';

const log = createLogger('run');
const mode = process.argv[2];
if (mode !== 'dev' && mode !== 'start') {
  process.stderr.write('usage: tsx scripts/run.ts dev|start\n');
  process.exit(2);
}
if (fs.existsSync('.env')) process.loadEnvFile('.env');

const hostedSchema = z.object({
  SUPABASE_URL: z.string().url(),
  SUPABASE_ANON_KEY: z.string().min(20),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(20).optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//),
});
const runSchema = z.object({ PORT: z.coerce.number().int().min(1).max(65535).default(3000) });

async function main() {
  const { PORT } = runSchema.parse(process.env);
  const t0 = performance.now();
  let platform: LocalPlatform | null = null;
  let appEnv: Record<string, string>;

  const hosted = process.env.SUPABASE_URL && process.env.DATABASE_URL;
  if (hosted) {
    const parsed = hostedSchema.safeParse(process.env);
    if (!parsed.success) {
      throw new Error(
        `Hosted mode needs valid settings:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
      );
    }
    log.info('hosted mode: using the configured Supabase project; the local platform stays off', {
      url: parsed.data.SUPABASE_URL,
    });
    appEnv = { APP_MODE: 'hosted', ...parsed.data } as Record<string, string>;
  } else {
    const config = loadPlatformConfig();
    setLogLevel(config.logLevel);
    platform = await startLocalPlatform(config);
    appEnv = {
      APP_MODE: 'local',
      SUPABASE_URL: platform.apiUrl,
      SUPABASE_ANON_KEY: platform.keys.publishableKey,
      SUPABASE_SERVICE_ROLE_KEY: platform.keys.secretKey,
      DATABASE_URL: platform.databaseUrl,
    };
  }

  const bin = (name: string) => path.resolve('node_modules', '.bin', name);
  // Node 20 has WebSocket only behind a flag; supabase-js needs it when a client is created.
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  const nodeOptions = [process.env.NODE_OPTIONS, nodeMajor < 22 ? '--experimental-websocket' : '']
    .filter(Boolean)
    .join(' ');
  const env = {
    ...process.env,
    ...appEnv,
    NODE_OPTIONS: nodeOptions,
    PORT: String(PORT),
    NODE_ENV: (mode === 'dev' ? 'development' : 'production') as 'development' | 'production',
  };
  let child: ChildProcess;
  if (mode === 'dev') {
    child = spawn(bin('remix'), ['vite:dev', '--port', String(PORT), '--strictPort', '--host', '127.0.0.1'], {
      stdio: 'inherit',
      env,
    });
  } else {
    if (!fs.existsSync('build/server/index.js'))
      throw new Error('No production build: run `npm run build` first.');
    child = spawn(bin('remix-serve'), ['build/server/index.js'], { stdio: 'inherit', env });
  }

  let shuttingDown = false;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 10_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    await platform?.stop();
    log.info('stopped');
    process.exit(code);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (shuttingDown) process.exit(130);
      log.info('shutting down', { signal: sig });
      void shutdown(0);
    });
  }
  // `npm run` may die on a signal without passing it on (its `sh -c` does not forward it);
  // when we are orphaned, shut down as if we had been told to, so nothing is left behind.
  const parentAtStart = process.ppid;
  setInterval(() => {
    if (process.ppid !== parentAtStart && !shuttingDown) {
      log.info('parent process is gone; shutting down');
      void shutdown(0);
    }
  }, 500).unref();
  child.on('exit', (code, signal) => {
    if (shuttingDown) return;
    log.error('the web app exited', { code, signal });
    void shutdown(code ?? 1);
  });

  // Report when the app answers, so start-up time is visible in the log.
  const appUrl = `http://127.0.0.1:${PORT}`;
  for (let i = 0; i < 600 && !shuttingDown; i++) {
    try {
      const res = await fetch(`${appUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status < 500) {
        log.info('ready', {
          app: `http://localhost:${PORT}`,
          api: appEnv.SUPABASE_URL,
          ms: Math.round(performance.now() - t0),
        });
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

main().catch((err) => {
  log.error(String(err?.stack ?? err));
  process.exit(1);
});
