import path from 'node:path';
import { defineConfig } from '@playwright/test';

// Journeys run against the platform `make up` started, in Debian's Chromium (never a downloaded one),
// which runs in a network namespace of its own (browser-network/relay.ts).
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.e2e.ts',
  timeout: 420_000,
  expect: { timeout: 30_000 },
  workers: 1,
  reporter: [['list']],
  globalSetup: './global-setup.ts',
  outputDir: '../.cove/e2e-results',
  use: {
    browserName: 'chromium',
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: path.join(import.meta.dirname, 'browser-network', 'chromium.sh'),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    },
  },
});
