import { randomUUID } from 'node:crypto';
import { AuthorizationError, type Extension, emptyPolicies, type Policies } from './authorization';
import { type ChangeSubscriber, type PgBinding, parseBindings, SubscribeError } from './cdc/postgres-changes';
import type { DbMessage } from './db-broadcast';
import type { RealtimeDeps } from './deps';
import { type Member, type OutBroadcast, topicKey } from './hub';
import type { PresenceDiff } from './presence';
import { encodeUserBroadcast, type PhxMessage, type UserBroadcastPush, type Vsn } from './serializer';
import { checkToken, type RealtimeClaims } from './tokens';

/** The part of a websocket connection a channel talks to. */
export interface ChannelHost {
  readonly vsn: Vsn;
  readonly socketToken: string;
  readonly headers: Record<string, string>;
  readonly deps: RealtimeDeps;
  send(data: string | Buffer, binary: boolean): void;
  push(m: PhxMessage): void;
  /** Forgets the channel (it closed itself). */
  detach(channel: Channel): void;
}

export type JoinResult = { ok: true; response: Record<string, unknown> } | { ok: false; reason: string };

/** Hosted re-checks a token at least every 5 minutes, and exactly when it expires. */
const CONFIRM_TOKEN_MS = 5 * 60_000;

type JoinConfig = {
  broadcast?: { self?: unknown; ack?: unknown; replay?: unknown; replication_ready?: unknown };
  presence?: { key?: unknown; enabled?: unknown };
  postgres_changes?: unknown;
  postgres_changes_options?: { wait?: unknown };
  private?: unknown;
};

const truthy = (v: unknown) => v === true || v === 'true';

/**
 * One joined topic on one connection: hosted RealtimeWeb.RealtimeChannel. Handles the join
 * (token, private-channel authorization, postgres_changes), broadcast, presence, access_token
 * refresh, and token expiry.
 */
export class Channel implements Member, ChangeSubscriber {
  readonly subTopic: string;
  key = '';
  isPrivate = false;
  private selfBroadcast = false;
  private ackBroadcast = false;
  private presenceEnabled = false;
  private presenceKey = '';
  private replicationReady = false;
  private replay: DbMessage[] = [];
  private readonly replayedIds = new Set<string>();
  private token = '';
  private currentClaims!: RealtimeClaims;
  private policies: Policies = emptyPolicies();
  private bindings: PgBinding[] = [];
  private pgError: string | null = null;
  private pgSubscribed = false;
  private confirmTimer: NodeJS.Timeout | null = null;
  private joined = false;
  private closed = false;

  constructor(
    private readonly host: ChannelHost,
    readonly topic: string,
    readonly joinRef: string | null,
  ) {
    this.subTopic = topic.slice('realtime:'.length);
  }

  get vsn() {
    return this.host.vsn;
  }

  get claims(): RealtimeClaims {
    return this.currentClaims;
  }

  private get deps() {
    return this.host.deps;
  }

  canReceiveBroadcast() {
    return !this.isPrivate || this.policies.broadcast.read === true;
  }

  replayed(messageId: string) {
    return this.replayedIds.has(messageId);
  }

  canReceivePresence() {
    return !this.isPrivate || this.policies.presence.read === true;
  }

  send(data: string | Buffer, binary: boolean) {
    if (!this.closed) this.host.send(data, binary);
  }

  private push(event: string, payload: unknown) {
    if (!this.closed) this.host.push({ joinRef: this.joinRef, ref: null, topic: this.topic, event, payload });
  }

  reply(ref: string | null, status: 'ok' | 'error', response: unknown = {}) {
    this.host.push({
      joinRef: this.joinRef,
      ref,
      topic: this.topic,
      event: 'phx_reply',
      payload: { status, response },
    });
  }

  private systemMessage(extension: 'system' | 'postgres_changes', status: 'ok' | 'error', message: string) {
    this.push('system', { extension, status, message, channel: this.subTopic });
  }

  private authContext() {
    return { topic: this.subTopic, claims: this.currentClaims, headers: this.host.headers };
  }

