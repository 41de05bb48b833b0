/** Starts `server/main.ts` in distributed mode as a child process for fault tests and benches. */
import { freePort } from './redis-server.ts';
import { startProcess, type TestProcess } from './process-spawn.ts';

export interface ServerProcessOptions {
  redisUrl: string;
  prefix: string;
  /** Default: a free port. Pass the old port to restart a server "in place". */
  port?: number;
  env?: Record<string, string>;
  name?: string;
}

export interface ServerProcess extends TestProcess {
  port: number;
  url: string;
}

/** Resolves once the server listens. */
export async function startServerProcess(o: ServerProcessOptions): Promise<ServerProcess> {
  const port = o.port ?? (await freePort());
  const proc = await startProcess(o.name ?? `server:${port}`, 'server/main.ts', {
    env: {
      REDIS_URL: o.redisUrl,
      REDIS_PREFIX: o.prefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      INKBOARD_BACKEND: 'onnx',
      ...o.env,
    },
    ready: /Inkboard running at/,
    readyTimeoutMs: 60_000,
  });
  return Object.assign(proc, { port, url: `http://127.0.0.1:${port}` });
}

/** POST /api/v1/boards on a server. */
export async function createBoard(url: string): Promise<{ boardId: string; ownerKey: string }> {
  const res = await fetch(`${url}/api/v1/boards`, { method: 'POST' });
  if (!res.ok) throw new Error(`POST /api/v1/boards: ${res.status} ${await res.text()}`);
  return (await res.json()) as { boardId: string; ownerKey: string };
}
