import pg from 'pg';

/**
 * The app's only way into Postgres (house style: one entry point per trust level).
 *
 * - `withUser(claims, fn)` runs `fn` in one transaction as the signed-in user: the role and
 *   JWT claims are set transaction-locally exactly as PostgREST does (wire surface §7), so
 *   RLS, `auth.uid()` and `auth.jwt()` behave as they do through Supabase.
 * - `withServiceRoleDangerously(reason, fn)` bypasses RLS. Jobs, webhooks and the device
 *   bridge only — never a request handler acting for a user. The reason lands in
 *   `audit.log.service_reason` for every row it changes.
 */

export type ApiRole = 'anon' | 'authenticated' | 'service_role';
export type PlatformRole = 'owner' | 'admin' | 'support';

/** Verified JWT claims (Supabase Auth shape). Only `app_metadata` is trusted for authorization. */
export type JwtClaims = {
  role: ApiRole;
  sub?: string;
  aud?: string | string[];
  phone?: string;
  email?: string;
  session_id?: string;
  app_metadata?: {
    platform_role?: PlatformRole;
    provider?: string;
    providers?: string[];
    [key: string]: unknown;
  };
  user_metadata?: Record<string, unknown>;
  [claim: string]: unknown;
};

/** Request details PostgREST also exposes to SQL (`request.method`, `request.path`, `request.headers`). */
export type RequestInfo = { method?: string; path?: string; headers?: Record<string, string> };

/**
 * SQL text, or a named statement: Postgres plans a named statement once per connection and
 * reuses the plan (worth it for hot queries; planning a five-table join costs more than
 * running it). Plans stay correct under RLS: policies are evaluated per execution.
 */
export type Query = string | { name: string; text: string };

/** A transaction handle: queries only (no commit, rollback or release from inside a unit of work). */
export type Tx = {
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    query: Query,
    values?: readonly unknown[],
  ): Promise<pg.QueryResult<R>>;
};

export type UserOptions = {
  /** `begin read only`, as PostgREST does for GET. */
  readOnly?: boolean;
  request?: RequestInfo;
  /** Transaction-local statement timeout; defaults to 8 s like the hosted `authenticated` role. */
  statementTimeoutMs?: number;
};

