import { defineConfig } from 'vite';

// No React plugin: esbuild compiles TSX with the automatic runtime, and the app needs no fast
// refresh to be built. `make run` and the browser tests serve dist/ through nginx (deploy/nginx),
// so the dev server is only a convenience: it proxies the same paths nginx does.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: {
    target: 'es2022',
    sourcemap: false,
    // One chunk for the libraries, which change less often than the app, so a release reuses it.
    rollupOptions: {
      // TanStack Query marks its hooks "use client" for server-component bundlers; a plain SPA
      // has no server components, so the directive means nothing here.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
      output: {
        manualChunks: (id) => (id.includes('node_modules') ? 'vendor' : undefined),
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      '/api/auth': { target: 'http://127.0.0.1:8081', rewrite: (p) => p.replace(/^\/api\/auth/, '/v1/auth') },
      '/api/v1': { target: 'http://127.0.0.1:8082', rewrite: (p) => p.replace(/^\/api/, '') },
      '/graphql': { target: 'http://127.0.0.1:8083' },
    },
  },
});
