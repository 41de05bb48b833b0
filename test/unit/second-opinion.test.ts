import { describe, expect, it } from 'vitest';
import { composeNumbers, readPenDigits } from '../../models/lib/pen-data.ts';
import { TRAJECTORY_FEATURES, TRAJECTORY_POINTS, trajectoryFeatures } from '../../shared/ink/trajectory.ts';
import type { Stroke } from '../../shared/ink/types.ts';
import type { ClassifyImages } from '../../workers/inference/classify.ts';
import { Recognizer, trajectoryModelDir } from '../../workers/inference/recognizer.ts';
import { readRegions } from '../../workers/recognition/read-regions.ts';
import {
  CANDIDATE_OPINION_WEIGHT,
  applySecondOpinion,
  fuseCandidate,
  fuseReadings,
} from '../../workers/recognition/second-opinion.ts';

/** 10 or 11 probabilities with `p` on digit `d` and the rest spread evenly (the 11th is `reject`). */
function reading(d: number, p: number, reject = 0): Float32Array {
  const out = new Float32Array(reject > 0 ? 11 : 10).fill((1 - p - reject) / 9);
  out[d] = p;
  if (reject > 0) out[10] = reject;
  return out;
}

const sum = (p: Float32Array, n = 10) => Array.from(p.subarray(0, n)).reduce((a, b) => a + b, 0);
const argmax = (p: Float32Array) => Array.from(p.subarray(0, 10)).indexOf(Math.max(...p.subarray(0, 10)));

describe('fuseReadings', () => {
  it('is the image reading at weight 0 and the path reading at weight 1', () => {
    const image = reading(4, 0.6);
    const path = reading(9, 0.8);
    const at0 = fuseReadings(image, path, 0);
    for (let d = 0; d < 10; d++) expect(at0[d]).toBeCloseTo(image[d]!, 6);
    const at1 = fuseReadings(image, path, 1);
    for (let d = 0; d < 10; d++) expect(at1[d]).toBeCloseTo(path[d]!, 6);
  });

  it('lets a confident path reading overturn a doubtful image reading, not a confident one', () => {
    const path = reading(9, 0.99);
    expect(argmax(fuseReadings(Float32Array.from([0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.45]), path, 0.2))).toBe(9);
    expect(argmax(fuseReadings(reading(4, 0.99), path, 0.2))).toBe(4);
  });

  it('keeps the mass on "not one digit" and spreads the rest over the digits', () => {
    const fused = fuseReadings(reading(3, 0.5, 0.3), reading(3, 0.9), 0.2);
    expect(fused).toHaveLength(11);
    expect(fused[10]).toBeCloseTo(0.3, 6);
    expect(sum(fused)).toBeCloseTo(0.7, 5);
  });

  it('survives zero probabilities (no NaN)', () => {
    const fused = fuseReadings(new Float32Array(10).fill(0.1), new Float32Array(10), 0.5);
    expect(fused.every(Number.isFinite)).toBe(true);
    expect(sum(fused)).toBeCloseTo(1, 5);
  });
});

describe('fuseCandidate', () => {
  it('fuses all 11 classes when both models have "not one digit"', () => {
    const image = reading(4, 0.8, 0.1);
    const path = reading(4, 0.05, 0.9);
    const at0 = fuseCandidate(image, path, 0);
    for (let c = 0; c < 11; c++) expect(at0[c]).toBeCloseTo(image[c]!, 6);
    const fused = fuseCandidate(image, path, 0.5);
    expect(sum(fused, 11)).toBeCloseTo(1, 5);
    // The path model's doubt moves mass from the digit to "not one digit".
    expect(fused[10]).toBeGreaterThan(image[10]!);
    expect(fused[4]).toBeLessThan(image[4]!);
  });

  it('falls back to the digits-only fusion when either side has 10 classes', () => {
    const image = reading(3, 0.5, 0.3);
    expect(Array.from(fuseCandidate(image, reading(3, 0.9), 0.2))).toEqual(
      Array.from(fuseReadings(image, reading(3, 0.9), 0.2)),
    );
  });
});

