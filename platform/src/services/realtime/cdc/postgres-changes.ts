import type pg from 'pg';
import type { Logger } from '../../../log';
import type { Vsn } from '../serializer';
import type { RealtimeClaims } from '../tokens';
import { Catalog } from './catalog';
import { type Filter, type FilterError, matchesFilter, parseFilters } from './filters';
import {
  KEY_COLUMN,
  type PgOutputMessage,
  type Relation,
  type TupleValue,
  UNCHANGED_TOAST,
} from './pgoutput';
import { ReplicationStream } from './replication-stream';
import { textToJson } from './values';

export const PUBLICATION = 'supabase_realtime';

type ChangeType = 'INSERT' | 'UPDATE' | 'DELETE';

/** One `postgres_changes` binding of a channel, as the client sent it plus the id it is answered with. */
export type PgBinding = {
  id: number;
  /** Echoed in the join reply: the client checks event/schema/table/filter against its own. */
  params: Record<string, unknown>;
  event: '*' | ChangeType;
  schema: string;
  /** null: every table of the schema. */
  table: string | null;
  filters: Filter[];
  select: string[] | null;
};

/** A joined channel with postgres_changes bindings. */
export interface ChangeSubscriber {
  readonly topic: string;
  readonly vsn: Vsn;
  /** The claims the channel currently acts with (refreshed by `access_token`). */
  readonly claims: RealtimeClaims;
  send(data: string, binary: false): void;
}

export class SubscribeError extends Error {}

