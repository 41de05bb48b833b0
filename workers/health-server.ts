/** A tiny HTTP server for a worker process: `GET /healthz` (JSON) and `GET /metrics` (Prometheus). */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/** Starts listening on `port` (0: any free port); `health()` builds the /healthz body, `ok` decides 200 or 503. */
export async function startHealthServer(
  port: number,
  registry: Registry,
  health: () => Promise<{ ok: boolean } & Record<string, unknown>>,
  host = '0.0.0.0',
): Promise<Server> {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const reply = async () => {
      if (url.startsWith('/healthz')) {
        const body = await health();
        res.writeHead(body.ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      } else if (url.startsWith('/metrics')) {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(await registry.metrics());
      } else {
        res.writeHead(404).end();
      }
    };
    reply().catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
