import type { Queryable } from './db';
import { type OneTimeTokenType, USER_TOKEN_COLUMNS } from './one-time-tokens';
import { type UserPatch, updateUser } from './users';

/**
 * The abuse limits of the local Auth service. Every counter is a row in Postgres (see
 * platform/sql/base/11_auth_local.sql), updated with single atomic statements, so limits hold
 * across restarts and across processes serving the same database.
 */

/**
 * Claims the right to send a code to `recipient` now. Returns null when allowed (and records
 * the send), or the seconds left until the next code may be sent.
 */
export async function claimSendSlot(
  db: Queryable,
  recipient: string,
  channel: 'sms' | 'email',
  intervalSeconds: number,
): Promise<number | null> {
  const r = await db.query<{ ok: boolean; wait: number }>(
    `with claimed as (
       insert into _local_platform.auth_send_log as l (recipient, channel, last_sent_at)
       values ($1, $2, now())
       on conflict (recipient) do update set last_sent_at = now(), channel = excluded.channel
        where l.last_sent_at <= now() - make_interval(secs => $3)
       returning 1)
     select exists (select from claimed) as ok,
            coalesce((select ceil(extract(epoch from (last_sent_at + make_interval(secs => $3) - now())))
                        from _local_platform.auth_send_log where recipient = $1), 0)::int as wait`,
    [recipient, channel, intervalSeconds],
  );
  const row = r.rows[0];
  return row.ok ? null : Math.max(1, row.wait);
}

/**
 * Records one wrong guess against each pending code of `types` for the user. Codes that reach
 * `maxAttempts` are deleted and their mirrored columns emptied. Returns true when a code was burnt.
 */
export async function recordOtpFailure(
  db: Queryable,
  userId: string,
  types: OneTimeTokenType[],
  maxAttempts: number,
): Promise<boolean> {
  const r = await db.query<{ one_time_token_id: string; failures: number; token_type: OneTimeTokenType }>(
    `insert into _local_platform.auth_otp_failures as f (one_time_token_id, failures, last_failed_at)
     select id, 1, now() from auth.one_time_tokens
      where user_id = $1 and token_type = any($2::auth.one_time_token_type[])
     on conflict (one_time_token_id) do update set failures = f.failures + 1, last_failed_at = now()
     returning one_time_token_id, failures,
       (select token_type from auth.one_time_tokens t where t.id = f.one_time_token_id) as token_type`,
    [userId, types],
  );
  const burnt = r.rows.filter((row) => row.failures >= maxAttempts);
  if (burnt.length === 0) return false;
  await db.query(`delete from auth.one_time_tokens where id = any($1::uuid[])`, [
    burnt.map((b) => b.one_time_token_id),
  ]);
  const patch: UserPatch = {};
  for (const b of burnt) (patch as Record<string, unknown>)[USER_TOKEN_COLUMNS[b.token_type].token] = '';
  await updateUser(db, userId, patch);
  return true;
}

export type PasswordLimits = { maxFailures: number; windowSeconds: number; lockoutSeconds: number };

/** Seconds left of a lock-out on `identifier`, or null when sign-in may be attempted. */
export async function passwordLockRemaining(db: Queryable, identifier: string): Promise<number | null> {
  const r = await db.query<{ wait: number }>(
    `select ceil(extract(epoch from (locked_until - now())))::int as wait
       from _local_platform.auth_password_failures where identifier = $1 and locked_until > now()`,
    [identifier],
  );
  return r.rows[0] ? Math.max(1, r.rows[0].wait) : null;
}

/**
 * Counts a failed password for `identifier` in the current window (a new window starts when the
 * old one is over). Returns the lock-out in seconds when this failure reached the limit.
 */
export async function recordPasswordFailure(
  db: Queryable,
  identifier: string,
  limits: PasswordLimits,
): Promise<number | null> {
  const r = await db.query<{ failures: number; locked: boolean }>(
    `insert into _local_platform.auth_password_failures as p (identifier, failures, window_started_at, locked_until)
     values ($1, 1, now(), case when $2 <= 1 then now() + make_interval(secs => $4) end)
     on conflict (identifier) do update set
       failures = case when p.window_started_at <= now() - make_interval(secs => $3) then 1 else p.failures + 1 end,
       window_started_at = case when p.window_started_at <= now() - make_interval(secs => $3) then now()
                                else p.window_started_at end,
       locked_until = case
         when (case when p.window_started_at <= now() - make_interval(secs => $3) then 1 else p.failures + 1 end) >= $2
         then now() + make_interval(secs => $4)
         else p.locked_until end
     returning failures, coalesce(locked_until > now(), false) as locked`,
    [identifier, limits.maxFailures, limits.windowSeconds, limits.lockoutSeconds],
  );
  return r.rows[0].locked ? limits.lockoutSeconds : null;
}

export async function clearPasswordFailures(db: Queryable, identifier: string): Promise<void> {
  await db.query(`delete from _local_platform.auth_password_failures where identifier = $1`, [identifier]);
}
