import { randomBytes } from 'node:crypto';

export type PresenceMeta = Record<string, unknown> & { phx_ref: string; phx_ref_prev?: string };
export type PresenceEntries = Record<string, { metas: PresenceMeta[] }>;
export type PresenceDiff = { joins: PresenceEntries; leaves: PresenceEntries };

/** Phoenix.Tracker refs are short random base64 strings. */
const newRef = () => randomBytes(8).toString('base64');

/**
 * Phoenix.Presence semantics for one node: each channel (owner) tracks at most one meta per
 * presence key in a room; an update replaces the meta (new `phx_ref`, `phx_ref_prev` = old) and is
 * reported as a join plus a leave, which is what the client's Presence.syncDiff expects.
 */
export class PresenceTracker {
  private readonly rooms = new Map<string, Map<string, Map<object, PresenceMeta>>>();

  track(room: string, key: string, owner: object, payload: Record<string, unknown>): PresenceDiff {
    let keys = this.rooms.get(room);
    if (!keys) {
      keys = new Map();
      this.rooms.set(room, keys);
    }
    let owners = keys.get(key);
    if (!owners) {
      owners = new Map();
      keys.set(key, owners);
    }
    const previous = owners.get(owner);
    const meta: PresenceMeta = { ...payload, phx_ref: newRef() };
    if (previous) meta.phx_ref_prev = previous.phx_ref;
    owners.set(owner, meta);
    return {
      joins: { [key]: { metas: [meta] } },
      leaves: previous ? { [key]: { metas: [previous] } } : {},
    };
  }

  untrack(room: string, key: string, owner: object): PresenceDiff | null {
    const keys = this.rooms.get(room);
    const owners = keys?.get(key);
    const previous = owners?.get(owner);
    if (!keys || !owners || !previous) return null;
    owners.delete(owner);
    if (owners.size === 0) keys.delete(key);
    if (keys.size === 0) this.rooms.delete(room);
    return { joins: {}, leaves: { [key]: { metas: [previous] } } };
  }

  /** Current payload tracked by `owner` under `key`, without Phoenix's refs. */
  tracked(room: string, key: string, owner: object): Record<string, unknown> | undefined {
    const meta = this.rooms.get(room)?.get(key)?.get(owner);
    if (!meta) return undefined;
    const { phx_ref: _ref, phx_ref_prev: _prev, ...payload } = meta;
    return payload;
  }

  list(room: string): PresenceEntries {
    const out: PresenceEntries = {};
    for (const [key, owners] of this.rooms.get(room) ?? []) out[key] = { metas: [...owners.values()] };
    return out;
  }
}
