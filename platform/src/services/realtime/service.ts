import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import pg from 'pg';
import { WebSocketServer } from 'ws';
import { type PlatformService, type ServiceContext, sendJson } from '../../gateway';
import { createLogger } from '../../log';
import { Authorizer } from './authorization';
import { PostgresChanges } from './cdc/postgres-changes';
import { Connection, IDLE_TIMEOUT_MS } from './connection';
import { DbBroadcastListener, type DbMessage } from './db-broadcast';
import type { RealtimeDeps } from './deps';
import { Hub, topicKey } from './hub';
import { PresenceTracker } from './presence';
import { handleBroadcastApi } from './rest-broadcast';
import type { Vsn } from './serializer';
import { bearer, checkToken } from './tokens';

/** Hosted keeps realtime.messages for three days (daily partitions); so does the local service. */
const MESSAGE_RETENTION = '3 days';

function refuse(socket: Duplex, status: number, reason: string, message: string) {
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const UPGRADE_ERRORS: Record<string, string> = {
  expired: 'Token has expired',
  missing_claims: 'Fields `role` and `exp` are required in JWT',
  malformed: 'The token provided is not a valid JWT',
  signature: 'Failed to validate JWT signature',
};

/**
 * The local Realtime service at `/realtime/v1`: Phoenix websocket (`/websocket`) with
 * broadcast, presence, private channels authorized by RLS, broadcast from the database and
 * postgres_changes; plus the REST broadcast API. See docs/realtime.md.
 */
export function createRealtimeService(ctx: ServiceContext): PlatformService {
  const log = createLogger('realtime');
  // Its own small pool: authorization checks and RLS visibility checks must not queue behind
  // (or starve) other services' work on the shared admin pool.
  const pool = new pg.Pool({ connectionString: ctx.databaseUrl, max: 4, application_name: 'realtime_local' });
  pool.on('error', (err) => log.warn('idle realtime database connection failed', { error: err.message }));
  // Policies that fail inside the checks are reported as warnings by the SQL helpers.
  pool.on('connect', (client) =>
    client.on('notice', (n) => log.warn('database notice', { message: n.message })),
  );
  const hub = new Hub();
  const deps: RealtimeDeps = {
    verifyJwt: ctx.verifyJwt,
    hub,
    presence: new PresenceTracker(),
    authorizer: new Authorizer(pool, log),
    changes: new PostgresChanges({ databaseUrl: ctx.databaseUrl, pool, log }),
    dbBroadcast: new DbBroadcastListener({
      databaseUrl: ctx.databaseUrl,
      pool,
      log,
      onMessage: (m: DbMessage) => {
        const meta = { id: m.id };
        if (m.binary)
          hub.broadcast(topicKey(m.topic, m.private), {
            type: 'user',
            userEvent: m.event,
            encoding: 'binary',
            body: m.binary,
            meta,
          });
        else
          hub.broadcast(topicKey(m.topic, m.private), {
            type: 'user',
            userEvent: m.event,
            encoding: 'json',
            body: Buffer.from(m.payloadJson ?? 'null'),
            meta,
          });
      },
    }),
    log,
  };
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 4 * 1024 * 1024 });
  const connections = new Set<Connection>();

  const sweep = setInterval(() => {
    const cutoff = Date.now() - IDLE_TIMEOUT_MS;
    for (const c of connections) if (c.lastSeen < cutoff) c.close(1000, 'heartbeat timeout');
  }, 10_000);
  sweep.unref();
  const cleanup = setInterval(() => {
    pool
      .query(`delete from realtime.messages where inserted_at < now() - interval '${MESSAGE_RETENTION}'`)
      .catch((err: Error) => log.warn('could not prune realtime.messages', { error: err.message }));
  }, 60 * 60_000);
  cleanup.unref();

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path: string) {
    const url = new URL(path, 'http://realtime');
    if (url.pathname.replace(/\/+$/, '') !== '/websocket') {
      refuse(socket, 404, 'Not Found', 'Not found');
      return;
    }
    const vsn = (url.searchParams.get('vsn') ?? '1.0.0') as Vsn;
    if (vsn !== '1.0.0' && vsn !== '2.0.0') {
      refuse(socket, 400, 'Bad Request', `Unsupported serializer version: ${vsn}`);
      return;
    }
    const token = bearer(req.headers.authorization);
    if (!token) {
      refuse(socket, 401, 'Unauthorized', 'API key is missing');
      return;
    }
    const checked = await checkToken(ctx.verifyJwt, token);
    if (!checked.ok) {
      refuse(socket, 401, 'Unauthorized', UPGRADE_ERRORS[checked.reason]);
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k, v]) => k.startsWith('x-') && typeof v === 'string'),
    ) as Record<string, string>;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Connection(ws, vsn, token, headers, deps, (c) => connections.delete(c));
      connections.add(conn);
    });
  }

  return {
    name: 'realtime',
    async handle(req, res, path) {
      if (await handleBroadcastApi(deps, req, res, path)) return;
      sendJson(res, 404, { message: 'Not found' });
    },
    upgrade(req, socket, head, path) {
      upgrade(req, socket, head, path).catch((err: Error) => {
        log.error('websocket upgrade failed', { error: err.stack ?? String(err) });
        refuse(socket, 500, 'Internal Server Error', 'Error connecting to Realtime');
      });
    },
    async close() {
      clearInterval(sweep);
      clearInterval(cleanup);
      for (const c of connections) c.close();
      connections.clear();
      await Promise.all([deps.changes.close(), deps.dbBroadcast.close()]);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await pool.end();
    },
  };
}
