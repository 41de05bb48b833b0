/** Page helpers for browser tests: the client's read-only test hook, polling, opening a board as someone. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { InkboardHook } from '../../client/src/test-hook.ts';

/** Reads one fact from the page's read-only test hook (`window.__inkboard`). */
export async function hook<K extends keyof InkboardHook>(page: Page, key: K): Promise<InkboardHook[K]> {
  return page.evaluate((k) => {
    const h = (window as unknown as { __inkboard?: Record<string, unknown> }).__inkboard;
    return h ? h[k] : undefined;
  }, key as string) as Promise<InkboardHook[K]>;
}

/** Polls `fn` until `ok`, failing with the last value after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await fn();
    if (ok(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface PersonOptions {
  viewport?: { width: number; height: number };
  /** Phone emulation: touch and a mobile viewport. */
  mobile?: boolean;
}

/** A new person: their own browser context (own localStorage, own user key). */
export async function newPerson(
  browser: Browser,
  contexts: BrowserContext[],
  url: string,
  label: string,
  opts: PersonOptions = {},
): Promise<Page> {
  const mobile = opts.mobile ?? false;
  const ctx = await browser.newContext({
    viewport: opts.viewport ?? { width: 1200, height: 800 },
    isMobile: mobile,
    hasTouch: mobile,
    deviceScaleFactor: 1,
  });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (err) => console.error(`[${label}] page error:`, err.message));
  await page.goto(url);
  return page;
}

/** Answers the first-visit name prompt. */
export async function answerNamePrompt(page: Page, name: string): Promise<void> {
  const input = page.locator('.dialog input.text-input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(name);
  await page.locator('.dialog button[type=submit]').click();
}

export async function waitJoined(page: Page, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    'the page to join its board',
    () => hook(page, 'connected'),
    (c) => c === true,
    timeoutMs,
  );
}

/** Opens a board URL as a new person called `name` and waits until joined. */
export async function openBoardAs(
  browser: Browser,
  contexts: BrowserContext[],
  url: string,
  name: string,
  opts: PersonOptions = {},
): Promise<Page> {
  const page = await newPerson(browser, contexts, url, name, opts);
  await answerNamePrompt(page, name);
  await waitJoined(page);
  return page;
}

/** Draws one stroke with the mouse: press at its first point, move through the rest, release. */
export async function drawStroke(page: Page, stroke: readonly (readonly [number, number])[]): Promise<void> {
  const [first, ...rest] = stroke;
  await page.mouse.move(first![0], first![1]);
  await page.mouse.down();
  for (const p of rest) await page.mouse.move(p[0], p[1], { steps: 2 });
  await page.mouse.up();
}
