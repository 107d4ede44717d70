/**
 * `npm run test:e2e`: the specs in this folder, one worker (each spec starts its own registry and
 * app), against the Electron app where its binary is installed, else the web host in Debian's
 * Chromium. No browser is downloaded.
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: './test-results',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
});
