import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresBinaries } from '../../postgres';

/**
 * SQL-only stand-ins for pg_cron, pg_net and supabase_vault (hosted Supabase's extensions
 * with C code), written into the embedded PostgreSQL's `share/extension` folder so that
 * `create extension pg_cron` in a migration works locally as on hosted. Files are written
 * only when missing or changed, and never over a file this platform did not write.
 */
const SOURCE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'extensions');
const MARKER = 'wuye local platform';

export type InstallResult = { dir: string; written: string[]; foreign: string[] };

export async function extensionDir(): Promise<string> {
  const { postgres } = await postgresBinaries();
  const root = path.resolve(path.dirname(postgres), '..', 'share');
  const dir = [path.join(root, 'postgresql', 'extension'), path.join(root, 'extension')].find((d) =>
    fs.existsSync(d),
  );
  if (!dir) throw new Error(`no share/extension folder next to ${postgres}`);
  return dir;
}

export async function installLocalExtensions(): Promise<InstallResult> {
  const dir = await extensionDir();
  const written: string[] = [];
  const foreign: string[] = [];
  for (const file of fs.readdirSync(SOURCE_DIR).sort()) {
    const content = fs.readFileSync(path.join(SOURCE_DIR, file), 'utf8');
    const target = path.join(dir, file);
    if (fs.existsSync(target)) {
      const existing = fs.readFileSync(target, 'utf8');
      if (existing === content) continue;
      if (!existing.includes(MARKER)) {
        foreign.push(file);
        continue;
      }
    }
    // Write beside and rename, so a concurrent `create extension` never reads half a file.
    const temp = `${target}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(temp, content, { mode: 0o644 });
      fs.renameSync(temp, target);
    } catch (err) {
      fs.rmSync(temp, { force: true });
      throw new Error(`cannot install the local ${file} into ${dir}: ${(err as Error).message}`);
    }
    written.push(file);
  }
  return { dir, written, foreign };
}