  async join(payload: unknown): Promise<JoinResult> {
    const p = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
    const config = (p.config && typeof p.config === 'object' ? p.config : {}) as JoinConfig;
    this.isPrivate = truthy(config.private);
    this.key = topicKey(this.subTopic, this.isPrivate);
    this.selfBroadcast = truthy(config.broadcast?.self);
    this.ackBroadcast = truthy(config.broadcast?.ack);
    this.replicationReady = truthy(config.broadcast?.replication_ready);
    this.presenceEnabled = truthy(config.presence?.enabled);
    const key = config.presence?.key;
    this.presenceKey =
      typeof key === 'string' && key !== '' ? key : typeof key === 'number' ? String(key) : randomUUID();

    // `access_token` in the join wins; an API key there means "the socket's token" (hosted rule).
    const given =
      typeof p.access_token === 'string'
        ? p.access_token
        : typeof p.user_token === 'string'
          ? p.user_token
          : null;
    this.token = given && !given.startsWith('sb_') ? given : this.host.socketToken;
    const checked = await checkToken(this.deps.verifyJwt, this.token);
    if (!checked.ok) return { ok: false, reason: `${checked.code}: ${checked.message}` };
    this.currentClaims = checked.claims;

    if (this.isPrivate) {
      const denied = await this.authorizeRead([]);
      if (denied) return { ok: false, reason: denied };
    }
    const replay = config.broadcast?.replay;
    if (replay !== undefined && replay !== null) {
      const failed = await this.loadReplay(replay);
      if (failed) return { ok: false, reason: failed };
    }

    try {
      this.bindings = parseBindings(config.postgres_changes);
    } catch (err) {
      this.bindings = [];
      this.pgError = (err as Error).message;
    }
    try {
      await this.deps.dbBroadcast.ensureStarted();
    } catch (err) {
      this.deps.log.error('broadcast listener unavailable', { error: String(err) });
    }
    if (this.bindings.length > 0) {
      try {
        await this.deps.changes.subscribe(this, this.bindings);
        this.pgSubscribed = true;
      } catch (err) {
        this.pgError =
          err instanceof SubscribeError ? err.message : `Unable to subscribe to changes: ${String(err)}`;
        if (!(err instanceof SubscribeError))
          this.deps.log.error('postgres_changes subscription failed', { error: String(err) });
      }
    }
    // realtime-js `postgres_changes_options.wait`: the client holds SUBSCRIBED until the
    // subscription is live (ours always is when we answer) and expects a failure as a join error.
    if (this.pgError && truthy(config.postgres_changes_options?.wait)) {
      return { ok: false, reason: `RealtimeDisabledForConfiguration: ${this.pgError}` };
    }
    if (this.closed) {
      if (this.pgSubscribed) this.deps.changes.unsubscribe(this);
      return { ok: false, reason: 'UnknownErrorOnChannel: the connection closed during the join' };
    }
    this.deps.hub.add(this);
    this.joined = true;
    this.scheduleTokenCheck();
    return {
      ok: true,
      response: { postgres_changes: this.bindings.map((b) => ({ ...b.params, id: b.id })) },
    };
  }

  /** `config.broadcast.replay: {since, limit}` on a private channel (hosted: maybe_replay_messages). */
  private async loadReplay(replay: unknown): Promise<string | null> {
    if (!this.isPrivate) return 'UnableToReplayMessages: Replay is not allowed for public channels';
    const { since = 0, limit = 10 } = (typeof replay === 'object' ? replay : {}) as {
      since?: unknown;
      limit?: unknown;
    };
    if (!Number.isInteger(since) || !Number.isInteger(limit))
      return 'UnableToReplayMessages: Replay params are not valid';
    if (this.policies.broadcast.read !== true) {
      return `Unauthorized: You do not have permissions to read from this Channel topic: ${this.subTopic}`;
    }
    try {
      this.replay = await this.deps.dbBroadcast.replay(this.subTopic, since as number, limit as number);
    } catch (err) {
      this.deps.log.error('UnableToReplayMessages', { topic: this.subTopic, error: String(err) });
      return 'UnableToReplayMessages: Realtime was unable to replay messages';
    }
    for (const m of this.replay) this.replayedIds.add(m.id);
    return null;
  }

