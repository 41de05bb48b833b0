/**
 * Reliability in a real browser: the server goes away while someone is writing and comes back
 * (a restart on the same port and data directory). The stroke drawn while it was down waits in the
 * page's outbox, is sent after the automatic reconnect, and ends up exactly once on every page; both
 * pages resync from the snapshot and show the label; a page opened afterwards sees the same board.
 *
 * Pen data: UCI "Pen-Based Recognition of Handwritten Digits" (Alpaydin & Alimoglu), CC BY 4.0.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CreateBoardResponse } from '../../shared/protocol.ts';
import { penDigit, placeDigit } from '../helpers/browser-pen-data.ts';
import { ARTIFACTS, useBrowserSuite } from '../helpers/browser-suite.ts';
import { drawStroke, hook, openBoardAs, waitFor } from '../helpers/browser-pages.ts';

// One digit's two strokes are seconds apart here: keep them in one region all the same.
const suite = useBrowserSuite({ REGION_TIME_MS: '600000' });

describe('reconnect after a server restart', () => {
  it(
    'keeps a stroke drawn while the server was down, once, on every page',
    { timeout: 480_000 },
    async () => {
      const res = await fetch(`${suite.server!.url}/api/v1/boards`, { method: 'POST' });
      expect(res.status).toBe(201);
      const board = (await res.json()) as CreateBoardResponse;
      const boardUrl = `${suite.server!.url}/b/${board.boardId}`;
      const writer = await openBoardAs(suite.browser!, suite.contexts, boardUrl, 'Writer');
      const viewer = await openBoardAs(suite.browser!, suite.contexts, boardUrl, 'Viewer');

      // A two-stroke 7: the first stroke while connected...
      const digit = penDigit(14);
      const [s1, s2] = placeDigit(digit, 420, 230, 220) as [[number, number][], [number, number][]];
      await drawStroke(writer, s1);
      for (const page of [writer, viewer]) {
        await waitFor(
          'stroke 1 everywhere',
          () => hook(page, 'strokes'),
          (s) => s?.length === 1,
        );
      }
      await waitFor(
        'stroke 1 acknowledged',
        () => hook(writer, 'pending'),
        (n) => n === 0,
      );

      // ...the server goes down; the second stroke is drawn while it is away.
      await suite.server!.stop();
      await waitFor(
        'the writer to notice',
        () => hook(writer, 'status'),
        (s) => s === 'reconnecting',
      );
      await drawStroke(writer, s2);
      expect(await hook(writer, 'strokes')).toHaveLength(2);
      expect(await hook(writer, 'pending')).toBe(1);
      await writer.screenshot({ path: path.join(ARTIFACTS, 'browser-reconnecting.png') });

      // The server comes back: both pages reconnect and resync; the outbox stroke is sent once.
      await suite.server!.restart();
      for (const page of [writer, viewer]) {
        await waitFor(
          'reconnected',
          () => hook(page, 'connected'),
          (c) => c === true,
          60_000,
        );
      }
      await waitFor(
        'outbox flushed',
        () => hook(writer, 'pending'),
        (n) => n === 0,
        30_000,
      );
      for (const page of [writer, viewer]) {
        const strokes = await waitFor(
          'both strokes',
          () => hook(page, 'strokes'),
          (s) => s?.length === 2,
        );
        expect(new Set(strokes.map((s) => s.id)).size).toBe(2);
        const labels = await waitFor(
          'the label of the whole digit',
          () => hook(page, 'labels'),
          (l) => l?.length === 1 && l[0]!.strokes === 2,
          60_000,
        );
        expect(labels[0]!.text).toBe(String(digit.label));
      }
      await viewer.screenshot({ path: path.join(ARTIFACTS, 'browser-after-restart.png') });

      // Someone opening the board now (a late joiner) gets the same strokes and label.
      const late = await openBoardAs(suite.browser!, suite.contexts, boardUrl, 'Late');
      await waitFor(
        'late joiner strokes',
        () => hook(late, 'strokes'),
        (s) => s?.length === 2,
      );
      const lateLabels = await waitFor(
        'late joiner label',
        () => hook(late, 'labels'),
        (l) => l?.length === 1,
      );
      expect(lateLabels[0]!.text).toBe(String(digit.label));
    },
  );
});
