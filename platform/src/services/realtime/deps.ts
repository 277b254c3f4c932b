import type { Claims } from '../../jwt';
import type { Logger } from '../../log';
import type { Authorizer } from './authorization';
import type { PostgresChanges } from './cdc/postgres-changes';
import type { DbBroadcastListener } from './db-broadcast';
import type { Hub } from './hub';
import type { PresenceTracker } from './presence';

/** What connections and channels share inside one Realtime service. */
export type RealtimeDeps = {
  verifyJwt: (token: string) => Promise<Claims>;
  hub: Hub;
  presence: PresenceTracker;
  authorizer: Authorizer;
  changes: PostgresChanges;
  dbBroadcast: DbBroadcastListener;
  log: Logger;
};
