/**
 * End to end in a real browser: a real Inkboard server (embedded mode, temp data dir) and Chromium.
 * The owner creates a board from the landing page; a second person (another browser context) joins by
 * link; the owner writes a real pen digit with the mouse; the second page sees the ink live, before
 * pen-up; both pages show the recognised label; undo removes the label everywhere and redo brings it
 * back. A phone-sized page checks the toolbar fits. Screenshots go to test-artifacts/.
 *
 * Pen data: UCI "Pen-Based Recognition of Handwritten Digits" (Alpaydin & Alimoglu), CC BY 4.0.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser-chromium.ts';
import { buildClient, startBrowserServer, type BrowserServer } from '../helpers/browser-server.ts';
import { penDigit, placeDigit } from '../helpers/browser-pen-data.ts';
import type { InkboardHook } from '../../client/src/test-hook.ts';

const ARTIFACTS = path.resolve('test-artifacts');
/** A two-stroke 7 (crossbar drawn separately) by writer 5 of the pen data set. */
const DIGIT_INDEX = Number(process.env.BROWSER_TEST_DIGIT ?? 14);

let browser: Browser | undefined;
let server: BrowserServer | undefined;
const contexts: BrowserContext[] = [];

/** Reads one fact from the page's read-only test hook. */
async function hook<K extends keyof InkboardHook>(page: Page, key: K): Promise<InkboardHook[K]> {
  return page.evaluate((k) => {
    const h = (window as unknown as { __inkboard?: Record<string, unknown> }).__inkboard;
    return h ? h[k] : undefined;
  }, key as string) as Promise<InkboardHook[K]>;
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (ok(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Opens a new person's page (own context = own localStorage) and answers the name prompt. */
async function newPerson(
  name: string,
  url: string,
  viewport = { width: 1200, height: 800 },
  mobile = false,
): Promise<Page> {
  const ctx = await browser!.newContext({
    viewport,
    isMobile: mobile,
    hasTouch: mobile,
    deviceScaleFactor: 1,
  });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (err) => console.error(`[${name}] page error:`, err.message));
  await page.goto(url);
  return page;
}

async function answerNamePrompt(page: Page, name: string): Promise<void> {
  const input = page.locator('.dialog input.text-input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(name);
  await page.locator('.dialog button[type=submit]').click();
}

async function waitJoined(page: Page): Promise<void> {
  await waitFor(
    'the page to join its board',
    () => hook(page, 'connected'),
    (c) => c === true,
  );
}

describe('two pages on one board', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
    await buildClient();
    server = await startBrowserServer();
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });

  it(
    'draws a digit on one page; the other sees it live; both show the label',
    { timeout: 120_000 },
    async () => {
      // --- the owner creates a board from the landing page
      const owner = await newPerson('owner', server!.url + '/');
      await owner.getByTestId('new-board').click();
      await answerNamePrompt(owner, 'Ms Rivera');
      await owner.waitForURL(/\/b\/[A-Za-z0-9_-]{16,}$/, { timeout: 10_000 });
      await waitJoined(owner);
      const boardUrl = owner.url();
      expect((await hook(owner, 'you'))?.role).toBe('owner');

      // --- a student joins by link
      const student = await newPerson('student', boardUrl);
      await answerNamePrompt(student, 'Sam');
      await waitJoined(student);
      expect((await hook(student, 'you'))?.role).toBe('member');
      await waitFor(
        'both people in the list',
        () => hook(owner, 'peers'),
        (p) => p?.length === 2,
      );
      await waitFor(
        'the people count',
        () => student.getByTestId('people').innerText(),
        (t) => t.includes('2'),
      );

      // --- the owner writes a real pen digit with the mouse
      const digit = penDigit(DIGIT_INDEX);
      const strokes = placeDigit(digit, 420, 230, 220);
      let sawLive = false;
      for (const [si, stroke] of strokes.entries()) {
        const [first, ...rest] = stroke;
        await owner.mouse.move(first![0], first![1]);
        await owner.mouse.down();
        for (const [pi, p] of rest.entries()) {
          await owner.mouse.move(p[0], p[1], { steps: 3 });
          await owner.waitForTimeout(8);
          if (si === 0 && pi === Math.floor(rest.length / 2)) {
            // Mid-stroke: the student already sees the ink being drawn, before pen-up.
            const live = await waitFor(
              'live ink on the student page',
              () => hook(student, 'liveStrokes'),
              (l) => (l?.length ?? 0) > 0 && l![0]!.points > 3,
              5000,
            );
            sawLive = live.length > 0;
            expect(await hook(student, 'strokes')).toHaveLength(0);
            await student.screenshot({ path: path.join(ARTIFACTS, 'browser-student-live.png') });
          }
        }
        await owner.mouse.up();
      }
      expect(sawLive).toBe(true);

      // --- both pages get the committed strokes, then the label
      for (const page of [owner, student]) {
        await waitFor(
          'committed strokes',
          () => hook(page, 'strokes'),
          (s) => s?.length === strokes.length,
        );
      }
      expect(await hook(owner, 'pending')).toBe(0);
      const expected = String(digit.label);
      const labels = [];
      for (const page of [owner, student]) {
        const l = await waitFor(
          'the label of the whole digit',
          () => hook(page, 'labels'),
          (l) => l?.length === 1 && l[0]!.strokes === strokes.length,
          30_000,
        );
        labels.push(l);
      }
      expect(labels[0]).toEqual(labels[1]);
      expect(labels[0]![0]!.text).toBe(expected);
      // The owner's cursor shows on the student's page.
      await owner.mouse.move(900, 600, { steps: 4 });
      await waitFor(
        'the owner cursor',
        () => hook(student, 'cursors'),
        (c) => c?.length === 1 && c[0]!.x > 800,
      );
      await owner.screenshot({ path: path.join(ARTIFACTS, 'browser-owner.png') });
      await student.screenshot({ path: path.join(ARTIFACTS, 'browser-student.png') });

      // --- undo (keyboard) takes the last stroke away for everyone and the label follows; redo restores it
      const key = (l: { regionId: string; version: number }[] | undefined) =>
        (l ?? []).map((x) => `${x.regionId}@${x.version}`).join();
      const before = key(labels[1]);
      await owner.keyboard.press('Control+z');
      await waitFor(
        'undo on the student page',
        () => hook(student, 'strokes'),
        (s) => s?.length === strokes.length - 1,
      );
      const undone = await waitFor(
        'the label to follow the undo',
        () => hook(student, 'labels'),
        (l) => key(l) !== before,
        30_000,
      );
      await owner.keyboard.press('Control+Shift+z');
      await waitFor(
        'redo on the student page',
        () => hook(student, 'strokes'),
        (s) => s?.length === strokes.length,
      );
      const after = await waitFor(
        'a label for the redone region',
        () => hook(student, 'labels'),
        (l) =>
          l?.length === 1 && l[0]!.strokes === strokes.length && key(l) !== key(undone) && key(l) !== before,
        30_000,
      );
      expect(after[0]!.text).toBe(expected);
    },
  );

  it('a phone-sized screen gets a usable toolbar', { timeout: 60_000 }, async () => {
    const owner = contexts[0] ? contexts[0].pages()[0] : undefined;
    const url = owner ? owner.url() : server!.url + '/';
    const phone = await newPerson('phone', url, { width: 390, height: 844 }, true);
    await answerNamePrompt(phone, 'Priya');
    await waitJoined(phone);
    const toolbar = phone.getByTestId('toolbar');
    await toolbar.waitFor({ state: 'visible' });
    const box = (await toolbar.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(box.y + box.height).toBeLessThanOrEqual(844);
    // Every visible control is inside the screen and big enough to tap.
    const buttons = await phone.locator('[data-testid=toolbar] > * button:visible').all();
    expect(buttons.length).toBeGreaterThanOrEqual(7);
    for (const b of buttons) {
      const r = (await b.boundingBox())!;
      expect(r.x).toBeGreaterThanOrEqual(0);
      expect(r.x + r.width).toBeLessThanOrEqual(390);
      expect(Math.min(r.width, r.height)).toBeGreaterThanOrEqual(30);
    }
    // The colour/width popover opens and fits too.
    await phone.locator('.tb-style-button').tap();
    const pop = (await phone.locator('.style-popover').boundingBox())!;
    expect(pop.x).toBeGreaterThanOrEqual(0);
    expect(pop.x + pop.width).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: path.join(ARTIFACTS, 'browser-phone.png') });
  });
});
