/**
 * End to end in a real browser: a real Inkboard server (embedded mode, temp data dir) and Chromium.
 * The owner creates a board from the landing page; a second person (another browser context) joins by
 * link; the owner writes a real pen digit with the mouse; the second page sees the ink live, before
 * pen-up; both pages show the recognised label; undo removes the label everywhere and redo brings it
 * back. A phone-sized page checks the toolbar fits. Screenshots go to test-artifacts/.
 *
 * Pen data: UCI "Pen-Based Recognition of Handwritten Digits" (Alpaydin & Alimoglu), CC BY 4.0.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, useBrowserSuite } from '../helpers/browser-suite.ts';
import { penDigit, placeDigit } from '../helpers/browser-pen-data.ts';
import {
  answerNamePrompt,
  hook,
  newPerson as openPage,
  waitFor,
  waitJoined,
} from '../helpers/browser-pages.ts';

/** A two-stroke 7 (crossbar drawn separately) by writer 5 of the pen data set. */
const DIGIT_INDEX = Number(process.env.BROWSER_TEST_DIGIT ?? 14);

const suite = useBrowserSuite();
const newPerson = (
  label: string,
  url: string,
  viewport?: { width: number; height: number },
  mobile = false,
) => openPage(suite.browser!, suite.contexts, url, label, { ...(viewport ? { viewport } : {}), mobile });

