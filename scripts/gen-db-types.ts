/**
 * Generates `app/lib/database.types.ts` (a Supabase-style `Database` type) from the schema
 * the migrations produce. Usage: `npx tsx scripts/gen-db-types.ts [--url postgres://…]`.
 * Without --url it starts a throwaway PostgreSQL in `.data/gen-types`, applies the base and
 * every migration, and introspects that. tests/db/database-types.integration.test.ts fails
 * when the committed file differs from what this produces.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

export const TYPES_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'app',
  'lib',
  'database.types.ts',
);
export const TYPED_SCHEMAS = ['public', 'private', 'audit'];

type Column = {
  table: string;
  name: string;
  type_schema: string;
  type_name: string;
  type_kind: string;
  elem_schema: string | null;
  elem_name: string | null;
  elem_kind: string | null;
  domain_base: string | null;
  not_null: boolean;
  has_default: boolean;
  identity: string;
  generated: string;
};

const NUMBER = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid']);
const STRING = new Set([
  'text',
  'varchar',
  'bpchar',
  'char',
  'name',
  'citext',
  'uuid',
  'date',
  'time',
  'timetz',
  'timestamp',
  'timestamptz',
  'interval',
  'inet',
  'cidr',
  'macaddr',
  'bytea',
  'tsvector',
  'money',
]);

const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const key = (s: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s) ? s : q(s));

/** The TypeScript type of a Postgres type, as PostgREST would send it in JSON. */
function tsType(schema: string, name: string, kind: string | null, enums: Set<string>): string {
  if (kind === 'e' && enums.has(`${schema}.${name}`)) return `Database[${q(schema)}]['Enums'][${q(name)}]`;
  if (name === 'bool') return 'boolean';
  if (NUMBER.has(name)) return 'number';
  if (STRING.has(name)) return 'string';
  if (name === 'json' || name === 'jsonb') return 'Json';
  if (name === 'void') return 'undefined';
  return 'unknown';
}

function columnType(c: Column, enums: Set<string>): string {
  if (c.elem_name) return `${tsType(c.elem_schema!, c.elem_name, c.elem_kind, enums)}[]`;
  if (c.domain_base) return tsType('pg_catalog', c.domain_base, 'b', enums);
  return tsType(c.type_schema, c.type_name, c.type_kind, enums);
}

