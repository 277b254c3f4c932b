/**
 * `npm install` / `npm ci` (root postinstall): put the local pg_cron, pg_net and Vault
 * stand-ins into the embedded PostgreSQL of the fresh node_modules, so that a database
 * prepared before any platform starts (the integration tests' template, `npm run db:reset`)
 * can run migrations that `create extension pg_cron`. Never fails the install.
 */
import { installLocalExtensions } from './extensions';

installLocalExtensions().then(
  ({ written, foreign, dir }) => {
    if (written.length) process.stdout.write(`local pg_cron/pg_net/vault stand-ins installed into ${dir}\n`);
    if (foreign.length)
      process.stdout.write(`left extension files this project did not write: ${foreign.join(', ')}\n`);
  },
  (err: Error) =>
    process.stdout.write(`warning: local pg_cron/pg_net/vault stand-ins not installed: ${err.message}\n`),
);
