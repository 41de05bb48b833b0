/**
 * Classroom mode end to end in Chromium: a real Inkboard server (embedded mode, temp data dir, the real
 * model), a teacher and three students, each in their own browser context. The teacher opens a class from
 * the landing page; the teacher link opens it as the teacher on another "device"; one student joins with
 * the short code, two with the link; each writes a real pen digit (UCI pen digits, CC BY 4.0) in their own
 * space; the teacher's grid and table show every answer live, marked against the answer key; a student
 * never sees another's ink; lock stops student ink with a visible message; a correction of a label reaches
 * every page and survives a server restart; CSV and PNG exports download. Screenshots: test-artifacts/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, useBrowserSuite } from '../helpers/browser-suite.ts';
import { penDigit, placeDigit } from '../helpers/browser-pen-data.ts';
import {
  answerNamePrompt,
  drawStroke,
  hook,
  newPerson,
  waitFor,
  waitJoined,
} from '../helpers/browser-pages.ts';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `classroom-${name}.png`) });

const suite = useBrowserSuite();

/** Writes a pen digit with the mouse, its box's top-left at (x, y), `size` px tall or wide. */
async function writeDigit(page: Page, index: number, x: number, y: number, size = 200): Promise<number> {
  const strokes = placeDigit(penDigit(index), x, y, size);
  for (const stroke of strokes) await drawStroke(page, stroke);
  return strokes.length;
}

/** The digits each student writes: a two-stroke 4, a 2, a 5 (indices in the pen data). */
const STUDENTS = [
  { name: 'Ana', digit: 6, expected: '4' },
  { name: 'Ben', digit: 1, expected: '2' },
  { name: 'Cleo', digit: 8, expected: '5' },
];

