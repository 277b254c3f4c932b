import type pg from 'pg';
import type { ServiceContext } from '../../gateway';
import type { AuthConfig } from './config';
import type { MessageSender } from './outbox';

/** What every Auth route handler works with. */
export type AuthDeps = {
  ctx: ServiceContext;
  config: AuthConfig;
  pool: pg.Pool;
  sender: MessageSender;
};

/** `<apiUrl>/auth/v1`: the `iss` of access tokens and the base of e-mail links. The gateway URL is known only once it listens, so it is read per call. */
export const authBaseUrl = (deps: AuthDeps) => `${deps.ctx.apiUrl}/auth/v1`;