export async function introspect(client: pg.Client, schemas = TYPED_SCHEMAS): Promise<string> {
  const enumRows = (
    await client.query<{ schema: string; name: string; labels: string[] }>(
      `select n.nspname as schema, t.typname as name, array_agg(e.enumlabel order by e.enumsortorder)::text[] as labels
       from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_enum e on e.enumtypid = t.oid
       where n.nspname = any($1) group by 1, 2 order by 1, 2`,
      [schemas],
    )
  ).rows;
  const enums = new Set(enumRows.map((e) => `${e.schema}.${e.name}`));

  const relations = (
    await client.query<{ schema: string; name: string; kind: string }>(
      `select n.nspname as schema, c.relname as name, c.relkind::text as kind
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = any($1) and c.relkind in ('r', 'p', 'v', 'm')
         and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
       order by 1, 2`,
      [schemas],
    )
  ).rows;

  const columns = (
    await client.query<Column & { schema: string }>(
      `select n.nspname as schema, c.relname as table, a.attname as name,
              tn.nspname as type_schema, t.typname as type_name, t.typtype::text as type_kind,
              en.nspname as elem_schema, et.typname as elem_name, et.typtype::text as elem_kind,
              case when t.typtype = 'd' then bt.typname end as domain_base,
              a.attnotnull as not_null, a.atthasdef as has_default,
              a.attidentity::text as identity, a.attgenerated::text as generated
       from pg_attribute a
       join pg_class c on c.oid = a.attrelid
       join pg_namespace n on n.oid = c.relnamespace
       join pg_type t on t.oid = a.atttypid
       join pg_namespace tn on tn.oid = t.typnamespace
       left join pg_type et on et.oid = t.typelem and t.typcategory = 'A'
       left join pg_namespace en on en.oid = et.typnamespace
       left join pg_type bt on bt.oid = t.typbasetype and t.typtype = 'd'
       where n.nspname = any($1) and c.relkind in ('r', 'p', 'v', 'm') and a.attnum > 0 and not a.attisdropped
       order by n.nspname, c.relname, a.attnum`,
      [schemas],
    )
  ).rows;

  const fks = (
    await client.query<{
      schema: string;
      table: string;
      name: string;
      columns: string[];
      ref_schema: string;
      ref_table: string;
      ref_columns: string[];
      one_to_one: boolean;
    }>(
      `select n.nspname as schema, c.relname as table, con.conname as name,
              array(select a.attname from unnest(con.conkey) with ordinality k(n, i)
                    join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i)::text[] as columns,
              rn.nspname as ref_schema, rc.relname as ref_table,
              array(select a.attname from unnest(con.confkey) with ordinality k(n, i)
                    join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.i)::text[] as ref_columns,
              exists (select 1 from pg_index i where i.indrelid = con.conrelid and i.indisunique and i.indpred is null
                      and (select array_agg(x order by x) from unnest(i.indkey::int2[]) x)
                        = (select array_agg(x order by x) from unnest(con.conkey) x)) as one_to_one
       from pg_constraint con
       join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_class rc on rc.oid = con.confrelid join pg_namespace rn on rn.oid = rc.relnamespace
       where con.contype = 'f' and n.nspname = any($1)
       order by n.nspname, c.relname, con.conname`,
      [schemas],
    )
  ).rows;

  const functions = (
    await client.query<{
      schema: string;
      name: string;
      arg_names: string[] | null;
      arg_modes: string[] | null;
      arg_types: string[];
      n_defaults: number;
      n_in: number;
      returns_set: boolean;
      ret_schema: string;
      ret_name: string;
      ret_kind: string;
      ret_elem_schema: string | null;
      ret_elem_name: string | null;
      ret_elem_kind: string | null;
    }>(
      `select n.nspname as schema, p.proname as name, p.proargnames::text[] as arg_names, p.proargmodes::text[] as arg_modes,
              coalesce(p.proallargtypes, p.proargtypes::oid[])::oid[]::regtype[]::text[] as arg_types,
              p.pronargdefaults as n_defaults, p.pronargs as n_in, p.proretset as returns_set,
              rn.nspname as ret_schema, rt.typname as ret_name, rt.typtype::text as ret_kind,
              en.nspname as ret_elem_schema, et.typname as ret_elem_name, et.typtype::text as ret_elem_kind
       from pg_proc p
       join pg_namespace n on n.oid = p.pronamespace
       join pg_type rt on rt.oid = p.prorettype join pg_namespace rn on rn.oid = rt.typnamespace
       left join pg_type et on et.oid = rt.typelem and rt.typcategory = 'A'
       left join pg_namespace en on en.oid = et.typnamespace
       where n.nspname = any($1) and p.prokind = 'f' and rt.typname not in ('trigger', 'event_trigger')
         and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
       order by n.nspname, p.proname, p.oid`,
      [schemas],
    )
  ).rows;

  // Function argument and result types are resolved through one catalog lookup each.
  const typeInfo = new Map<
    string,
    { schema: string; name: string; kind: string; elem?: { schema: string; name: string; kind: string } }
  >();
  const regtypes = [...new Set(functions.flatMap((f) => f.arg_types))];
  if (regtypes.length > 0) {
    const rows = (
      await client.query<{
        reg: string;
        schema: string;
        name: string;
        kind: string;
        elem_schema: string | null;
        elem_name: string | null;
        elem_kind: string | null;
      }>(
        `select r.reg, n.nspname as schema, t.typname as name, t.typtype::text as kind,
                en.nspname as elem_schema, et.typname as elem_name, et.typtype::text as elem_kind
         from unnest($1::text[]) r(reg)
         join pg_type t on t.oid = r.reg::regtype join pg_namespace n on n.oid = t.typnamespace
         left join pg_type et on et.oid = t.typelem and t.typcategory = 'A'
         left join pg_namespace en on en.oid = et.typnamespace`,
        [regtypes],
      )
    ).rows;
    for (const r of rows) {
      typeInfo.set(r.reg, {
        schema: r.schema,
        name: r.name,
        kind: r.kind,
        elem: r.elem_name ? { schema: r.elem_schema!, name: r.elem_name, kind: r.elem_kind! } : undefined,
      });
    }
  }
  const regTs = (reg: string) => {
    const t = typeInfo.get(reg);
    if (!t) return 'unknown';
    if (t.elem) return `${tsType(t.elem.schema, t.elem.name, t.elem.kind, enums)}[]`;
    return tsType(t.schema, t.name, t.kind, enums);
  };

  const out: string[] = [];
  out.push('// Generated by scripts/gen-db-types.ts from the migrated schema. Do not edit by hand:');
  out.push('// run `npx tsx scripts/gen-db-types.ts` after changing a migration.');
  out.push('');
  out.push(
    'export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];',
  );
  out.push('');
  out.push('export type Database = {');
  for (const schema of schemas) {
    out.push(`${key(schema)}: {`);
    for (const [section, kinds] of [
      ['Tables', ['r', 'p']],
      ['Views', ['v', 'm']],
    ] as const) {
      const rels = relations.filter(
        (r) => r.schema === schema && (kinds as readonly string[]).includes(r.kind),
      );
      if (rels.length === 0) {
        out.push(`${section}: { [_ in never]: never };`);
        continue;
      }
      out.push(`${section}: {`);
      for (const rel of rels) {
        const cols = columns.filter((c) => c.schema === schema && c.table === rel.name);
        out.push(`${key(rel.name)}: {`);
        out.push('Row: {');
        for (const c of cols)
          out.push(`${key(c.name)}: ${columnType(c, enums)}${c.not_null ? '' : ' | null'};`);
        out.push('};');
        if (section === 'Tables') {
          for (const mode of ['Insert', 'Update'] as const) {
            out.push(`${mode}: {`);
            for (const c of cols) {
              const t = `${columnType(c, enums)}${c.not_null ? '' : ' | null'}`;
              if (c.generated === 's' || c.identity === 'a') out.push(`${key(c.name)}?: never;`);
              else if (mode === 'Update' || !c.not_null || c.has_default || c.identity === 'd')
                out.push(`${key(c.name)}?: ${t};`);
              else out.push(`${key(c.name)}: ${t};`);
            }
            out.push('};');
          }
        }
        const rels2 = fks.filter(
          (f) => f.schema === schema && f.table === rel.name && f.ref_schema === schema,
        );
        if (rels2.length === 0) out.push('Relationships: [];');
        else {
          out.push('Relationships: [');
          for (const f of rels2) {
            out.push('{');
            out.push(`foreignKeyName: ${q(f.name)};`);
            out.push(`columns: [${f.columns.map(q).join(', ')}];`);
            out.push(`isOneToOne: ${f.one_to_one};`);
            out.push(`referencedRelation: ${q(f.ref_table)};`);
            out.push(`referencedColumns: [${f.ref_columns.map(q).join(', ')}];`);
            out.push('},');
          }
          out.push('];');
        }
        out.push('};');
      }
      out.push('};');
    }

    const fns = functions.filter((f) => f.schema === schema);
    if (fns.length === 0) out.push('Functions: { [_ in never]: never };');
    else {
      out.push('Functions: {');
      const byName = new Map<string, typeof fns>();
      for (const f of fns) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
      for (const [name, overloads] of byName) {
        const variants = overloads.map((f) => {
          const modes = f.arg_modes ?? f.arg_types.map(() => 'i');
          const names = f.arg_names ?? [];
          const inArgs: string[] = [];
          const outCols: string[] = [];
          let inIndex = 0;
          modes.forEach((mode, i) => {
            const argName = names[i] || `arg${i}`;
            const t = regTs(f.arg_types[i]);
            if (mode === 'i' || mode === 'b' || mode === 'v') {
              const optional = inIndex >= f.n_in - f.n_defaults;
              inArgs.push(`${key(argName)}${optional ? '?' : ''}: ${t};`);
              inIndex++;
            }
            if (mode === 'o' || mode === 'b' || mode === 't') outCols.push(`${key(argName)}: ${t};`);
          });
          let ret: string;
          if (outCols.length > 0) ret = `{ ${outCols.join(' ')} }${f.returns_set ? '[]' : ''}`;
          else {
            const base = f.ret_elem_name
              ? `${tsType(f.ret_elem_schema!, f.ret_elem_name, f.ret_elem_kind, enums)}[]`
              : tsType(f.ret_schema, f.ret_name, f.ret_kind, enums);
            ret = f.returns_set ? `${base}[]` : base;
          }
          const args = inArgs.length === 0 ? 'Record<PropertyKey, never>' : `{ ${inArgs.join(' ')} }`;
          return `{ Args: ${args}; Returns: ${ret} }`;
        });
        out.push(`${key(name)}: ${variants.join(' | ')};`);
      }
      out.push('};');
    }

    const es = enumRows.filter((e) => e.schema === schema);
    if (es.length === 0) out.push('Enums: { [_ in never]: never };');
    else {
      out.push('Enums: {');
      for (const e of es) out.push(`${key(e.name)}: ${e.labels.map(q).join(' | ')};`);
      out.push('};');
    }
    out.push('CompositeTypes: { [_ in never]: never };');
    out.push('};');
  }
  out.push('};');
  out.push('');
  out.push("type PublicSchema = Database['public'];");
  out.push('');
  out.push('/** Row type of a public table or view. */');
  out.push(
    "export type Tables<T extends keyof (PublicSchema['Tables'] & PublicSchema['Views'])> = (PublicSchema['Tables'] & PublicSchema['Views'])[T]['Row'];",
  );
  out.push(
    "export type TablesInsert<T extends keyof PublicSchema['Tables']> = PublicSchema['Tables'][T]['Insert'];",
  );
  out.push(
    "export type TablesUpdate<T extends keyof PublicSchema['Tables']> = PublicSchema['Tables'][T]['Update'];",
  );
  out.push("export type Enums<T extends keyof PublicSchema['Enums']> = PublicSchema['Enums'][T];");
  out.push('');
  out.push('/** Enum values at run time, e.g. for `z.enum(Constants.public.Enums.app_permission)`. */');
  out.push('export const Constants = {');
  for (const schema of schemas) {
    const es = enumRows.filter((e) => e.schema === schema);
    out.push(`${key(schema)}: { Enums: {`);
    for (const e of es) out.push(`${key(e.name)}: [${e.labels.map(q).join(', ')}],`);
    out.push('} },');
  }
  out.push('} as const;');
  return `${out.join('\n')}\n`;
}

