import type pg from 'pg';
import type { Logger } from '../../log';
import type { RealtimeClaims } from './tokens';

export type Extension = 'broadcast' | 'presence';
type Permission = { read?: boolean; write?: boolean };
/** What RLS on realtime.messages allows one user on one topic; `undefined` = not checked yet. */
export type Policies = { broadcast: Permission; presence: Permission };

export type AuthorizationContext = {
  /** The sub-topic (what `realtime.topic()` returns to policies). */
  topic: string;
  claims: RealtimeClaims;
  /** The `x-*` headers of the connection, as hosted passes them in `request.headers`. */
  headers: Record<string, string>;
};

export class AuthorizationError extends Error {}

export const emptyPolicies = (): Policies => ({ broadcast: {}, presence: {} });

/**
 * Private-channel checks against RLS on `realtime.messages`, one round trip each through
 * `_local_platform.realtime_authorize` (see 31_realtime_local.sql), which does what hosted
 * Realtime does in a rolled-back transaction.
 */
export class Authorizer {
  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {}

  async authorize(
    ctx: AuthorizationContext,
    policies: Policies,
    opts: { read: boolean; write: boolean; extensions: Extension[] },
  ): Promise<Policies> {
    const r = await this.pool.query<{ result: Record<string, unknown> }>(
      'select _local_platform.realtime_authorize($1, $2, $3, $4, $5, $6) as result',
      [
        ctx.topic,
        JSON.stringify(ctx.claims),
        JSON.stringify(ctx.headers),
        opts.extensions,
        opts.read,
        opts.write,
      ],
    );
    const result = r.rows[0].result;
    if (typeof result.error === 'string') {
      this.log.warn('RlsPolicyError', { topic: ctx.topic, error: result.error, code: result.code });
      throw new AuthorizationError(result.error);
    }
    const next: Policies = { broadcast: { ...policies.broadcast }, presence: { ...policies.presence } };
    for (const ext of opts.extensions) {
      const p = result[ext] as Permission | undefined;
      if (opts.read) next[ext].read = p?.read === true;
      if (opts.write) next[ext].write = p?.write === true;
    }
    return next;
  }
}
