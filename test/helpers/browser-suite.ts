/** One browser test file's world: Chromium, the built client and an embedded server, opened and closed by hooks. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './browser-chromium.ts';
import { buildClient, startBrowserServer, type BrowserServer } from './browser-server.ts';

/** Where browser tests write screenshots (CI keeps it). */
export const ARTIFACTS = path.resolve('test-artifacts');

export interface BrowserSuite {
  /** Set once `beforeAll` has run. */
  browser?: Browser;
  server?: BrowserServer;
  /** Contexts a test opens; all are closed after the file. */
  contexts: BrowserContext[];
}

/**
 * Registers the file's `beforeAll` (artifacts folder, Chromium, client build, a server with `env`) and
 * `afterAll` (contexts, browser, server closed), and returns the suite they fill in.
 */
export function useBrowserSuite(env: Record<string, string> = {}): BrowserSuite {
  const suite: BrowserSuite = { contexts: [] };
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    suite.browser = await launchChromium();
    suite.server = await startBrowserServer(await buildClient(), env);
  }, 480_000);
  afterAll(async () => {
    for (const c of suite.contexts) await c.close().catch(() => {});
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}
