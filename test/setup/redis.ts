/**
 * Vitest global setup: starts a private redis-server on a free loopback port for the whole run,
 * so tests never touch a shared Redis and fault tests may stop and restart their own.
 * Tests read its URL with `inject('redisUrl')`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, waitForRedis } from '../helpers/redis-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let child: ChildProcess | undefined;
let dir: string | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const probe = spawnSync('redis-server', ['--version']);
  if (probe.error) {
    throw new Error(
      'redis-server is not installed: the tests need a real Redis. Install it (Debian: apt-get install redis-server) or run .ci/run, which does.',
    );
  }
  const port = await freePort();
  dir = mkdtempSync(path.join(tmpdir(), 'inkboard-redis-'));
  child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  await waitForRedis(port);
  project.provide('redisUrl', url);
  return async () => {
    child?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
