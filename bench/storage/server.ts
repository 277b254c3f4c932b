/**
 * The Storage service in its own process for `npm run bench -- storage`, as it runs in the
 * platform: the parent sends `{ start }`, gets `{ url }` back, and sends `{ stop }` at the end.
 */
import type { PlatformKeys } from '../../platform/src/keys';
import { setLogLevel } from '../../platform/src/log';
import { type ServicesHandle, startServices } from '../../platform/src/platform';
import { createStorageService } from '../../platform/src/services/storage/storage-service';

export type ToServer =
  | { start: { keys: PlatformKeys; databaseUrl: string; dataDir: string } }
  | { stop: true };
export type FromServer = { url: string } | { stopped: true } | { error: string };

setLogLevel('warn');
let services: ServicesHandle | undefined;
const send = (m: FromServer) => process.send?.(m);

process.on('message', async (m: ToServer) => {
  try {
    if ('start' in m) {
      services = await startServices({
        ...m.start,
        host: '127.0.0.1',
        port: 0,
        local: true,
        factories: [createStorageService],
      });
      send({ url: services.gateway.url });
    } else {
      await services?.close();
      process.send?.({ stopped: true } satisfies FromServer, () => process.exit(0));
    }
  } catch (err) {
    send({ error: String((err as Error).stack ?? err) });
  }
});
// Never outlive the benchmark.
process.on('disconnect', () => process.exit(0));
