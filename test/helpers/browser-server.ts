/**
 * For browser tests: builds the client with Vite and starts a real Inkboard server in this process
 * (embedded mode, a temp data directory, inference in worker threads with the real model).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { loadConfig } from '../../shared/config.ts';
import { createInkboardServer, type InkboardServer } from '../../server/app.ts';
import { createInferencePool } from '../../workers/pool.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Builds client/ as `npm run build:client` does, into a fresh temp directory (so test files running
 * in parallel never empty each other's build); returns that directory.
 */
export async function buildClient(): Promise<string> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'inkboard-client-'));
  await build({
    configFile: path.join(ROOT, 'client/vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  return outDir;
}

export interface BrowserServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** Stops the server (clients see it go away); the data directory and the inference pool are kept. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data directory (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts an embedded-mode server on a free loopback port with its own data directory.
 * The inference pool (the real model, worker threads) lives across restarts.
 */
export async function startBrowserServer(
  clientDir: string,
  env: Record<string, string> = {},
): Promise<BrowserServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'inkboard-browser-'));
  let config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env });
  const pool = createInferencePool({
    threads: 1,
    modelDir: config.INKBOARD_MODEL,
    backend: config.INKBOARD_BACKEND,
  });
  await pool.ready();
  const start = () => createInkboardServer(config, { recognizer: pool, clientDir, fsync: false });
  let server: InkboardServer | undefined = await start();
  const url = server.url;
  config = { ...config, PORT: Number(new URL(url).port) };
  return {
    url,
    async stop() {
      await server?.close();
      server = undefined;
    },
    async restart() {
      await server?.close();
      server = await start();
    },
    async close() {
      await server?.close();
      await pool.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(clientDir, { recursive: true, force: true });
    },
  };
}