describe('two pages on one board', () => {
  it(
    'draws a digit on one page; the other sees it live; both show the label',
    { timeout: 480_000 },
    async () => {
      // --- the owner creates a board from the landing page
      const owner = await newPerson('owner', suite.server!.url + '/');
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

      // The student renames themself from the people list; the owner sees the new name.
      await student.getByTestId('people').getByRole('button').first().click();
      await student.getByRole('button', { name: 'Edit' }).click();
      await answerNamePrompt(student, 'Sam K.');
      await waitFor(
        'the new name',
        () => hook(owner, 'peers'),
        (p) => p?.some((x) => x.name === 'Sam K.') ?? false,
      );

      // Coded errors reach the person as a toast: nothing to undo yet.
      await student.keyboard.press('Control+z');
      await student.locator('.toast', { hasText: 'Nothing to undo' }).waitFor({ timeout: 15_000 });

      // --- the owner writes a real pen digit with the mouse
      const digit = penDigit(DIGIT_INDEX);
      const strokes = placeDigit(digit, 420, 230, 220);
      let sawLive = false;
      for (const [si, stroke] of strokes.entries()) {
        const [first, ...rest] = stroke;
        await owner.mouse.move(first![0], first![1]);
        await owner.mouse.down();
        for (const [pi, p] of rest.entries()) {
          await owner.mouse.move(p[0], p[1], { steps: 2 });
          if (si === 0 && pi === Math.floor(rest.length / 2)) {
            // Mid-stroke: the student already sees the ink being drawn, before pen-up.
            const live = await waitFor(
              'live ink on the student page',
              () => hook(student, 'liveStrokes'),
              (l) => (l?.length ?? 0) > 0 && l![0]!.points > 3,
              15_000,
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
      // Every stroke the owner sent is acknowledged (the ack can arrive after the student's copy).
      await waitFor(
        'acks of all strokes',
        () => hook(owner, 'pending'),
        (n) => n === 0,
      );
      const expected = String(digit.label);
      const labels = [];
      for (const page of [owner, student]) {
        const l = await waitFor(
          'the label of the whole digit',
          () => hook(page, 'labels'),
          (l) => l?.length === 1 && l[0]!.strokes === strokes.length,
          60_000,
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
        60_000,
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
        60_000,
      );
      expect(after[0]!.text).toBe(expected);

      // --- the student writes a stroke and erases it with the eraser tool: gone on both pages
      await student.mouse.move(200, 560);
      await student.mouse.down();
      for (let x = 200; x <= 320; x += 10) await student.mouse.move(x, 560 + (x % 20), { steps: 2 });
      await student.mouse.up();
      await waitFor(
        'the student stroke on the owner page',
        () => hook(owner, 'strokes'),
        (s) => s?.length === 3,
      );
      await student.keyboard.press('e');
      await student.mouse.move(260, 500);
      await student.mouse.down();
      await student.mouse.move(260, 620, { steps: 12 });
      await student.mouse.up();
      for (const page of [owner, student]) {
        await waitFor(
          'the erased stroke gone',
          () => hook(page, 'strokes'),
          (s) => s?.length === strokes.length,
        );
      }
      // A member's eraser leaves other people's ink alone.
      await student.mouse.move(540, 200);
      await student.mouse.down();
      await student.mouse.move(540, 470, { steps: 20 });
      await student.mouse.up();
      await student.waitForTimeout(500);
      expect(await hook(owner, 'strokes')).toHaveLength(strokes.length);

      // --- the owner clears the whole board from the toolbar (confirmed with a second click)
      await owner.getByRole('button', { name: 'Clear', exact: true }).click();
      await owner.getByRole('button', { name: 'Clear whole board' }).click();
      await owner.getByRole('button', { name: /Click again/ }).click();
      for (const page of [owner, student]) {
        await waitFor(
          'an empty board',
          () => hook(page, 'strokes'),
          (s) => s?.length === 0,
        );
        await waitFor(
          'no labels',
          () => hook(page, 'labels'),
          (l) => l?.length === 0,
        );
      }
    },
  );

  it('a link to a board that does not exist says so', { timeout: 60_000 }, async () => {
    const page = await newPerson('stranger', `${suite.server!.url}/b/NoSuchBoard0123456789`);
    await answerNamePrompt(page, 'Stranger');
    const fatal = page.getByTestId('fatal');
    await fatal.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await fatal.innerText()).toContain('Board not found');
    await page.screenshot({ path: path.join(ARTIFACTS, 'browser-not-found.png') });
  });

  it('a phone-sized screen gets a usable toolbar', { timeout: 120_000 }, async () => {
    const owner = suite.contexts[0] ? suite.contexts[0].pages()[0] : undefined;
    const url = owner ? owner.url() : suite.server!.url + '/';
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
    // One finger writes; two fingers pinch-zoom without leaving ink.
    const cdp = await phone.context().newCDPSession(phone);
    const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', pts: [number, number][]) =>
      cdp.send('Input.dispatchTouchEvent', { type, touchPoints: pts.map(([x, y], id) => ({ x, y, id })) });
    const strokesBefore = (await hook(phone, 'strokes')).length;
    await touch('touchStart', [[120, 500]]);
    for (let i = 1; i <= 20; i++) {
      await touch('touchMove', [[120 + i * 6, 500 - i * 5]]);
      await phone.waitForTimeout(10);
    }
    await touch('touchEnd', []);
    await waitFor(
      'a touch stroke',
      () => hook(phone, 'strokes'),
      (s) => s.length === strokesBefore + 1,
    );
    const scaleBefore = (await hook(phone, 'view')).scale;
    await touch('touchStart', [
      [150, 350],
      [250, 350],
    ]);
    for (let i = 1; i <= 10; i++) {
      await touch('touchMove', [
        [150 - i * 5, 350],
        [250 + i * 5, 350],
      ]);
    }
    await touch('touchEnd', []);
    expect((await hook(phone, 'view')).scale).toBeGreaterThan(scaleBefore * 1.5);
    await phone.waitForTimeout(300);
    expect(await hook(phone, 'strokes')).toHaveLength(strokesBefore + 1);
    expect(await hook(phone, 'pending')).toBe(0);

    // The colour/width popover opens and fits too.
    await phone.locator('.tb-style-button').tap();
    const pop = (await phone.locator('.style-popover').boundingBox())!;
    expect(pop.x).toBeGreaterThanOrEqual(0);
    expect(pop.x + pop.width).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: path.join(ARTIFACTS, 'browser-phone.png') });
  });
});