describe('classroom in the browser', () => {
  it(
    'a teacher and three students: spaces, live grid and table, lock, correction, restart, exports',
    { timeout: 600_000 },
    async () => {
      // --- the teacher opens a class
      const teacher = await newPerson(suite.browser!, suite.contexts, suite.server!.url + '/', 'teacher', {
        viewport: { width: 1400, height: 860 },
      });
      await teacher.getByTestId('new-class').click();
      await answerNamePrompt(teacher, 'Ms Rivera');
      await teacher.waitForURL(/\/b\/[A-Za-z0-9_-]{16,}$/, { timeout: 10_000 });
      await waitJoined(teacher);
      expect((await hook(teacher, 'you'))?.role).toBe('owner');
      const boardUrl = teacher.url();
      const boardId = boardUrl.split('/b/')[1]!;
      const code = (await teacher.getByTestId('join-code').innerText()).trim();
      expect(code).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);

      // --- the teacher link opens the class as the teacher on another device (the projector)
      const ownerKey = await teacher.evaluate(
        (id) => localStorage.getItem(`inkboard.ownerKey.${id}`),
        boardId,
      );
      expect(ownerKey).toBeTruthy();
      const projector = await newPerson(
        suite.browser!,
        suite.contexts,
        `${boardUrl}#teacher=${ownerKey}`,
        'projector',
      );
      await answerNamePrompt(projector, 'Projector');
      await waitJoined(projector);
      expect((await hook(projector, 'you'))?.role).toBe('owner');
      expect(projector.url()).not.toContain('teacher=');
      await projector.getByTestId('class-panel').waitFor();
      await projector.context().close();

      // --- three students: one types the code, two follow the link
      const students: Page[] = [];
      for (const [i, s] of STUDENTS.entries()) {
        let page: Page;
        if (i === 0) {
          page = await newPerson(suite.browser!, suite.contexts, suite.server!.url + '/', s.name);
          await page.getByTestId('join-code-input').fill(code.toLowerCase());
          await page.getByTestId('join-code-go').click();
          await page.waitForURL(`**/b/${boardId}`, { timeout: 10_000 });
        } else page = await newPerson(suite.browser!, suite.contexts, boardUrl, s.name);
        await answerNamePrompt(page, s.name);
        await waitJoined(page);
        expect((await hook(page, 'you'))?.role).toBe('member');
        await waitFor(
          'my space',
          () => hook(page, 'mySpaceId'),
          (id) => !!id,
        );
        students.push(page);
      }
      // Distinct colours: everyone in the room has their own.
      const colors = await Promise.all(
        [teacher, ...students].map(async (p) => (await hook(p, 'you'))!.color),
      );
      expect(new Set(colors).size).toBe(4);

      // --- each student answers in their own space
      for (const [i, s] of STUDENTS.entries()) {
        const page = students[i]!;
        const n = await writeDigit(page, s.digit, 320, 260);
        await waitFor(
          'the answer in my space',
          () => hook(page, 'spaces'),
          (sp) => sp?.[0]?.strokes === n && sp[0].answer === s.expected,
          60_000,
        );
      }
      // The teacher's grid and table show every answer live.
      for (const s of STUDENTS) {
        await waitFor(
          `${s.name}'s answer in the table`,
          () =>
            teacher
              .locator(`[data-testid=answer-row][data-name="${s.name}"] [data-testid=answer-text]`)
              .innerText(),
          (t) => t.trim() === s.expected,
          60_000,
        );
        expect(
          (
            await teacher
              .locator(`[data-testid=class-card][data-name="${s.name}"] [data-testid=card-answer]`)
              .innerText()
          ).trim(),
        ).toBe(s.expected);
      }
      expect(await teacher.locator('[data-testid=class-card] svg path').count()).toBeGreaterThanOrEqual(4);
      // A student sees their own space and the teacher's board, never another student's.
      for (const page of students) {
        const spaces = await hook(page, 'spaces');
        expect(spaces).toHaveLength(1);
        expect(spaces[0]!.id).toBe(await hook(page, 'mySpaceId'));
        expect(await hook(page, 'strokes')).toHaveLength(0);
      }

      // --- the answer key marks each row
      await teacher.getByTestId('answer-key').fill('4');
      await teacher.getByTestId('answer-key-set').click();
      await waitFor(
        'rows marked',
        () =>
          teacher
            .locator('[data-testid=answer-row]')
            .evaluateAll((rows) =>
              rows.map((r) => `${r.getAttribute('data-name')}:${r.getAttribute('data-result')}`),
            ),
        (r) => r.join() === 'Ana:right,Ben:wrong,Cleo:wrong',
      );
      await shot(teacher, 'teacher-grid');
      await shot(students[0]!, 'student-ana');

      // --- lock: student ink is refused with a visible message
      await teacher.getByTestId('lock').click();
      const ben = students[1]!;
      await ben
        .getByTestId('class-banner')
        .filter({ hasText: 'Locked by the teacher' })
        .waitFor({ timeout: 15_000 });
      const benSpace = (await hook(ben, 'mySpaceId'))!;
      const strokesOf = async (page: Page, id: string) =>
        (await hook(page, 'spaces')).find((s) => s.id === id)?.strokes;
      const before = await strokesOf(teacher, benSpace);
      await ben.mouse.move(700, 300);
      await ben.mouse.down();
      for (let x = 700; x <= 800; x += 10) await ben.mouse.move(x, 300 + (x % 30), { steps: 2 });
      await ben.mouse.up();
      await ben.locator('.toast', { hasText: 'Locked by the teacher' }).waitFor({ timeout: 15_000 });
      await shot(ben, 'student-locked');
      await waitFor(
        'the refused stroke gone from the page',
        () => hook(ben, 'spaces'),
        (sp) => sp?.[0]?.strokes === before,
      );
      expect(await hook(ben, 'pending')).toBe(0);
      expect(await strokesOf(teacher, benSpace)).toBe(before);
      await teacher.getByTestId('lock').click();
      await waitFor(
        'unlocked',
        () => ben.getByTestId('class-banner').innerText(),
        (t) => !t.includes('Locked'),
      );

      // --- the teacher writes on the board; everyone sees the label; the teacher corrects it
      const n = await writeDigit(teacher, 14, 160, 260, 180);
      const everyone = [teacher, ...students];
      for (const page of everyone)
        await waitFor(
          'the teacher label everywhere',
          () => hook(page, 'labels'),
          (l) => l?.length === 1 && l[0]!.strokes === n,
          60_000,
        );
      const [box] = await waitFor(
        'the label on screen',
        () => hook(teacher, 'labelBoxes'),
        (b) => b?.some((x) => x.boardId === boardId) ?? false,
      );
      await teacher.mouse.click(box!.x + box!.width / 2, box!.y + box!.height / 2);
      await teacher.getByTestId('correction-input').fill('1');
      await teacher.getByTestId('correction-save').click();
      for (const page of everyone)
        await waitFor(
          'the correction on every page',
          () => hook(page, 'labels'),
          (l) => l?.[0]?.text === '1' && l[0].shown === '✓ 1',
          15_000,
        );
      // Tapping the label drew nothing.
      expect(await hook(teacher, 'strokes')).toHaveLength(n);
      await shot(students[2]!, 'student-corrected');
      // Labels stay readable when zoomed far out (their size on screen has a floor).
      const cleo = students[2]!;
      for (let i = 0; i < 6; i++) await cleo.keyboard.press('-');
      await waitFor(
        'zoomed out',
        () => hook(cleo, 'view'),
        (v) => (v?.scale ?? 1) < 0.3,
      );
      const small = await waitFor(
        'labels after the zoom',
        () => hook(cleo, 'labelBoxes'),
        (b) => (b?.length ?? 0) === 2,
      );
      for (const b of small) expect(b.height).toBeGreaterThanOrEqual(16);
      await shot(cleo, 'student-zoomed-out');

      // --- restart: the correction (and the answers) are still there on every page
      await suite.server!.restart();
      for (const page of everyone) {
        await waitFor(
          'reconnected',
          () => hook(page, 'status'),
          (s) => s === 'connected',
          60_000,
        );
        await waitFor(
          'the correction after the restart',
          () => hook(page, 'labels'),
          (l) => l?.[0]?.text === '1',
          30_000,
        );
      }
      await waitFor(
        'the answers after the restart',
        () => hook(teacher, 'spaces'),
        (sp) =>
          sp
            ?.map((s) => s.answer)
            .sort()
            .join() === '2,4,5',
        30_000,
      );

      // --- the teacher corrects Ben's answer from the table: Ben's page shows it, the row turns right
      await teacher.locator('[data-testid=answer-row][data-name="Ben"] [data-testid=answer-text]').click();
      await teacher.getByTestId('correction-input').fill('4');
      await teacher.getByTestId('correction-save').click();
      await waitFor(
        "the correction on Ben's page",
        () => hook(ben, 'spaces'),
        (sp) => sp?.[0]?.answer === '4',
        15_000,
      );
      await waitFor(
        "Ben's row right",
        () => teacher.locator('[data-testid=answer-row][data-name="Ben"]').getAttribute('data-result'),
        (r) => r === 'right',
      );

      // --- exports: the answers as CSV, the board as PNG
      const [csv] = await Promise.all([
        teacher.waitForEvent('download'),
        teacher.getByTestId('export-csv').click(),
      ]);
      const csvText = readFileSync((await csv.path())!, 'utf8');
      expect(csvText).toMatch(/\r\nAna,4,[^,]+,no,right,4,/);
      expect(csvText).toMatch(/\r\nBen,4,[^,]+,yes,right,4,/);
      expect(csvText).toMatch(/\r\nCleo,5,[^,]+,no,wrong,4,/);
      await teacher.getByTestId('export').click();
      const [png] = await Promise.all([
        teacher.waitForEvent('download'),
        teacher.getByTestId('export-png').click(),
      ]);
      const pngBytes = readFileSync((await png.path())!);
      expect(png.suggestedFilename()).toMatch(/\.png$/);
      expect(pngBytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(pngBytes.length).toBeGreaterThan(2000);
      await teacher.getByTestId('export').click();
      const [svg] = await Promise.all([
        teacher.waitForEvent('download'),
        teacher.getByTestId('export-svg').click(),
      ]);
      const svgText = readFileSync((await svg.path())!, 'utf8');
      expect(svgText).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect((svgText.match(/<path /g) ?? []).length).toBe(n);
      expect(svgText).toContain('>✓ 1</text>');
      await shot(teacher, 'teacher-final');

      // --- a press on the board that only closes a menu draws nothing
      const strokesBefore = (await hook(teacher, 'strokes')).length;
      await teacher.getByTestId('export').click();
      await teacher.getByTestId('export-png').waitFor();
      await teacher.mouse.click(420, 560);
      await teacher.getByTestId('export-png').waitFor({ state: 'hidden' });
      await new Promise((r) => setTimeout(r, 500));
      expect(await hook(teacher, 'strokes')).toHaveLength(strokesBefore);
      expect(await hook(teacher, 'pending')).toBe(0);
    },
  );
});
