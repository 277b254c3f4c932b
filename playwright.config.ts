import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

/**
 * Ports and data folder of the e2e server (defaults: app :3100, platform :55421, .data/e2e).
 * Another run on the same machine picks its own with E2E_PORT, E2E_PLATFORM_PORT, E2E_DB_PORT
 * and E2E_DATA_DIR (and E2E_PLATFORM_URL for the fixtures).
 */
const port = Number(process.env.E2E_PORT ?? 3100);
const platformPort = process.env.E2E_PLATFORM_PORT ?? '55421';
const dbPort = process.env.E2E_DB_PORT ?? String(Number(platformPort) + 1);
const dataDir = process.env.E2E_DATA_DIR ?? '.data/e2e';
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    baseURL,
    locale: 'zh-CN',
    timezoneId: 'UTC',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath:
            process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined),
          // This network is closed: stop Chromium from phoning home, which would stall or log errors.
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: {
    command: 'npm run build && tsx scripts/run.ts start',
    url: `${baseURL}/healthz`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
    env: {
      PORT: String(port),
      WUYE_DATA_DIR: dataDir,
      PLATFORM_PORT: platformPort,
      DB_PORT: dbPort,
      // E-mailed links (sign-in, recovery) must come back to this app, not to the dev site URL.
      AUTH_SITE_URL: baseURL,
    },
  },
});
