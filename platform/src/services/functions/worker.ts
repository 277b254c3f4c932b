import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger, type Logger } from '../../log';
import type { FunctionDefinition } from './config';
import { denoBinary, denoProcessEnv, offlineModuleFlags } from './deno';

const BOOTSTRAP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bootstrap.js');
const BOOT_TIMEOUT_MS = 30_000;
/** Hosted gives each worker 256 MB. */
const MEMORY_LIMIT_MB = 256;

export class BootError extends Error {}

export type WorkerOptions = {
  definition: FunctionDefinition;
  env: Record<string, string>;
  /** Folders the function may read (the project, and the functions folder if elsewhere). */
  readRoots: string[];
  tmpDir: string;
};

/**
 * One Deno process serving one function on a loopback port. A worker is one generation:
 * after it exits or is retired, the service starts a new one for the next request.
 */
export class FunctionWorker {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  readonly log: Logger;
  port = 0;
  inflight = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private ready: Promise<number> | undefined;
  private stopping = false;
  onExit: ((worker: FunctionWorker) => void) | undefined;

  constructor(private readonly opts: WorkerOptions) {
    this.log = createLogger(`fn:${opts.definition.name}`);
  }

  get alive(): boolean {
    return (
      this.child !== undefined &&
      this.child.exitCode === null &&
      this.child.signalCode === null &&
      !this.stopping
    );
  }

  /** Starts the process once; resolves with its port when the function listens. */
  start(): Promise<number> {
    this.ready ??= this.spawn();
    return this.ready;
  }

  private spawn(): Promise<number> {
    const def = this.opts.definition;
    const token = randomBytes(12).toString('hex');
    const args = [
      'run',
      '--no-prompt',
      ...offlineModuleFlags(def.importMap),
      '--allow-net=127.0.0.1,localhost,[::1]',
      '--allow-env',
      `--allow-read=${[...this.opts.readRoots, this.opts.tmpDir].join(',')}`,
      `--allow-write=${this.opts.tmpDir}`,
      `--v8-flags=--max-old-space-size=${MEMORY_LIMIT_MB}`,
      BOOTSTRAP,
    ];
    // Only what Deno and the function need: nothing of the platform's own environment leaks through.
    const env: Record<string, string> = {
      ...denoProcessEnv(),
      ...this.opts.env,
      SB_EXECUTION_ID: randomUUID(),
      TMPDIR: this.opts.tmpDir,
      WUYE_FUNCTION_BOOT: JSON.stringify({
        name: def.name,
        entrypoint: pathToFileURL(def.entrypoint).href,
        token,
      }),
    };
    const t0 = performance.now();
    const child = spawn(denoBinary(), args, {
      cwd: def.dir,
      env: env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));

    return new Promise<number>((resolve, reject) => {
      let settled = false;
      const settle = (err: Error | null, port?: number) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(port as number);
      };
      const timer = setTimeout(() => {
        settle(new BootError(`${def.name} did not start listening within ${BOOT_TIMEOUT_MS / 1000} s`));
        child.kill('SIGKILL');
      }, BOOT_TIMEOUT_MS);

      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith(`${token} `)) {
          const [, what, port] = line.split(' ');
          if (what === 'listening') {
            this.port = Number(port);
            this.log.debug('function is listening', {
              port: this.port,
              ms: Math.round(performance.now() - t0),
            });
            settle(null, this.port);
          } else {
            settle(new BootError(`${def.name} failed to boot`));
          }
          return;
        }
        this.log.info(line);
      });
      readline.createInterface({ input: child.stderr! }).on('line', (line) => this.log.warn(line));
      child.stdin?.on('error', () => {});
      child.on('error', (err) => settle(new BootError(`could not start deno: ${err.message}`)));
      child.on('exit', (code, signal) => {
        this.agent.destroy();
        settle(new BootError(`${def.name} exited during start-up (code ${code ?? signal})`));
        if (!this.stopping) this.log.warn('function process exited', { code, signal });
        this.onExit?.(this);
      });
    });
  }

  /** Resolves once the process has exited, or after `ms`, whichever comes first. */
  async exitedWithin(ms: number): Promise<void> {
    if (!this.exited) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /** Stops the process: at once, or once in-flight requests are done (at most `graceMs`). */
  async stop(graceMs = 0): Promise<void> {
    if (this.stopping || !this.child) {
      await this.exited;
      return;
    }
    this.stopping = true;
    const until = Date.now() + graceMs;
    while (this.inflight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await this.exited;
      clearTimeout(timer);
    }
    this.agent.destroy();
  }
}
