/**
 * `npm run test:deno`: type-checks every Edge Function and runs the Deno suites
 * (`edge-functions/**\/*.test.ts`) with the real Deno from npm, offline: npm specifiers
 * resolve from node_modules and remote imports are refused. Prints Deno's own summary,
 * exits non-zero on any failure, and writes `{ passed, failed, skipped }` to
 * $DENO_TEST_REPORT when set (read by `npm test`). Extra arguments go to `deno test`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../platform/src/migrate';
import { denoBinary, denoProcessEnv, offlineModuleFlags } from '../platform/src/services/functions/deno';

const env = z.object({ DENO_TEST_REPORT: z.string().optional() }).parse(process.env);
const functionsDir = path.join(PROJECT_ROOT, 'edge-functions');
const config = path.join(functionsDir, 'deno.json');
const fixtures = path.join(
  PROJECT_ROOT,
  'platform',
  'src',
  'services',
  'functions',
  '__fixtures__',
  'functions',
);

const entrypoints = (dir: string) =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^[A-Za-z]/.test(e.name))
    .flatMap((e) => ['index.ts', 'index.js'].map((f) => path.join(dir, e.name, f)))
    .filter((f) => fs.existsSync(f));

const childEnv: Record<string, string> = { ...denoProcessEnv(), PATH: process.env.PATH ?? '' };
const run = (args: string[]) =>
  spawnSync(denoBinary(), args, { cwd: PROJECT_ROOT, stdio: 'inherit', env: childEnv as NodeJS.ProcessEnv })
    .status ?? 1;

// Entrypoints and shared code that no test imports are type-checked too (fixtures are @ts-check JS).
const toCheck = [
  ...entrypoints(functionsDir),
  ...entrypoints(fixtures).filter((f) => !f.includes('remote-import')),
];
const checked = run([
  'check',
  ...offlineModuleFlags(config),
  ...toCheck,
  path.join(functionsDir, '_shared', 'db.ts'),
]);

const junit = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'deno-test-')), 'report.xml');
const tested = run([
  'test',
  ...offlineModuleFlags(config),
  '--allow-env',
  `--allow-read=${PROJECT_ROOT}`,
  '--allow-net=127.0.0.1,localhost',
  `--junit-path=${junit}`,
  ...process.argv.slice(2),
  functionsDir,
]);

const xml = fs.existsSync(junit) ? fs.readFileSync(junit, 'utf8') : '';
const attr = (name: string) => Number(new RegExp(`<testsuites[^>]*\\s${name}="(\\d+)"`).exec(xml)?.[1] ?? 0);
const skipped = (xml.match(/<skipped\b/g) ?? []).length;
const failed = attr('failures') + attr('errors');
const counts = {
  passed: attr('tests') - failed - skipped,
  failed: failed || (tested !== 0 || checked !== 0 ? 1 : 0),
  skipped,
};
if (env.DENO_TEST_REPORT) fs.writeFileSync(env.DENO_TEST_REPORT, JSON.stringify(counts));
if (checked !== 0) process.stderr.write('deno check failed: see the type errors above\n');
process.exit(checked !== 0 ? checked : tested);