  /** Pushes that follow the join reply (hosted sends them from the channel right after joining). */
  afterJoin() {
    for (const m of this.replay) {
      const meta = { replayed: true, id: m.id };
      if (m.binary) {
        if (this.vsn === '2.0.0')
          this.send(encodeUserBroadcast(this.topic, m.event, meta, 'binary', m.binary), true);
      } else {
        this.push('broadcast', {
          type: 'broadcast',
          event: m.event,
          payload: JSON.parse(m.payloadJson ?? 'null'),
          meta,
        });
      }
    }
    this.replay = [];
    if (this.presenceEnabled && this.canReceivePresence())
      this.push('presence_state', this.deps.presence.list(this.key));
    // The database connections this channel needs are up before the join is answered.
    if (this.replicationReady) this.systemMessage('system', 'ok', 'Replication connection established');
    if (this.pgError) this.systemMessage('postgres_changes', 'error', this.pgError);
    else if (this.bindings.length > 0)
      this.systemMessage('postgres_changes', 'ok', 'Subscribed to PostgreSQL');
  }

  /**
   * Read checks for broadcast (and presence when enabled). Returns the join error, or null.
   * `previous` lists the extensions that could be read before (access_token refresh).
   */
  private async authorizeRead(previouslyReadable: Extension[]): Promise<string | null> {
    const extensions: Extension[] = this.presenceEnabled ? ['broadcast', 'presence'] : ['broadcast'];
    const unauthorized = `Unauthorized: You do not have permissions to read from this Channel topic: ${this.subTopic}`;
    try {
      this.policies = await this.deps.authorizer.authorize(this.authContext(), emptyPolicies(), {
        read: true,
        write: false,
        extensions,
      });
    } catch (err) {
      if (err instanceof AuthorizationError) return unauthorized;
      this.deps.log.error('UnableToSetPolicies', { topic: this.subTopic, error: String(err) });
      return 'UnableToSetPolicies: Realtime was unable to connect to the project database';
    }
    if (previouslyReadable.some((ext) => this.policies[ext].read === false)) {
      return `You no longer have permission to read from this Channel topic: ${this.subTopic}`;
    }
    if (!this.policies.broadcast.read && !this.policies.presence.read) return unauthorized;
    return null;
  }

  /** Write permission for one extension, checked once and then cached (hosted does the same). */
  private async canWrite(ext: Extension): Promise<boolean> {
    if (!this.isPrivate) return true;
    if (this.policies[ext].write === undefined) {
      try {
        const extensions: Extension[] =
          ext === 'presence' && this.policies.presence.read === undefined ? ['presence'] : [ext];
        const read = ext === 'presence' && this.policies.presence.read === undefined;
        this.policies = await this.deps.authorizer.authorize(this.authContext(), this.policies, {
          read,
          write: true,
          extensions,
        });
      } catch (err) {
        if (!(err instanceof AuthorizationError))
          this.deps.log.error('UnableToSetPolicies', { topic: this.subTopic, error: String(err) });
        return false;
      }
    }
    return this.policies[ext].write === true;
  }

  private fanOut(msg: OutBroadcast) {
    this.deps.hub.broadcast(this.key, msg, this.selfBroadcast ? undefined : this);
  }

  /** Text `broadcast` push: `{type:'broadcast', event, payload}` (vsn 1.0.0 clients, or a kind 0 binary push). */
  async onBroadcast(m: PhxMessage) {
    if (!(await this.canWrite('broadcast'))) return;
    if (Buffer.isBuffer(m.payload)) this.fanOut({ type: 'binary', body: m.payload });
    else if (m.payload && typeof m.payload === 'object')
      this.fanOut({ type: 'json', payload: m.payload as Record<string, unknown> });
    else return;
    if (this.ackBroadcast) this.reply(m.ref, 'ok');
  }

