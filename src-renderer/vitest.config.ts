/** Component and renderer unit tests: Vitest in jsdom, with Testing Library. */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  test: {
    environment: 'jsdom',
    include: ['**/*.test.{ts,tsx}'],
    setupFiles: ['./test-setup.ts'],
    css: false,
    // A guard against a test that hangs, not a measure of speed: on a shared two-core machine a
    // table test that takes 1 s alone took 5.3 s under load and failed Vitest's 5 s default.
    testTimeout: 30_000,
  },
});
