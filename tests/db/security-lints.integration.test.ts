import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/platform';

/**
 * Security advisor for the migrated schema: each `lints/*.sql` is a query that returns the
 * offending objects (`object`, `detail`). The migrated template must be clean, and each lint
 * must catch a deliberately bad object created in a throwaway database (so a lint that can
 * never fire cannot pass silently).
 */

const LINT_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lints');
const lints = fs
  .readdirSync(LINT_DIR)
  .filter((f) => f.endsWith('.sql'))
  .sort()
  .map((file) => ({
    name: file.replace(/^\d+_|\.sql$/g, ''),
    file,
    sql: fs.readFileSync(path.join(LINT_DIR, file), 'utf8'),
  }));

/** For each lint: SQL that creates a violation, and the object the lint must report. */
const BAD_EXAMPLES: Record<string, { sql: string; flags: string }> = {
  rls_disabled_in_exposed_schema: {
    sql: `create table public.bad_no_rls (id int primary key); comment on table public.bad_no_rls is 'x';`,
    flags: 'public.bad_no_rls',
  },
  policy_exists_rls_disabled: {
    sql: `create table public.bad_policy_off (id int primary key);
          create policy p on public.bad_policy_off for select to authenticated using (id > 0);`,
    flags: 'public.bad_policy_off',
  },
  rls_enabled_no_policy: {
    sql: `create table public.bad_no_policy (id int primary key); alter table public.bad_no_policy enable row level security;`,
    flags: 'public.bad_no_policy',
  },
  rls_policy_always_true: {
    sql: `create table public.bad_true (id int primary key); alter table public.bad_true enable row level security;
          create policy anyone_writes on public.bad_true for insert to authenticated with check (true);`,
    flags: 'public.bad_true: anyone_writes',
  },
  multiple_permissive_policies: {
    sql: `create table public.bad_twice (id int primary key); alter table public.bad_twice enable row level security;
          create policy a on public.bad_twice for select to authenticated using (id > 0);
          create policy b on public.bad_twice for all to authenticated using (id < 10) with check (id < 10);`,
    flags: 'public.bad_twice authenticated SELECT',
  },
  function_search_path_mutable: {
    // A SQL-standard body is exempt only for security invoker functions: this one runs with the
    // owner's rights, so it still needs a fixed search_path.
    sql: `create function private.bad_path() returns int language sql security definer return 1;
          revoke all on function private.bad_path() from public;`,
    flags: 'private.bad_path()',
  },
  security_definer_function_executable: {
    sql: `create function private.bad_anon() returns int language sql security definer set search_path = '' as 'select 1';
          grant execute on function private.bad_anon() to anon;`,
    flags: 'private.bad_anon()',
  },
  auth_users_exposed: {
    sql: `create view public.bad_users with (security_invoker = true) as select id, phone from auth.users;
          comment on view public.bad_users is 'x'; grant select on public.bad_users to authenticated;`,
    flags: 'public.bad_users',
  },
  security_definer_view: {
    sql: `create view public.bad_definer_view as select id from public.units; comment on view public.bad_definer_view is 'x';`,
    flags: 'public.bad_definer_view',
  },
  auth_rls_initplan: {
    sql: `create table public.bad_initplan (id int primary key, user_id uuid, company_id uuid);
          alter table public.bad_initplan enable row level security;
          create policy per_row_uid on public.bad_initplan for select to authenticated using (user_id = auth.uid());
          create policy per_row_helper on public.bad_initplan for delete to authenticated
            using (company_id = any (private.companies_with_permission('unit.manage')));`,
    flags: 'public.bad_initplan: per_row_uid',
  },
  rls_references_user_metadata: {
    sql: `create table public.bad_meta (id int primary key); alter table public.bad_meta enable row level security;
          create policy self_declared_admin on public.bad_meta for select to authenticated
            using (((select auth.jwt()) -> 'user_metadata' ->> 'role') = 'admin');`,
    flags: 'public.bad_meta: self_declared_admin',
  },
  unindexed_foreign_keys: {
    sql: `create table public.bad_fk (id int primary key, unit_id uuid references public.units (id));`,
    flags: 'public.bad_fk: bad_fk_unit_id_fkey',
  },
  policy_for_public_role: {
    sql: `create table public.bad_public (id int primary key); alter table public.bad_public enable row level security;
          create policy no_role on public.bad_public for select using (id > 0);`,
    flags: 'public.bad_public: no_role',
  },
  anon_table_privileges: {
    sql: 'grant select on public.units to anon;',
    flags: 'public.units',
  },
  tenant_key_not_indexed: {
    sql: `create table public.bad_tenant (id uuid primary key, company_id uuid not null);`,
    flags: 'public.bad_tenant',
  },
  table_without_comment: {
    sql: 'create table private.bad_silent (id int primary key);',
    flags: 'private.bad_silent',
  },
  scope_helper_not_inlined: {
    sql: `create table public.bad_slow (id int primary key, unit_id uuid); alter table public.bad_slow enable row level security;
          create policy mine on public.bad_slow for select to authenticated
            using (unit_id = any ((select private.my_unit_ids())::uuid[]));`,
    flags: 'public.bad_slow: mine',
  },
  update_policy_without_check: {
    sql: `create table public.bad_update (id int primary key); alter table public.bad_update enable row level security;
          create policy edit on public.bad_update for update to authenticated using (id > 0);`,
    flags: 'public.bad_update: edit',
  },
};

describe('security lints', () => {
  let clean: Awaited<ReturnType<typeof createTestDatabase>>;
  let throwaway: Awaited<ReturnType<typeof createTestDatabase>>;
  let cleanClient: pg.Client;
  let badClient: pg.Client;

  beforeAll(async () => {
    clean = await createTestDatabase();
    throwaway = await createTestDatabase();
    cleanClient = new pg.Client({ connectionString: clean.url });
    badClient = new pg.Client({ connectionString: throwaway.url });
    await cleanClient.connect();
    await badClient.connect();
  });

  afterAll(async () => {
    await cleanClient?.end();
    await badClient?.end();
    await clean?.drop();
    await throwaway?.drop();
  });

  it('has a bad example for every lint', () => {
    expect(lints.map((l) => l.name).sort()).toEqual(Object.keys(BAD_EXAMPLES).sort());
  });

  for (const lint of lints) {
    describe(lint.name, () => {
      it('finds nothing in the migrated schema', async () => {
        const { rows } = await cleanClient.query<{ object: string; detail: string }>(lint.sql);
        expect(rows).toEqual([]);
      });

      it('flags a bad example', async () => {
        const bad = BAD_EXAMPLES[lint.name];
        await badClient.query('begin');
        try {
          await badClient.query(bad.sql);
          const { rows } = await badClient.query<{ object: string; detail: string }>(lint.sql);
          expect(rows.map((r) => r.object)).toContain(bad.flags);
        } finally {
          await badClient.query('rollback');
        }
      });
    });
  }
});
