/**
 * Vite config for the Inkboard client. Built with `npm run build:client` into client/dist, which the
 * server serves (with an SPA fallback so /b/<boardId> loads index.html).
 * `npx vite --config client/vite.config.ts` runs a standalone dev server that proxies the API and
 * socket.io to the Inkboard server (INKBOARD_SERVER, default http://localhost:3000). `npm run dev`
 * (INKBOARD_DEV=1) instead mounts Vite inside the Inkboard server, so no proxy is needed there.
 */
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const backend = process.env.INKBOARD_SERVER ?? 'http://localhost:3000';

export default defineConfig({
  root,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server:
    process.env.INKBOARD_DEV === '1'
      ? {}
      : {
          proxy: {
            '/api': backend,
            '/socket.io': { target: backend, ws: true },
          },
        },
});