/** Formats generated source exactly as `biome format` would, so the committed file stays lint-clean. */
export function formatTypes(source: string): string {
  const biome = path.resolve(path.dirname(TYPES_FILE), '..', '..', 'node_modules', '.bin', 'biome');
  return execFileSync(biome, ['format', `--stdin-file-path=${TYPES_FILE}`], {
    input: source,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'ignore'],
  });
}

export async function generateDatabaseTypes(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return formatTypes(await introspect(client));
  } finally {
    await client.end();
  }
}

async function main() {
  const i = process.argv.indexOf('--url');
  let url = i > 0 ? process.argv[i + 1] : undefined;
  let stop: (() => Promise<void>) | undefined;
  if (!url) {
    const { startPostgres } = await import('../platform/src/postgres');
    const { prepareDatabase } = await import('../platform/src/migrate');
    const { setLogLevel } = await import('../platform/src/log');
    setLogLevel('warn');
    const server = await startPostgres({ dataDir: path.resolve('.data/gen-types/postgres'), port: 55553 });
    stop = server.stop;
    const admin = new pg.Client({ connectionString: server.url('postgres') });
    await admin.connect();
    await admin.query('drop database if exists gen_types with (force)');
    await admin.query('create database gen_types');
    await admin.end();
    url = server.url('gen_types');
    await prepareDatabase(url, { seed: false });
  }
  try {
    const text = await generateDatabaseTypes(url);
    fs.writeFileSync(TYPES_FILE, text);
    process.stdout.write(`wrote ${path.relative(process.cwd(), TYPES_FILE)}\n`);
  } finally {
    await stop?.();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(1);
  });
}
