import { randomUUID } from 'node:crypto';
import type { Queryable } from './db';
import type { AuthRequest } from './http';

/** GoTrue's audit actions and the log type each belongs to (internal/models/audit_log_entry.go). */
const LOG_TYPES = {
  login: 'account',
  logout: 'account',
  invite_accepted: 'account',
  user_signedup: 'team',
  user_invited: 'team',
  user_deleted: 'team',
  token_revoked: 'token',
  token_refreshed: 'token',
  user_modified: 'user',
  user_recovery_requested: 'user',
  user_reauthenticate_requested: 'user',
  user_confirmation_requested: 'user',
  user_repeated_signup: 'user',
  user_updated_password: 'user',
} as const;

export type AuditAction = keyof typeof LOG_TYPES;

type Actor = { id: string; email?: string | null; phone?: string | null };

/** Appends to `auth.audit_log_entries` in the shape hosted GoTrue writes (`payload.actor_id`, `action`, `traits`…). */
export async function audit(
  db: Queryable,
  req: Pick<AuthRequest, 'ip'>,
  actor: Actor | 'service_role',
  action: AuditAction,
  traits?: Record<string, unknown>,
): Promise<void> {
  const payload =
    actor === 'service_role'
      ? {
          actor_id: '',
          actor_username: 'service_role',
          actor_via_sso: false,
          log_type: LOG_TYPES[action],
          action,
        }
      : {
          actor_id: actor.id,
          actor_username: actor.email || actor.phone || '',
          actor_via_sso: false,
          log_type: LOG_TYPES[action],
          action,
        };
  await db.query(
    `insert into auth.audit_log_entries (instance_id, id, payload, created_at, ip_address)
     values ('00000000-0000-0000-0000-000000000000', $1, $2, now(), $3)`,
    [randomUUID(), JSON.stringify(traits ? { ...payload, traits } : payload), (req.ip ?? '').slice(0, 64)],
  );
}