/** A stable small integer per binding, like hosted's `:erlang.phash2(params)`. */
export function bindingId(params: Record<string, unknown>): number {
  const canonical = JSON.stringify(
    Object.keys(params)
      .sort()
      .map((k) => [k, params[k]]),
  );
  let h = 0x811c9dc5;
  for (let i = 0; i < canonical.length; i++) {
    h ^= canonical.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7ffffff;
}

export function parseBindings(list: unknown): PgBinding[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new SubscribeError('postgres_changes must be a list');
  return list
    .filter((p) => p !== null && p !== undefined)
    .map((raw) => {
      if (typeof raw !== 'object' || Array.isArray(raw))
        throw new SubscribeError('each postgres_changes entry must be an object');
      const params = raw as Record<string, unknown>;
      const event = String(params.event ?? '*').toUpperCase();
      if (!['*', 'INSERT', 'UPDATE', 'DELETE'].includes(event))
        throw new SubscribeError(`invalid event: ${String(params.event)}`);
      if (typeof params.schema !== 'string' || params.schema === '')
        throw new SubscribeError('schema is required');
      const table =
        typeof params.table === 'string' && params.table !== '' && params.table !== '*' ? params.table : null;
      let filters: Filter[];
      try {
        filters = parseFilters(typeof params.filter === 'string' ? params.filter : null);
      } catch (err) {
        throw new SubscribeError((err as FilterError).message);
      }
      const select = Array.isArray(params.select) ? params.select.map(String) : null;
      return {
        id: bindingId(params),
        params,
        event: event as PgBinding['event'],
        schema: params.schema,
        table,
        filters,
        select,
      };
    });
}

type Change = {
  rel: Relation;
  type: ChangeType;
  commitTime: Date;
  newTuple: TupleValue[] | null;
  oldTuple: TupleValue[] | null;
  oldIsKeyOnly: boolean;
};

type Delivery = { sub: ChangeSubscriber; ids: number[]; data: string };

/** Text frame built around an already-serialized payload, so one change is stringified once. */
function frame(vsn: Vsn, topic: string, payloadJson: string): string {
  const t = JSON.stringify(topic);
  if (vsn === '2.0.0') return `[null,null,${t},"postgres_changes",${payloadJson}]`;
  return `{"topic":${t},"event":"postgres_changes","payload":${payloadJson},"ref":null,"join_ref":null}`;
}

/**
 * postgres_changes: a logical replication stream of the `supabase_realtime` publication (started
 * when the first channel subscribes), with hosted Realtime's delivery rules (realtime.apply_rls):
 * filters, column privileges per role, an RLS visibility check per subscriber's claims for
 * INSERT/UPDATE on tables with RLS, DELETE old records reduced to the primary key on RLS tables.
 */
export class PostgresChanges {
  private readonly subs = new Map<ChangeSubscriber, PgBinding[]>();
  private readonly relations = new Map<number, Relation>();
  private readonly catalog: Catalog;
  private stream: ReplicationStream | null = null;
  private starting: Promise<void> | null = null;
  private commitTime = new Date();
  private chain: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly opts: { databaseUrl: string; pool: pg.Pool; log: Logger; idleStopMs?: number },
  ) {
    this.catalog = new Catalog(opts.pool);
  }

  get subscriberCount() {
    return this.subs.size;
  }

  /** Validates the bindings for this subscriber's role, starts the stream if needed, then registers them. */
  async subscribe(sub: ChangeSubscriber, bindings: PgBinding[]): Promise<void> {
    if (!(await this.catalog.canAssume(sub.claims.role))) {
      throw new SubscribeError(`Unable to subscribe to changes: role "${sub.claims.role}" cannot be assumed`);
    }
    for (const b of bindings) {
      if (b.table === null || b.schema === '*') continue;
      const found = await this.catalog.lookupTable(b.schema, b.table);
      const unableMessage = () =>
        `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [event: ${b.event}, schema: ${b.schema}, table: ${b.table}, filters: [${b.filters.map((f) => `${f.column}, ${f.op}, ${f.value}`).join('; ')}]]`;
      if (!found) throw new SubscribeError(unableMessage());
      const selectable = await this.catalog.selectableColumns(found.relid, sub.claims.role);
      for (const f of b.filters) {
        if (!found.columns.includes(f.column) || !selectable.has(f.column))
          throw new SubscribeError(`invalid column for filter ${f.column}`);
      }
      const published = await this.opts.pool.query(
        'select 1 from pg_catalog.pg_publication_tables where pubname = $1 and schemaname = $2 and tablename = $3',
        [PUBLICATION, b.schema, b.table],
      );
      if (published.rowCount === 0) {
        this.opts.log.warn(
          'postgres_changes subscription to a table outside the publication: no changes will arrive',
          {
            table: `${b.schema}.${b.table}`,
            hint: `alter publication ${PUBLICATION} add table ${b.schema}.${b.table}`,
          },
        );
      }
    }
    await this.ensureStream();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.subs.set(sub, bindings);
  }

  unsubscribe(sub: ChangeSubscriber) {
    if (!this.subs.delete(sub) || this.subs.size > 0 || this.closed) return;
    // Keep the stream a little while: channels often leave and rejoin together.
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.subs.size === 0) this.stopStream();
    }, this.opts.idleStopMs ?? 30_000);
    this.idleTimer.unref();
  }

  async close() {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.subs.clear();
    await this.starting?.catch(() => {});
    await this.stopStream();
    await this.chain.catch(() => {});
  }

  private stopStream(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    this.relations.clear();
    return stream ? stream.stop() : Promise.resolve();
  }

  private ensureStream(): Promise<void> {
    if (this.stream) return Promise.resolve();
    if (this.closed) return Promise.reject(new SubscribeError('the Realtime service is shutting down'));
    if (!this.starting) {
      const stream: ReplicationStream = new ReplicationStream({
        databaseUrl: this.opts.databaseUrl,
        publication: PUBLICATION,
        log: this.opts.log,
        onMessage: (m) => this.onMessage(m),
        onClose: (err) => this.onStreamClosed(stream, err),
      });
      this.starting = stream
        .start()
        .then(
          () => {
            if (this.closed) return stream.stop();
            this.stream = stream;
            this.opts.log.debug('postgres_changes stream started', { slot: stream.slot });
          },
          async (err: Error) => {
            await stream.stop();
            throw new SubscribeError(`Unable to start the replication stream: ${err.message}`);
          },
        )
        .finally(() => {
          this.starting = null;
        });
    }
    return this.starting;
  }

  private onStreamClosed(stream: ReplicationStream, err: Error) {
    if (this.stream !== stream || this.closed) return;
    this.stream = null;
    this.relations.clear();
    this.opts.log.warn('postgres_changes stream closed; reconnecting', { error: err.message });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.subs.size > 0 && !this.closed) {
        this.ensureStream().catch((e: Error) =>
          this.opts.log.error('postgres_changes stream did not restart', { error: e.message }),
        );
      }
    }, 1_000);
  }

  private onMessage(m: PgOutputMessage) {
    switch (m.tag) {
      case 'begin':
        this.commitTime = m.commitTime;
        return;
      case 'relation':
        this.relations.set(m.relation.relid, m.relation);
        this.catalog.forget(m.relation.relid);
        return;
      case 'insert':
      case 'update':
      case 'delete': {
        const rel = this.relations.get(m.relid);
        if (!rel || this.subs.size === 0) return;
        const change: Change = {
          rel,
          type: m.tag === 'insert' ? 'INSERT' : m.tag === 'update' ? 'UPDATE' : 'DELETE',
          commitTime: this.commitTime,
          newTuple: m.tag === 'delete' ? null : m.newTuple,
          oldTuple: m.tag === 'insert' ? null : m.oldTuple,
          oldIsKeyOnly: m.tag !== 'insert' && m.oldKind === 'K',
        };
        // Evaluations run concurrently (bounded by the pool); deliveries keep commit order.
        const work = this.evaluate(change).catch((err: Error) => {
          this.opts.log.error('postgres_changes evaluation failed', {
            table: `${rel.schema}.${rel.table}`,
            error: err.message,
          });
          return [] as Delivery[];
        });
        this.chain = this.chain.then(async () => {
          for (const d of await work)
            d.sub.send(
              frame(d.sub.vsn, d.sub.topic, `{"ids":${JSON.stringify(d.ids)},"data":${d.data}}`),
              false,
            );
        });
        return;
      }
      default:
        return;
    }
  }

  private async evaluate(change: Change): Promise<Delivery[]> {
    const { rel, type } = change;
    const candidates: { sub: ChangeSubscriber; binding: PgBinding }[] = [];
    for (const [sub, bindings] of this.subs) {
      for (const b of bindings) {
        if (
          (b.event === '*' || b.event === type) &&
          (b.schema === '*' || b.schema === rel.schema) &&
          (b.table === null || b.table === rel.table)
        ) {
          candidates.push({ sub, binding: b });
        }
      }
    }
    if (candidates.length === 0) return [];

    const typeNames = await this.catalog.typeNamesOf(rel.columns.map((c) => c.typeOid));
    const typeOf = (col: string) =>
      typeNames.get(rel.columns.find((c) => c.name === col)?.typeOid ?? 0) ?? 'text';
    const newValues = new Map<string, TupleValue>();
    const oldValues = new Map<string, TupleValue>();
    rel.columns.forEach((c, i) => {
      if (change.newTuple) newValues.set(c.name, change.newTuple[i]);
      if (change.oldTuple && (!change.oldIsKeyOnly || (c.flags & KEY_COLUMN) !== 0))
        oldValues.set(c.name, change.oldTuple[i]);
    });

    // Filters: against the new row; a DELETE against what the old identity has (hosted rule).
    const filterValues = type === 'DELETE' ? oldValues : newValues;
    const matched = candidates.filter(({ binding }) =>
      binding.filters.every((f) => {
        if (!filterValues.has(f.column)) return false;
        const v = filterValues.get(f.column);
        if (v === UNCHANGED_TOAST || v === undefined) return false;
        return matchesFilter(f, typeOf(f.column), v);
      }),
    );
    if (matched.length === 0) return [];

    const info = await this.catalog.table(rel.relid);
    const base = {
      schema: rel.schema,
      table: rel.table,
      commit_timestamp: change.commitTime.toISOString(),
      type,
    };
    const byRole = new Map<string, typeof matched>();
    for (const m of matched) {
      const role = m.sub.claims.role;
      const list = byRole.get(role);
      if (list) list.push(m);
      else byRole.set(role, [m]);
    }

    type Group = { role: string; cols: Set<string>; entries: typeof matched; error?: string };
    const groups: Group[] = [];
    for (const [role, entries] of byRole) {
      const cols = await this.catalog.selectableColumns(rel.relid, role);
      let error: string | undefined;
      if (type !== 'DELETE' && info.primaryKey.length === 0) error = 'Error 400: Bad Request, no primary key';
      else if (type !== 'DELETE' && !info.primaryKey.every((c) => cols.has(c)))
        error = 'Error 401: Unauthorized';
      groups.push({ role, cols, entries, error });
    }

    // RLS: one round trip checks the row for every distinct set of claims.
    const visibleByClaims = new Map<string, boolean>();
    if (info.rls && type !== 'DELETE') {
      const distinct = new Set<string>();
      for (const g of groups)
        if (!g.error) for (const e of g.entries) distinct.add(JSON.stringify(e.sub.claims));
      if (distinct.size > 0) {
        const pk: Record<string, string | null> = {};
        for (const c of info.primaryKey) {
          const v = newValues.get(c);
          pk[c] = v === UNCHANGED_TOAST || v === undefined ? null : v;
        }
        const claimsList = [...distinct];
        const visible = await this.checkVisibility(rel.relid, pk, claimsList);
        for (const [i, c] of claimsList.entries()) visibleByClaims.set(c, visible?.[i] === true);
      }
    }

    const deliveries: Delivery[] = [];
    for (const g of groups) {
      const bySelect = new Map<string, typeof matched>();
      for (const e of g.entries) {
        if (!g.error && info.rls && type !== 'DELETE' && !visibleByClaims.get(JSON.stringify(e.sub.claims)))
          continue;
        const key = e.binding.select ? e.binding.select.join(',') : '';
        const list = bySelect.get(key);
        if (list) list.push(e);
        else bySelect.set(key, [e]);
      }
      for (const [selectKey, entries] of bySelect) {
        const data = g.error
          ? JSON.stringify({ ...base, errors: [g.error] })
          : JSON.stringify(
              this.payload(
                change,
                base,
                info.primaryKey,
                info.rls,
                g.cols,
                selectKey ? selectKey.split(',') : null,
                typeNames,
                oldValues,
                newValues,
              ),
            );
        const perSub = new Map<ChangeSubscriber, number[]>();
        for (const e of entries) {
          const ids = perSub.get(e.sub);
          if (!ids) perSub.set(e.sub, [e.binding.id]);
          else if (!ids.includes(e.binding.id)) ids.push(e.binding.id);
        }
        for (const [sub, ids] of perSub) deliveries.push({ sub, ids, data });
      }
    }
    return deliveries;
  }

  /**
   * One round trip checks the row for every distinct set of claims. A commit can reach the stream
   * a moment before new snapshots see it; then the row looks absent to everyone, and the check is
   * retried briefly. A row still absent after that was deleted since, and is shown to nobody
   * (hosted behaves the same: it checks the row as it is when the change is processed).
   */
  private async checkVisibility(
    relid: number,
    pk: Record<string, string | null>,
    claims: string[],
  ): Promise<boolean[] | null> {
    for (const delay of [0, 2, 5, 10, 20, 40, 80]) {
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const r = await this.opts.pool.query<{ visible: boolean[] | null }>(
        'select _local_platform.realtime_rows_visible($1::oid::regclass, $2::jsonb, $3::jsonb[]) as visible',
        [relid, JSON.stringify(pk), claims],
      );
      if (r.rows[0].visible) return r.rows[0].visible;
    }
    return null;
  }

  private payload(
    change: Change,
    base: Record<string, unknown>,
    primaryKey: string[],
    rls: boolean,
    selectable: Set<string>,
    select: string[] | null,
    typeNames: Map<number, string>,
    oldValues: Map<string, TupleValue>,
    newValues: Map<string, TupleValue>,
  ) {
    const { rel, type } = change;
    const shown = rel.columns.filter(
      (c) => selectable.has(c.name) && (!select || select.includes(c.name) || primaryKey.includes(c.name)),
    );
    const typname = (oid: number) => typeNames.get(oid) ?? 'text';
    const columns = shown.map((c) => ({ name: c.name, type: typname(c.typeOid) }));
    let oversized = false;
    const build = (values: Map<string, TupleValue>, onlyKey: boolean, fallback?: Map<string, TupleValue>) => {
      const out: Record<string, unknown> = {};
      let any = false;
      for (const c of shown) {
        if (onlyKey && !primaryKey.includes(c.name)) continue;
        let v = values.get(c.name);
        if (v === UNCHANGED_TOAST) v = fallback?.get(c.name);
        if (v === undefined || v === UNCHANGED_TOAST) continue;
        out[c.name] = textToJson(typname(c.typeOid), v);
        any = true;
        if (v !== null && v.length > 1024 * 1024) oversized = true;
      }
      return any ? out : null;
    };
    const data: Record<string, unknown> = { ...base, columns };
    if (type !== 'DELETE') data.record = build(newValues, false, oldValues) ?? {};
    if (type === 'UPDATE') data.old_record = build(oldValues, false);
    if (type === 'DELETE') data.old_record = build(oldValues, rls);
    data.errors = null;
    if (oversized) {
      // Hosted: records over the limit keep only values of at most 64 bytes.
      for (const k of ['record', 'old_record'] as const) {
        const r = data[k] as Record<string, unknown> | null | undefined;
        if (r) for (const [name, v] of Object.entries(r)) if (JSON.stringify(v).length > 64) delete r[name];
      }
      data.errors = ['Error 413: Payload Too Large'];
    }
    return data;
  }
}