export type Db = {
  withUser<T>(claims: JwtClaims, fn: (tx: Tx) => Promise<T>, options?: UserOptions): Promise<T>;
  withServiceRoleDangerously<T>(reason: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Values come back as PostgREST would send them in JSON, which is what the generated
 * `Database` type (app/lib/database.types.ts) describes: numbers for bigint/numeric, and
 * dates, times and timestamps as the strings Postgres prints (a JS Date would shift a
 * `date` by the time zone). Money is stored as integer cents, so numbers stay exact.
 */
function toNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || (Number.isInteger(n) && !Number.isSafeInteger(n))) {
    throw new RangeError(`database value ${value} does not fit a JavaScript number`);
  }
  return n;
}
const TEXT_ARRAY_OID = 1009;
const textArray = (pg.types.getTypeParser as (oid: number) => (value: string) => Array<string | null>)(
  TEXT_ARRAY_OID,
);
const numberArray = (value: string) => textArray(value).map((v) => (v === null ? null : toNumber(v)));
const asText = (value: string) => value;
const PARSERS: Record<number, (value: string) => unknown> = {
  20: toNumber, // int8
  1700: toNumber, // numeric
  1082: asText, // date
  1083: asText, // time
  1114: asText, // timestamp
  1184: asText, // timestamptz
  1186: asText, // interval
  1266: asText, // timetz
  1016: numberArray, // int8[]
  1231: numberArray, // numeric[]
  1182: textArray, // date[]
  1115: textArray, // timestamp[]
  1185: textArray, // timestamptz[]
};
/** Type parsing per pool: the fixed parsers above, plus arrays of enums (their OIDs differ per database). */
function typeParsers() {
  const enumArrays = new Set<number>();
  const getTypeParser = ((oid: number, format?: 'text' | 'binary') => {
    if ((format ?? 'text') === 'text') {
      if (PARSERS[oid]) return PARSERS[oid];
      if (enumArrays.has(oid)) return textArray;
    }
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser;
  let loaded: Promise<void> | undefined;
  const load = (client: pg.PoolClient) => {
    loaded ??= client
      .query<{ oid: number }>(
        `select t.oid::int as oid from pg_type t join pg_type e on e.oid = t.typelem
         where t.typcategory = 'A' and e.typtype = 'e'`,
      )
      .then((r) => {
        for (const row of r.rows) enumArrays.add(row.oid);
      })
      .catch((err) => {
        loaded = undefined;
        throw err;
      });
    return loaded;
  };
  return { getTypeParser, load };
}

/** The transaction-local settings for a set of claims, in the order PostgREST applies them. */
export function claimSettings(claims: JwtClaims, request: RequestInfo = {}): Array<[string, string]> {
  const settings: Array<[string, string]> = [
    ['role', claims.role],
    ['request.jwt.claims', JSON.stringify(claims)],
    // Mirrors that Storage and Realtime also set; auth.uid()/auth.role() read either form.
    ['request.jwt.claim.sub', claims.sub ?? ''],
    ['request.jwt.claim.role', claims.role],
  ];
  if (request.method) settings.push(['request.method', request.method]);
  if (request.path) settings.push(['request.path', request.path]);
  if (request.headers) {
    const lower = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    settings.push(['request.headers', JSON.stringify(lower)]);
  }
  return settings;
}

/**
 * Applies settings with `set_config(name, value, true)` in one round trip. Must run inside
 * an open transaction: `true` makes every value transaction-local, so nothing leaks to the
 * next user of a pooled connection.
 */
export async function applySettings(
  client: Tx,
  settings: Array<[string, string]>,
  options: { prepareRequest?: boolean } = {},
): Promise<void> {
  const calls = settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`);
  // After the claims, in the same statement (PostgREST's db-pre-request, without another
  // round trip): load the caller's RLS scope once, so every policy helper in the request
  // reads it from the transaction's memo (supabase/migrations/20261122960000_rls_fast_path.sql).
  // Select-list items are evaluated in order; were they not, the memo would not match the
  // claims and the helpers would compute on first use, with the same answers.
  if (options.prepareRequest) calls.push('private.prepare_request()');
  await client.query(`select ${calls.join(', ')}`, settings.flat());
}

function assertUserClaims(claims: JwtClaims): void {
  if (claims.role === 'service_role') {
    throw new Error('withUser refuses service_role claims; use withServiceRoleDangerously for jobs');
  }
  if (claims.role !== 'authenticated' && claims.role !== 'anon') {
    throw new Error(`withUser: unsupported role claim ${JSON.stringify(claims.role)}`);
  }
  if (claims.role === 'authenticated' && !(typeof claims.sub === 'string' && UUID.test(claims.sub))) {
    throw new Error('withUser: authenticated claims need a uuid sub');
  }
}

function asTx(client: pg.PoolClient): Tx {
  return {
    query: (query, values) =>
      client.query(
        typeof query === 'string'
          ? { text: query, values: values as unknown[] | undefined }
          : { name: query.name, text: query.text, values: values as unknown[] | undefined },
      ),
  };
}

async function inTransaction<T>(
  pool: pg.Pool,
  loadTypes: (client: pg.PoolClient) => Promise<void>,
  begin: string,
  settings: Array<[string, string]>,
  fn: (tx: Tx) => Promise<T>,
  prepareRequest = false,
): Promise<T> {
  const client = await pool.connect();
  const tx = asTx(client);
  try {
    await loadTypes(client);
    // Pipeline mode: `begin` and the settings (with the caller's RLS scope) leave in one write
    // and one round trip instead of two. The unit of work starts once they are done, so its
    // statements are timed alone (bench/rls.ts, bench/repairs.ts: "query time is the statement
    // alone") and a failed prelude stops the request before any work runs.
    const socket = client.connection.stream;
    socket.cork();
    let prelude: Promise<unknown>;
    try {
      prelude = Promise.all([client.query(begin), applySettings(tx, settings, { prepareRequest })]);
    } finally {
      socket.uncork();
    }
    await prelude;
    const result = await fn(tx);
    await client.query('commit');
    client.release();
    return result;
  } catch (err) {
    try {
      await client.query('rollback');
      client.release();
    } catch (rollbackErr) {
      // A connection that cannot roll back is not returned to the pool.
      client.release(rollbackErr as Error);
    }
    throw err;
  }
}

/** A database handle over its own pool. The app uses the default one below; tests and benchmarks make their own. */
export function createDb(connectionString: string, options: { max?: number } = {}): Db {
  const types = typeParsers();
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    types: { getTypeParser: types.getTypeParser },
    // Statements written one after another are sent without waiting for each answer (begin and
    // the settings, see inTransaction); the server still runs them strictly in order.
    pipeline: true,
  });
  // An idle connection that the server drops (restart, failover) must not crash the process;
  // the pool replaces it on the next checkout.
  pool.on('error', (err) => {
    process.stderr.write(`database: idle connection failed: ${err.message}\n`);
  });
  return {
    async withUser(claims, fn, options = {}) {
      assertUserClaims(claims);
      const settings = claimSettings(claims, options.request);
      settings.push(['statement_timeout', String(options.statementTimeoutMs ?? 8000)]);
      return inTransaction(
        pool,
        types.load,
        options.readOnly ? 'begin read only' : 'begin',
        settings,
        fn,
        claims.role === 'authenticated',
      );
    },
    async withServiceRoleDangerously(reason, fn) {
      const trimmed = reason.trim();
      if (trimmed.length < 3)
        throw new Error('withServiceRoleDangerously needs a reason (it is written to the audit log)');
      const settings = claimSettings({ role: 'service_role' });
      settings.push(['app.service_reason', trimmed.slice(0, 200)]);
      return inTransaction(pool, types.load, 'begin', settings, fn);
    },
    close: () => pool.end(),
  };
}

let defaultDb: Promise<Db> | undefined;

/** The app's database, from the validated `DATABASE_URL`; created on first use. */
function appDb(): Promise<Db> {
  defaultDb ??= import('./env.server').then(({ env }) => createDb(env.DATABASE_URL));
  return defaultDb;
}

/** Runs `fn` in one transaction as the user the claims describe (RLS applies). */
export async function withUser<T>(
  claims: JwtClaims,
  fn: (tx: Tx) => Promise<T>,
  options?: UserOptions,
): Promise<T> {
  return (await appDb()).withUser(claims, fn, options);
}

/** Runs `fn` in one transaction as the service role (RLS bypassed). Jobs, webhooks and the device bridge only. */
export async function withServiceRoleDangerously<T>(reason: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return (await appDb()).withServiceRoleDangerously(reason, fn);
}
