import tsconfigPaths from 'vite-tsconfig-paths';
import { defineConfig } from 'vitest/config';

/** Unit tier: `*.test.ts(x)` beside the code; no database, no network. */
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ['{app,platform,scripts,device-bridge,bench,tests}/**/*.test.{ts,tsx}'],
    exclude: ['**/*.integration.test.*', '**/node_modules/**'],
    setupFiles: ['tests/setup/websocket.ts', 'tests/setup/fail-on-console-error.ts'],
    environment: 'node',
    pool: 'threads',
    env: { TZ: 'UTC' },
  },
});
