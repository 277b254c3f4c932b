import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';

/**
 * The functions of a project, read from `supabase/config.toml` exactly as `supabase
 * functions deploy` reads it (`[functions.<name>]` with paths relative to the supabase/
 * folder), plus any `<functionsDir>/<name>/index.ts` without a block, which gets the
 * defaults (verify_jwt on, the shared import map) — as `supabase functions serve` does.
 */
export type FunctionDefinition = {
  name: string;
  entrypoint: string;
  /** deno.json or import map the worker runs with; undefined when there is none. */
  importMap: string | undefined;
  verifyJwt: boolean;
  /** Folder watched for changes in dev: the entrypoint's folder. */
  dir: string;
};

const functionBlock = z
  .object({
    enabled: z.boolean().default(true),
    verify_jwt: z.boolean().default(true),
    entrypoint: z.string().optional(),
    import_map: z.string().optional(),
    static_files: z.array(z.string()).optional(),
  })
  .passthrough();

const configSchema = z
  .object({
    project_id: z.string().optional(),
    functions: z.record(functionBlock).default({}),
  })
  .passthrough();

/** Names hosted Supabase accepts for a function (and safe as a URL segment). */
export const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

const ENTRYPOINTS = ['index.ts', 'index.js', 'index.tsx', 'index.jsx', 'index.mjs'];

function defaultImportMap(functionsDir: string, fnDir: string): string | undefined {
  for (const candidate of [
    path.join(fnDir, 'deno.json'),
    path.join(fnDir, 'deno.jsonc'),
    path.join(functionsDir, 'deno.json'),
  ]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function loadFunctions(opts: {
  configFile: string;
  functionsDir: string;
}): Map<string, FunctionDefinition> {
  const result = new Map<string, FunctionDefinition>();
  const disabled = new Set<string>();
  const base = path.dirname(opts.configFile);
  if (fs.existsSync(opts.configFile)) {
    let raw: unknown;
    try {
      raw = parseToml(fs.readFileSync(opts.configFile, 'utf8'));
    } catch (err) {
      throw new Error(`${opts.configFile}: ${(err as Error).message}`);
    }
    const parsed = configSchema.safeParse(raw);
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
      throw new Error(`${opts.configFile} is not valid:\n${lines.join('\n')}`);
    }
    for (const [name, block] of Object.entries(parsed.data.functions)) {
      if (!FUNCTION_NAME.test(name))
        throw new Error(`${opts.configFile}: invalid function name ${JSON.stringify(name)}`);
      if (!block.enabled) {
        disabled.add(name);
        continue;
      }
      const entrypoint = path.resolve(
        base,
        block.entrypoint ?? path.join(opts.functionsDir, name, 'index.ts'),
      );
      const dir = path.dirname(entrypoint);
      result.set(name, {
        name,
        entrypoint,
        importMap: block.import_map
          ? path.resolve(base, block.import_map)
          : defaultImportMap(opts.functionsDir, dir),
        verifyJwt: block.verify_jwt,
        dir,
      });
    }
  }
  if (fs.existsSync(opts.functionsDir)) {
    for (const entry of fs.readdirSync(opts.functionsDir, { withFileTypes: true })) {
      if (
        !entry.isDirectory() ||
        !FUNCTION_NAME.test(entry.name) ||
        result.has(entry.name) ||
        disabled.has(entry.name)
      )
        continue;
      const dir = path.join(opts.functionsDir, entry.name);
      const file = ENTRYPOINTS.find((f) => fs.existsSync(path.join(dir, f)));
      if (!file) continue;
      result.set(entry.name, {
        name: entry.name,
        entrypoint: path.join(dir, file),
        importMap: defaultImportMap(opts.functionsDir, dir),
        verifyJwt: true,
        dir,
      });
    }
  }
  return result;
}

/**
 * Secrets for the functions, from a dotenv file (hosted: `supabase secrets set`). Names
 * starting with SUPABASE_ are reserved for the platform's own variables, as on hosted.
 */
export function loadSecrets(file: string | undefined): {
  secrets: Record<string, string>;
  ignored: string[];
} {
  if (!file || !fs.existsSync(file)) return { secrets: {}, ignored: [] };
  const all = parseEnv(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  const secrets: Record<string, string> = {};
  const ignored: string[] = [];
  for (const [name, value] of Object.entries(all)) {
    if (name.startsWith('SUPABASE_')) ignored.push(name);
    else secrets[name] = value;
  }
  return { secrets, ignored };
}
