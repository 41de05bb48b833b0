/**
 * A model-free engine for tests of the pool: each region is one digit whose label is its stroke count mod 10.
 * `extra.forwardMs` busy-waits that long per forward pass (plus `extra.perItemMs` per image);
 * a region whose first point is [-666, -666] crashes the thread; `extra.failInit` makes start-up fail.
 * Each digit's bbox[0] is the id of the thread that read it.
 */
import { threadId } from 'node:worker_threads';
import type { CreateEngine } from '../engine-types.ts';

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* spin: a forward pass blocks its thread */
  }
}

export const createEngine: CreateEngine = async ({ extra = {} }) => {
  if (extra.failInit) throw new Error(`fake engine: ${String(extra.failInit)}`);
  const forwardMs = Number(extra.forwardMs ?? 0);
  const perItemMs = Number(extra.perItemMs ?? 0);
  return {
    backend: 'fake',
    classifyBatch: async (images) => {
      busy(forwardMs + perItemMs * images.length);
      return images.map((img) => {
        const p = new Float32Array(10);
        p[Math.round(img[0] ?? 0) % 10] = 1;
        return p;
      });
    },
    recognize: async (regions, classify) => {
      if (regions.some((r) => r[0]?.[0]?.[0] === -666)) process.exit(13);
      const images = regions.map((r) => {
        const img = new Float32Array(784);
        img[0] = r.length;
        return img;
      });
      const probs = await classify(images);
      return probs.map((p) => {
        const label = p.indexOf(1);
        return {
          text: String(label),
          digits: [
            {
              label,
              confidence: 1,
              alternatives: [
                { label: (label + 1) % 10, confidence: 0 },
                { label: (label + 2) % 10, confidence: 0 },
              ],
              bbox: [threadId, 0, 1, 1],
              strokes: [0],
            },
          ],
        };
      });
    },
  };
};
