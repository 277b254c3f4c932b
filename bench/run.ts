/**
 * `npm run bench -- <name>`: runs `bench/<name>.ts`. Each benchmark starts what it needs on its
 * own data folder and ports, measures a baseline in the same run, and prints figures and ratios.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
const available = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.includes('.test.') && !f.startsWith('_'))
  .map((f) => f.replace(/\.ts$/, ''));

if (!name || !available.includes(name)) {
  process.stderr.write(
    `usage: npm run bench -- <name>\navailable: ${available.join(', ') || '(none yet)'}\n`,
  );
  process.exit(2);
}
process.env.TZ = 'UTC';
await import(pathToFileURL(path.join(here, `${name}.ts`)).href);
