import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// No React plugin: esbuild compiles TSX with the automatic runtime, and the app needs no fast
// refresh to be built. `make run` and the browser tests serve dist/ through nginx (deploy/nginx),
// so the dev server is only a convenience: it proxies the same paths nginx does.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: {
    target: 'es2022',
    sourcemap: false,
    rollupOptions: {
      // Two pages: the staff app, and the client's approval page (/approve), which shares no code
      // with it (src/approve imports nothing at runtime from the app or node_modules).
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        approve: fileURLToPath(new URL('./approve.html', import.meta.url)),
      },
      // TanStack Query marks its hooks "use client" for server-component bundlers; a plain SPA
      // has no server components, so the directive means nothing here.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
      // One chunk for the libraries every screen needs, which change less often than the app, so a
      // release reuses it; a library only some screens load (the reports' charts and spreadsheet
      // writer, the QR code) stays with those screens' lazy chunks instead of weighing on the first
      // load.
      output: {
        manualChunks: (id) =>
          /node_modules\/(react|react-dom|scheduler|react-router|@tanstack|cookie|set-cookie-parser)\//.test(id)
            ? 'vendor'
            : undefined,
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
