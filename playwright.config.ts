import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';

/** Where the example backend serves the app's production build for the end-to-end tests. */
const PORT = Number(process.env.E2E_PORT ?? 7107);

/**
 * End-to-end tests in Debian's Chromium against the app's production build, served by the
 * example backend on the example catalog (see scripts/example-backend.mjs). `./run test` builds
 * the app and runs them; `./run yarn e2e` runs them against an existing build.
 */
export default defineConfig({
  testDir: 'packages/app/e2e-tests',
  testMatch: '**/*.test.ts',
  outputDir: 'e2e-results/artifacts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  // Two cores run the backend and the browser: one test at a time.
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'e2e-results/report.json' }]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    viewport: { width: 1400, height: 1000 },
    locale: 'en-US',
    timezoneId: 'UTC',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
  },
  webServer: {
    command: `node scripts/example-backend.mjs ${PORT}`,
    wait: { stdout: /Example backend ready/ },
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  },
});