  /** Binary kind 3 push from realtime-js under vsn 2.0.0. */
  async onUserBroadcast(push: UserBroadcastPush) {
    if (!(await this.canWrite('broadcast'))) return;
    this.fanOut({
      type: 'user',
      userEvent: push.userEvent,
      encoding: push.encoding,
      body: push.payload,
      meta: null,
    });
    if (this.ackBroadcast) this.reply(push.ref, 'ok');
  }

  async onPresence(m: PhxMessage) {
    const p = (m.payload && typeof m.payload === 'object' ? m.payload : {}) as Record<string, unknown>;
    const event = typeof p.event === 'string' ? p.event.toLowerCase() : '';
    if (event === 'untrack') {
      this.announce(this.deps.presence.untrack(this.key, this.presenceKey, this));
      this.reply(m.ref, 'ok');
      return;
    }
    if (event !== 'track') {
      this.reply(m.ref, 'error');
      return;
    }
    const meta = p.payload ?? {};
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
      this.reply(m.ref, 'error', { reason: 'Presence track payload must be a map' });
      return;
    }
    if (!(await this.canWrite('presence'))) {
      this.reply(m.ref, 'error');
      return;
    }
    this.presenceEnabled = true;
    const current = this.deps.presence.tracked(this.key, this.presenceKey, this);
    if (!current || JSON.stringify(current) !== JSON.stringify(meta)) {
      this.announce(
        this.deps.presence.track(this.key, this.presenceKey, this, meta as Record<string, unknown>),
      );
    }
    this.reply(m.ref, 'ok');
  }

  private announce(diff: PresenceDiff | null) {
    if (diff) this.deps.hub.presenceDiff(this.key, diff);
  }

  /** `access_token` push: re-verify, re-authorize, and act with the new claims from now on. */
  async onAccessToken(m: PhxMessage) {
    const p = (m.payload && typeof m.payload === 'object' ? m.payload : {}) as Record<string, unknown>;
    const next = p.access_token;
    if (typeof next !== 'string' || next.startsWith('sb_') || next === this.token) return;
    const checked = await checkToken(this.deps.verifyJwt, next);
    if (!checked.ok) {
      this.shutdown(checked.message);
      return;
    }
    this.token = next;
    this.currentClaims = checked.claims;
    if (this.isPrivate) {
      const readable = (['broadcast', 'presence'] as Extension[]).filter(
        (e) => this.policies[e].read === true,
      );
      const denied = await this.authorizeRead(readable);
      if (denied) {
        this.shutdown(denied.replace(/^Unauthorized: /, ''));
        return;
      }
    }
    this.scheduleTokenCheck();
  }

  private scheduleTokenCheck() {
    if (this.confirmTimer) clearTimeout(this.confirmTimer);
    const untilExpiry = this.currentClaims.exp * 1000 - Date.now();
    this.confirmTimer = setTimeout(
      () => void this.confirmToken(),
      Math.max(0, Math.min(CONFIRM_TOKEN_MS, untilExpiry + 50)),
    );
    this.confirmTimer.unref();
  }

  private async confirmToken() {
    if (this.closed) return;
    const checked = await checkToken(this.deps.verifyJwt, this.token);
    if (!checked.ok) this.shutdown(checked.message);
    else this.scheduleTokenCheck();
  }

  /** Hosted's shutdown_response: a system error the client can show, then the channel closes. */
  shutdown(message: string) {
    if (this.closed) return;
    this.systemMessage('system', 'error', message);
    this.host.push({
      joinRef: this.joinRef,
      ref: this.joinRef,
      topic: this.topic,
      event: 'phx_close',
      payload: {},
    });
    this.host.detach(this);
    this.close();
  }

  /** Leaves the rooms and subscriptions; no frames are sent. */
  close() {
    if (this.closed) return;
    this.closed = true;
    if (this.confirmTimer) clearTimeout(this.confirmTimer);
    if (!this.joined) return;
    this.deps.hub.remove(this);
    this.announce(this.deps.presence.untrack(this.key, this.presenceKey, this));
    if (this.pgSubscribed) this.deps.changes.unsubscribe(this);
  }
}
