import tsconfigPaths from 'vite-tsconfig-paths';
import { defineConfig } from 'vitest/config';

/**
 * Integration tier: `*.integration.test.ts` against the real local platform. The global
 * set-up starts one PostgreSQL cluster and prepares a template database; every test file
 * clones its own fresh database from it (see tests/support/platform.ts).
 */
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ['{app,platform,scripts,device-bridge,edge-functions,tests}/**/*.integration.test.{ts,tsx}'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['tests/setup/integration-global.ts'],
    setupFiles: ['tests/setup/websocket.ts', 'tests/setup/fail-on-console-error.ts'],
    environment: 'node',
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { TZ: 'UTC', PLATFORM_LOG_LEVEL: 'warn' },
  },
});
