import { createRequire } from 'node:module';
import path from 'node:path';
import { PROJECT_ROOT } from '../../migrate';

/**
 * How the platform runs the real Deno from npm (`deno` package) offline: npm specifiers
 * resolve from the project's own node_modules (`--node-modules-dir=manual`), remote
 * modules are refused, and no lockfile is written into the source tree.
 */
export function denoBinary(): string {
  const pkg = createRequire(import.meta.url).resolve('deno/package.json');
  return path.join(path.dirname(pkg), process.platform === 'win32' ? 'deno.exe' : 'deno');
}

/** Deno's module and transpile cache, shared by dev, tests and `npm run test:deno`. */
export const DENO_DIR = path.join(PROJECT_ROOT, '.data', 'deno');

/** Flags that keep Deno off the network for code loading, given the config (deno.json) or import map. */
export function offlineModuleFlags(importMap: string | undefined): string[] {
  const flags = ['--no-lock', '--no-remote', '--node-modules-dir=manual'];
  if (!importMap) return [...flags, '--no-config'];
  return /\.jsonc?$/.test(importMap) && /(^|[/\\])deno\.jsonc?$/.test(importMap)
    ? [...flags, `--config=${importMap}`]
    : [...flags, '--no-config', `--import-map=${importMap}`];
}

/** The process environment Deno itself needs; nothing of the parent's leaks through. */
export function denoProcessEnv(): Record<string, string> {
  return { DENO_DIR, DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', NO_COLOR: '1', TZ: 'UTC' };
}
