/**
 * Serves the browser client: client/dist (built by `npm run build:client`), or in dev (INKBOARD_DEV=1)
 * Vite in middleware mode. Any other GET (e.g. /b/<boardId>) gets index.html: the client routes itself.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Server as HttpServer } from 'node:http';
import path from 'node:path';
import express, { type Express } from 'express';

export interface ClientOptions {
  /** Built client directory. Default `client/dist`. */
  dir?: string;
  /** Use Vite in middleware mode instead of the built files. Default false. */
  dev?: boolean;
  httpServer: HttpServer;
}

const isPageRequest = (p: string) => !p.startsWith('/api/') && !p.startsWith('/socket.io/');
// HEAD answers as GET does (without a body): uptime probes and link previews ask with HEAD.
const isRead = (method: string) => method === 'GET' || method === 'HEAD';

export async function mountClient(app: Express, opts: ClientOptions): Promise<{ close(): Promise<void> }> {
  if (opts.dev) {
    const { createServer } = await import('vite');
    const root = path.resolve('client');
    const vite = await createServer({
      configFile: path.join(root, 'vite.config.ts'),
      server: { middlewareMode: true, hmr: { server: opts.httpServer } },
      appType: 'custom',
    });
    app.use(vite.middlewares);
    app.use(async (req, res, next) => {
      if (req.method !== 'GET' || !isPageRequest(req.path)) return next();
      const html = await readFile(path.join(root, 'index.html'), 'utf8');
      res.type('html').send(await vite.transformIndexHtml(req.originalUrl, html));
    });
    return { close: () => vite.close() };
  }
  const dir = path.resolve(opts.dir ?? 'client/dist');
  const index = path.join(dir, 'index.html');
  app.use(express.static(dir, { index: false, maxAge: '1h' }));
  app.use((req, res, next) => {
    if (!isRead(req.method) || !isPageRequest(req.path)) return next();
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text')
        .send('The client is not built: run `npm run build:client` (npm start does).');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return { close: async () => {} };
}
