import { defineConfig } from 'vitest/config';

// Unit tests: the fetch layer, formatting and the state → buttons rules; no browser, no server.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
