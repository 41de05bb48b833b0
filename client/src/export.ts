/** Exports of what is on the board: PNG (the canvas as drawn, labels included), SVG (ink and labels), downloads. */
import type Konva from 'konva';
import { bboxOf } from '../../shared/ink/geometry.ts';
import type { BoardState } from './board-state.ts';
import { shownText } from './view/labels.ts';

/** Saves a blob as a file through a temporary link. */
export function download(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The stage as a PNG on white, at the device's pixel ratio (what this screen shows). */
export async function stagePng(stage: Konva.Stage): Promise<Blob> {
  const ratio = Math.max(1, window.devicePixelRatio || 1);
  const src = stage.toCanvas({ pixelRatio: ratio });
  const canvas = document.createElement('canvas');
  canvas.width = src.width;
  canvas.height = src.height;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(src, 0, 0);
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG export failed'))), 'image/png'),
  );
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c]};`);

/** All ink and labels of the given boards as one SVG (board units, a margin around the content). */
export function boardsSvg(states: BoardState[]): string {
  let box: [number, number, number, number] | null = null;
  const grow = (b: [number, number, number, number]) =>
    (box = box
      ? [Math.min(box[0], b[0]), Math.min(box[1], b[1]), Math.max(box[2], b[2]), Math.max(box[3], b[3])]
      : b);
  const parts: string[] = [];
  for (const state of states) {
    for (const s of state.visibleStrokes()) {
      grow(bboxOf(s.points) as [number, number, number, number]);
      const d = s.points.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)}`).join(' ');
      const path = s.points.length === 1 ? `${d} l0.01 0` : d;
      parts.push(
        `<path d="${path}" fill="none" stroke="${esc(s.color)}" stroke-width="${s.width}" stroke-linecap="round" stroke-linejoin="round"/>`,
      );
    }
    for (const l of state.labels.values()) {
      const { text, corrected } = shownText(l, state);
      if (!text) continue;
      const size = Math.max(16, Math.min(30, (l.bbox[3] - l.bbox[1]) * 0.22));
      const x = l.bbox[2] + size * 0.5;
      const y = l.bbox[1] + size;
      grow([x, l.bbox[1], x + size * 0.7 * text.length, l.bbox[1] + size * 1.4]);
      parts.push(
        `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="sans-serif" font-weight="bold" font-size="${size.toFixed(1)}" fill="${corrected ? '#065f46' : '#1d3f9e'}" class="label">${esc(text)}</text>`,
      );
    }
  }
  const [x0, y0, x1, y1]: [number, number, number, number] = (box as
    [number, number, number, number] | null) ?? [0, 0, 100, 100];
  const m = 20;
  const w = x1 - x0 + 2 * m;
  const hgt = y1 - y0 + 2 * m;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${(x0 - m).toFixed(1)} ${(y0 - m).toFixed(1)} ${w.toFixed(1)} ${hgt.toFixed(1)}" width="${Math.round(w)}" height="${Math.round(hgt)}">` +
    `<rect x="${(x0 - m).toFixed(1)}" y="${(y0 - m).toFixed(1)}" width="${w.toFixed(1)}" height="${hgt.toFixed(1)}" fill="#ffffff"/>` +
    parts.join('') +
    '</svg>'
  );
}
