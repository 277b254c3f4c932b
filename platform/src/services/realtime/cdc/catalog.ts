import type pg from 'pg';

export type TableInfo = { rls: boolean; primaryKey: string[] };

/**
 * Catalog facts the change pipeline needs, cached: type names by oid, a table's RLS flag and
 * primary key, and which columns a role may select. A new pgoutput Relation message (schema
 * change) drops the table's entries; the rest expires after a few seconds so GRANT/REVOKE and
 * `alter table … enable row level security` are picked up.
 */
export class Catalog {
  private readonly typeNames = new Map<number, string>();
  private readonly tables = new Map<number, { at: number; info: Promise<TableInfo> }>();
  private readonly selectable = new Map<string, { at: number; cols: Promise<Set<string>> }>();
  private readonly assumable = new Map<string, { at: number; ok: Promise<boolean> }>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly ttlMs = 5_000,
  ) {}

  forget(relid: number) {
    this.tables.delete(relid);
    for (const key of this.selectable.keys()) if (key.startsWith(`${relid}:`)) this.selectable.delete(key);
  }

  async typeNamesOf(oids: number[]): Promise<Map<number, string>> {
    const missing = [...new Set(oids)].filter((o) => !this.typeNames.has(o));
    if (missing.length > 0) {
      const r = await this.pool.query<{ oid: number; typname: string }>(
        'select oid::int as oid, typname::text from pg_catalog.pg_type where oid = any($1::oid[])',
        [missing],
      );
      for (const row of r.rows) this.typeNames.set(row.oid, row.typname);
    }
    return this.typeNames;
  }

  table(relid: number): Promise<TableInfo> {
    const hit = this.tables.get(relid);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.info;
    const info = this.pool
      .query<{ rls: boolean; pk: string[] | null }>(
        `select c.relrowsecurity as rls,
                (select array_agg(a.attname::text order by array_position(i.indkey::int2[], a.attnum))
                   from pg_catalog.pg_index i
                   join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
                  where i.indrelid = c.oid and i.indisprimary) as pk
           from pg_catalog.pg_class c where c.oid = $1::oid`,
        [relid],
      )
      .then((r) => ({ rls: r.rows[0]?.rls ?? false, primaryKey: r.rows[0]?.pk ?? [] }));
    info.catch(() => this.tables.delete(relid));
    this.tables.set(relid, { at: Date.now(), info });
    return info;
  }

  selectableColumns(relid: number, role: string): Promise<Set<string>> {
    const key = `${relid}:${role}`;
    const hit = this.selectable.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.cols;
    const cols = this.pool
      .query<{ attname: string }>(
        `select attname::text from pg_catalog.pg_attribute
          where attrelid = $1::oid and attnum > 0 and not attisdropped
            and pg_catalog.has_column_privilege($2::text, attrelid, attnum, 'SELECT')`,
        [relid, role],
      )
      .then((r) => new Set(r.rows.map((row) => row.attname)));
    cols.catch(() => this.selectable.delete(key));
    this.selectable.set(key, { at: Date.now(), cols });
    return cols;
  }

  /**
   * Whether the service may act as `role` for a subscriber: the roles PostgREST's
   * `authenticator` can switch to (anon, authenticated, service_role and any the app grants it).
   */
  canAssume(role: string): Promise<boolean> {
    const hit = this.assumable.get(role);
    if (hit && Date.now() - hit.at < this.ttlMs * 12) return hit.ok;
    const ok = this.pool
      .query<{ ok: boolean }>(
        `select case when exists(select 1 from pg_catalog.pg_roles where rolname = $1)
                     then pg_catalog.pg_has_role('authenticator', $1, 'MEMBER') else false end as ok`,
        [role],
      )
      .then((r) => r.rows[0]?.ok === true);
    ok.catch(() => this.assumable.delete(role));
    this.assumable.set(role, { at: Date.now(), ok });
    return ok;
  }

  /** oid and column names of `schema.table`, or null when there is no such table. */
  async lookupTable(schema: string, table: string): Promise<{ relid: number; columns: string[] } | null> {
    const r = await this.pool.query<{ relid: number | null; columns: string[] | null }>(
      `select c.oid::int as relid,
              (select array_agg(attname::text order by attnum) from pg_catalog.pg_attribute
                where attrelid = c.oid and attnum > 0 and not attisdropped) as columns
         from pg_catalog.pg_class c
        where c.oid = to_regclass(format('%I.%I', $1::text, $2::text))`,
      [schema, table],
    );
    const row = r.rows[0];
    return row?.relid ? { relid: row.relid, columns: row.columns ?? [] } : null;
  }
}
