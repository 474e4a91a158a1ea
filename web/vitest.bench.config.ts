import { defineConfig } from 'vitest/config';

// `make bench-web`: the same stack as the browser tests, one long run that writes its line to
// ../target/bench-web.txt (printed last by the Makefile, after vitest's own summary).
export default defineConfig({
  test: {
    include: ['bench/**/*.bench-run.ts'],
    environment: 'node',
    globalSetup: ['tests/e2e/global-setup.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
