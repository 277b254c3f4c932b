import { randomUUID } from 'node:crypto';
import type { Queryable } from './db';
import type { CodeChallengeMethod } from './validate';

/**
 * PKCE flow state (`auth.flow_state`): created when a request carries `code_challenge`, turned
 * into an auth code when the e-mail link is opened (GET /verify), and exchanged for a session by
 * `POST /token?grant_type=pkce` with the verifier.
 */
export type AuthenticationMethod =
  | 'email/signup'
  | 'magiclink'
  | 'recovery'
  | 'invite'
  | 'email_change'
  | 'otp';

export type FlowStateRow = {
  id: string;
  user_id: string | null;
  auth_code: string;
  code_challenge_method: CodeChallengeMethod;
  code_challenge: string;
  provider_type: string;
  authentication_method: string;
  created_at: Date;
  auth_code_issued_at: Date | null;
};

/** GoTrue's ParseAuthenticationMethod for a verification type (`signup` → `email/signup`). */
export function authMethodForVerifyType(type: string): AuthenticationMethod | null {
  if (type.endsWith('signup')) return 'email/signup';
  if (type === 'magiclink' || type === 'recovery' || type === 'invite' || type === 'email_change')
    return type;
  return null;
}

export async function createFlowState(
  db: Queryable,
  opts: {
    userId: string;
    providerType: string;
    authenticationMethod: AuthenticationMethod;
    pkce: { method: CodeChallengeMethod; challenge: string };
  },
): Promise<void> {
  await db.query(
    `insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge, provider_type,
       authentication_method, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, now(), now())`,
    [
      randomUUID(),
      opts.userId,
      randomUUID(),
      opts.pkce.method,
      opts.pkce.challenge,
      opts.providerType,
      opts.authenticationMethod,
    ],
  );
}

const COLUMNS = `id, user_id, auth_code, code_challenge_method, code_challenge, provider_type, authentication_method,
  created_at, auth_code_issued_at`;

export async function findFlowStateByAuthCode(db: Queryable, authCode: string, forUpdate = false) {
  const r = await db.query<FlowStateRow>(
    `select ${COLUMNS} from auth.flow_state where auth_code = $1 limit 1${forUpdate ? ' for update' : ''}`,
    [authCode],
  );
  return r.rows[0] ?? null;
}

/** The user's newest flow for `method` gets its auth code issued; returns the code, or null if there is none. */
export async function issueAuthCode(
  db: Queryable,
  userId: string,
  method: AuthenticationMethod,
): Promise<string | null> {
  const r = await db.query<{ auth_code: string }>(
    `update auth.flow_state set auth_code_issued_at = now(), updated_at = now()
      where id = (select id from auth.flow_state where user_id = $1 and authentication_method = $2
                   order by created_at desc limit 1)
      returning auth_code`,
    [userId, method],
  );
  return r.rows[0]?.auth_code ?? null;
}

/** GoTrue's rule: a magic-link flow counts from when its code was issued, every other flow from creation. */
export function isFlowStateExpired(flow: FlowStateRow, expirySeconds: number, now = new Date()): boolean {
  const from =
    flow.auth_code_issued_at && flow.authentication_method === 'magiclink'
      ? flow.auth_code_issued_at
      : flow.created_at;
  return now.getTime() > from.getTime() + expirySeconds * 1000;
}

export async function deleteFlowState(db: Queryable, id: string): Promise<void> {
  await db.query(`delete from auth.flow_state where id = $1`, [id]);
}
