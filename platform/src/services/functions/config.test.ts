import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../migrate';
import { loadFunctions, loadSecrets } from './config';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function project(files: Record<string, string>): { root: string; configFile: string; functionsDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fn-config-'));
  dirs.push(root);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return {
    root,
    configFile: path.join(root, 'supabase', 'config.toml'),
    functionsDir: path.join(root, 'edge-functions'),
  };
}

describe('loadFunctions', () => {
  it('reads [functions.<name>] blocks relative to the supabase folder and discovers other folders', () => {
    const p = project({
      'supabase/config.toml': `
        [functions.pay]
        verify_jwt = false
        entrypoint = "../edge-functions/pay/main.ts"
        import_map = "../edge-functions/deno.json"
        [functions.off]
        enabled = false
      `,
      'edge-functions/deno.json': '{}',
      'edge-functions/pay/main.ts': '',
      'edge-functions/notify/index.ts': '',
      'edge-functions/_shared/env.ts': '',
      'edge-functions/off/index.ts': '',
      'edge-functions/empty/README.md': '',
    });
    const fns = loadFunctions(p);
    expect([...fns.keys()].sort()).toEqual(['notify', 'pay']);
    expect(fns.get('pay')).toEqual({
      name: 'pay',
      entrypoint: path.join(p.functionsDir, 'pay', 'main.ts'),
      importMap: path.join(p.functionsDir, 'deno.json'),
      verifyJwt: false,
      dir: path.join(p.functionsDir, 'pay'),
    });
    expect(fns.get('notify')).toMatchObject({
      verifyJwt: true,
      importMap: path.join(p.functionsDir, 'deno.json'),
    });
  });

  it('rejects an invalid name or value with the file in the message', () => {
    const bad = project({ 'supabase/config.toml': '[functions."9lives"]\n' });
    expect(() => loadFunctions(bad)).toThrow(/invalid function name "9lives"/);
    const wrongType = project({ 'supabase/config.toml': '[functions.x]\nverify_jwt = "no"\n' });
    expect(() => loadFunctions(wrongType)).toThrow(/functions\.x\.verify_jwt/);
  });
});

describe('loadSecrets', () => {
  it('reads dotenv and leaves out names reserved for the platform', () => {
    const p = project({ 'supabase/functions.env': 'A=1\n# comment\nB="two words"\nSUPABASE_URL=http://x\n' });
    expect(loadSecrets(path.join(p.root, 'supabase', 'functions.env'))).toEqual({
      secrets: { A: '1', B: 'two words' },
      ignored: ['SUPABASE_URL'],
    });
    expect(loadSecrets(path.join(p.root, 'missing.env'))).toEqual({ secrets: {}, ignored: [] });
  });
});

describe('the project’s supabase/config.toml', () => {
  const configFile = path.join(PROJECT_ROOT, 'supabase', 'config.toml');
  const functionsDir = path.join(PROJECT_ROOT, 'edge-functions');
  const toml = fs.readFileSync(configFile, 'utf8');

  it('declares every function folder (hosted deploys only what config.toml lists), with existing files', () => {
    const folders = fs
      .readdirSync(functionsDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('_'))
      .map((e) => e.name);
    for (const name of folders) expect(toml, `[functions.${name}] block`).toContain(`[functions.${name}]`);
    for (const fn of loadFunctions({ configFile, functionsDir }).values()) {
      expect(fs.existsSync(fn.entrypoint), fn.entrypoint).toBe(true);
      expect(fn.importMap && fs.existsSync(fn.importMap), `${fn.name} import map`).toBe(true);
      expect(toml).toContain(`entrypoint = "../edge-functions/${fn.name}/index.ts"`);
    }
  });
});
