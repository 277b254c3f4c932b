/**
 * `npm test`: every tier in order — typecheck, lint, unit, integration (real local platform),
 * Deno function tests, then the production build and the Playwright e2e suite in Chromium.
 * Prints one summary line at the end: `tests: N passed, N failed, N skipped`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

type Counts = { passed: number; failed: number; skipped: number };
type Step = {
  name: string;
  cmd: string[];
  report?: string;
  parse?: (file: string) => Counts;
  env?: Record<string, string>;
};

const reportsDir = path.resolve('.tmp/test-reports');
fs.rmSync(reportsDir, { recursive: true, force: true });
fs.mkdirSync(reportsDir, { recursive: true });

const vitestCounts = (file: string): Counts => {
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  return {
    passed: r.numPassedTests ?? 0,
    failed: r.numFailedTests ?? 0,
    skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
  };
};
const playwrightCounts = (file: string): Counts => {
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  const s = r.stats ?? {};
  return { passed: (s.expected ?? 0) + (s.flaky ?? 0), failed: s.unexpected ?? 0, skipped: s.skipped ?? 0 };
};
const denoCounts = (file: string): Counts => JSON.parse(fs.readFileSync(file, 'utf8'));

const only = process.argv.slice(2);
const allSteps: Step[] = [
  { name: 'typecheck', cmd: ['npx', 'tsc', '--noEmit'] },
  { name: 'lint', cmd: ['npx', 'biome', 'check', '.'] },
  {
    name: 'unit',
    cmd: [
      'npx',
      'vitest',
      'run',
      '--config',
      'vitest.unit.config.ts',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${reportsDir}/unit.json`,
    ],
    report: `${reportsDir}/unit.json`,
    parse: vitestCounts,
  },
  {
    name: 'integration',
    cmd: [
      'npx',
      'vitest',
      'run',
      '--config',
      'vitest.integration.config.ts',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${reportsDir}/integration.json`,
    ],
    report: `${reportsDir}/integration.json`,
    parse: vitestCounts,
  },
  {
    name: 'deno',
    cmd: ['npx', 'tsx', 'scripts/deno-test.ts'],
    report: `${reportsDir}/deno.json`,
    parse: denoCounts,
    env: { DENO_TEST_REPORT: `${reportsDir}/deno.json` },
  },
  { name: 'build', cmd: ['npx', 'remix', 'vite:build'] },
  {
    name: 'e2e',
    cmd: ['npx', 'playwright', 'test', '--reporter=list,json'],
    report: `${reportsDir}/e2e.json`,
    parse: playwrightCounts,
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: `${reportsDir}/e2e.json` },
  },
];
const steps = allSteps.filter((s) => only.length === 0 || only.includes(s.name));

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
const timings: string[] = [];
let failedStep: string | null = null;
const t0 = performance.now();
for (const step of steps) {
  if (step.name === 'deno' && !fs.existsSync('scripts/deno-test.ts')) continue;
  process.stdout.write(`\n=== ${step.name}: ${step.cmd.join(' ')}\n`);
  const s0 = performance.now();
  const r = spawnSync(step.cmd[0], step.cmd.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, TZ: 'UTC', ...step.env },
  });
  const secs = ((performance.now() - s0) / 1000).toFixed(1);
  timings.push(`${step.name} ${secs}s`);
  if (step.report && step.parse && fs.existsSync(step.report)) {
    const c = step.parse(step.report);
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  }
  if (r.status !== 0) {
    failedStep = step.name;
    if (total.failed === 0) total.failed = 1;
    break;
  }
}
process.stdout.write(
  `\nsteps: ${timings.join(', ')}; total ${((performance.now() - t0) / 1000).toFixed(1)}s\n`,
);
if (failedStep) process.stdout.write(`step failed: ${failedStep}\n`);
process.stdout.write(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
process.exit(failedStep ? 1 : 0);
