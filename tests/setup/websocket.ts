import WebSocket from 'ws';

/**
 * supabase-js 2.119 needs a global WebSocket when a client is created; Node 22 has one, the
 * Node 20 on our machines does not. Tests give it the `ws` implementation, like the app server
 * gets Node's own with `--experimental-websocket` (scripts/run.ts).
 */
if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined') {
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
}