describe('the second opinion in readRegions', () => {
  const pen = readPenDigits().slice(0, 6);
  // An image classifier that reads every image as a doubtful 4 (or 9).
  const image: ClassifyImages = async (images) =>
    images.map(() => Float32Array.from([0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.45, 0.05]));

  it('reads each chosen digit’s pen path once and fuses the readings', async () => {
    const seen: Float32Array[] = [];
    const path: ClassifyImages = async (inputs) => {
      seen.push(...inputs);
      return inputs.map(() => reading(9, 0.99));
    };
    const regions = pen.map((d) => d.strokes);
    const alone = await readRegions(regions, image);
    const fused = await readRegions(regions, image, { trajectory: { classify: path } });
    expect(alone.map((r) => r.text)).toEqual(pen.map(() => '4'));
    expect(fused.map((r) => r.text)).toEqual(pen.map(() => '9'));
    // One input per digit, the pen-path features of exactly its strokes.
    expect(seen).toHaveLength(fused.reduce((n, r) => n + r.digits.length, 0));
    expect(seen[0]).toHaveLength(TRAJECTORY_POINTS * TRAJECTORY_FEATURES);
    const first = fused[0]!.digits[0]!;
    const own = first.strokes.map((i) => pen[0]!.strokes[i] as Stroke);
    expect(Array.from(seen[0]!)).toEqual(Array.from(trajectoryFeatures(own)));
    // With weight 0 the image model decides alone.
    const off = await readRegions(regions, image, { trajectory: { classify: path, weight: 0 } });
    expect(off.map((r) => r.text)).toEqual(alone.map((r) => r.text));
  });

  it('with everyCandidate, reads every lattice candidate once and lets "not one digit" change the cut', async () => {
    const digit = readPenDigits().find((d) => d.strokes.length === 2 && d.label === 4)!;
    const whole = Array.from(trajectoryFeatures(digit.strokes));
    let imageInputs = 0;
    const confident: ClassifyImages = async (images) => {
      imageInputs += images.length;
      return images.map(() => reading(4, 0.9, 0.01));
    };
    const pathInputs: Float32Array[] = [];
    // The path model calls the whole digit "not one digit" and each stroke a confident 1.
    const path: ClassifyImages = async (inputs) => {
      pathInputs.push(...inputs);
      return inputs.map((x) =>
        Array.from(x).every((v, i) => v === whole[i]) ? reading(1, 0.005, 0.99) : reading(1, 0.99, 0.001),
      );
    };
    const alone = await readRegions([digit.strokes], confident);
    expect(alone[0]!.text).toBe('4');
    imageInputs = 0;
    const voted = await readRegions([digit.strokes], confident, {
      trajectory: { classify: path, weight: 0.5, everyCandidate: true },
    });
    expect(pathInputs).toHaveLength(imageInputs);
    expect(voted[0]!.digits).toHaveLength(2);
    // Without everyCandidate only the chosen digit is read, and the cut stays the image model's.
    pathInputs.length = 0;
    const chosen = await readRegions([digit.strokes], confident, {
      trajectory: { classify: path, weight: 0.5 },
    });
    expect(chosen[0]!.digits).toHaveLength(1);
    expect(pathInputs).toHaveLength(1);
  });

  it('says so when the path classifier answers for the wrong number of digits', async () => {
    const broken: ClassifyImages = async () => [];
    await expect(
      applySecondOpinion({ classify: broken }, [
        { strokes: pen[0]!.strokes, probs: [reading(1, 0.9)], ids: [[0]] },
      ]),
    ).rejects.toThrow(/returned 0 results for 1 inputs/);
  });
});

describe('trajectoryModelDir', () => {
  it('is off when asked (option false or INKBOARD_TRAJECTORY_MODEL=off)', () => {
    expect(trajectoryModelDir(false, 'trajectory')).toBeUndefined();
    expect(trajectoryModelDir(undefined, 'off')).toBeUndefined();
  });

  it('defaults to models/trajectory and names a missing model clearly', () => {
    expect(trajectoryModelDir(undefined, undefined)).toMatch(/models\/trajectory$/);
    expect(() => trajectoryModelDir('no-such-model', undefined)).toThrow(/no model.json/);
  });
});

describe('the published online model', () => {
  it('has "not one digit", so the recognizer lets it vote on every candidate and reads numbers right', async () => {
    const recognizer = await Recognizer.load({ log: () => {} });
    try {
      expect(recognizer.trajectoryModelDir).toMatch(/models\/trajectory$/);
      expect(recognizer.secondOpinion?.everyCandidate).toBe(true);
      expect(recognizer.secondOpinion?.weight).toBe(CANDIDATE_OPINION_WEIGHT);
      const numbers = composeNumbers(
        readPenDigits().filter((d) => d.writer <= 20),
        { count: 40, seed: 3 },
      );
      const read = await recognizer.recognize(numbers.map((n) => n.strokes));
      const right = read.filter((r, i) => r.text === numbers[i]!.text).length;
      expect(right).toBeGreaterThanOrEqual(38);
    } finally {
      await recognizer.dispose();
    }
  });

  it('takes a weight of its own when asked (the option wins over the default)', async () => {
    const recognizer = await Recognizer.load({ log: () => {}, trajectoryWeight: 0.2 });
    try {
      expect(recognizer.secondOpinion?.weight).toBe(0.2);
    } finally {
      await recognizer.dispose();
    }
  });
});
