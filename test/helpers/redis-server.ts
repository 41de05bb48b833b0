/** Helpers to run private redis-server processes in tests (global setup and fault tests). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once redis answers PING on the port, rejects after `timeoutMs`. */
export async function waitForRedis(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('error', () => resolve(false));
      sock.once('connect', () => sock.write('PING\r\n'));
      sock.once('data', (buf) => {
        sock.destroy();
        resolve(buf.toString().startsWith('+PONG'));
      });
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server on port ${port} did not start within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A redis-server child process with its own port and data dir; `extraArgs` e.g. persistence flags. */
export async function startRedis(
  dir: string,
  extraArgs: string[] = ['--save', '', '--appendonly', 'no'],
  port?: number,
): Promise<{ port: number; url: string; process: ChildProcess }> {
  const p = port ?? (await freePort());
  const child = spawn(
    'redis-server',
    ['--port', String(p), '--bind', '127.0.0.1', '--dir', dir, ...extraArgs],
    {
      stdio: 'ignore',
    },
  );
  await waitForRedis(p);
  return { port: p, url: `redis://127.0.0.1:${p}`, process: child };
}
