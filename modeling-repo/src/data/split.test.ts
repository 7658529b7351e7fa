import { describe, expect, it } from '@jest/globals';

import { createRng } from '../util/random.js';
import { iterativeStratification, stratifiedSplit } from './split.js';

const CLASSES = 6;
/** Multi-label targets with a common, a medium and several rare labels (8, 5, 3 and 0 positives). */
function targets(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const t = new Float32Array(n * CLASSES);
  for (let r = 0; r < n; r++) {
    if (rng.next() < 0.7) t[r * CLASSES] = 1;
    if (rng.next() < 0.2) t[r * CLASSES + 1] = 1;
  }
  const rare: [number, number][] = [[2, 8], [3, 5], [4, 3]];
  for (const [c, count] of rare) for (let k = 0; k < count; k++) t[(k * 37 + c * 11) % n * CLASSES + c] = 1;
  return t;
}

function positives(t: Float32Array, rows: Uint32Array, c: number): number {
  let count = 0;
  for (const r of rows) count += t[r * CLASSES + c]!;
  return count;
}

describe('stratifiedSplit', () => {
  const t = targets(1000, 1);

  it('puts every row on exactly one side, about valFraction in validation', () => {
    const { train, validation } = stratifiedSplit(t, 0.2, 7, CLASSES);
    expect(train.length + validation.length).toBe(1000);
    const all = [...train, ...validation].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Math.abs(validation.length - 200)).toBeLessThanOrEqual(2);
  });

  it('keeps label proportions, rare labels included', () => {
    const { validation } = stratifiedSplit(t, 0.2, 7, CLASSES);
    const totals = Array.from({ length: CLASSES }, (_, c) => positives(t, Uint32Array.from({ length: 1000 }, (_, i) => i), c));
    for (let c = 0; c < CLASSES; c++) {
      // Desired count within one row: 8 -> 1.6 (1 or 2), 5 -> 1, 3 -> 0.6 (0 or 1).
      expect(Math.abs(positives(t, validation, c) - totals[c]! * 0.2)).toBeLessThanOrEqual(1);
    }
    expect(positives(t, validation, 3)).toBe(1);
  });

  it('is deterministic for a seed and changes with the seed', () => {
    const a = stratifiedSplit(t, 0.2, 7, CLASSES);
    const b = stratifiedSplit(t, 0.2, 7, CLASSES);
    const c = stratifiedSplit(t, 0.2, 8, CLASSES);
    expect(b.validation).toEqual(a.validation);
    expect(c.validation).not.toEqual(a.validation);
  });

  it('balances better than a random split of the same size', () => {
    const deviation = (validation: Uint32Array): number => {
      let sum = 0;
      for (let c = 0; c < CLASSES; c++) {
        const all = positives(t, Uint32Array.from({ length: 1000 }, (_, i) => i), c);
        if (all > 0) sum += Math.abs(positives(t, validation, c) / validation.length - all / 1000);
      }
      return sum;
    };
    const stratified = deviation(stratifiedSplit(t, 0.2, 7, CLASSES).validation);
    let randomWorse = 0;
    for (let seed = 0; seed < 20; seed++) {
      const rng = createRng(seed);
      const rows = Array.from({ length: 1000 }, (_, i) => i).filter(() => rng.next() < 0.2);
      if (deviation(Uint32Array.from(rows)) > stratified) randomWorse++;
    }
    expect(randomWorse).toBeGreaterThanOrEqual(18);
  });

  it('rejects a fraction outside (0, 1)', () => {
    expect(() => stratifiedSplit(t, 0, 1, CLASSES)).toThrow(/valFraction/);
    expect(() => stratifiedSplit(t, 1, 1, CLASSES)).toThrow(/valFraction/);
  });
});

describe('iterativeStratification', () => {
  it('spreads rows without labels by the folds\' remaining wants', () => {
    const folds = iterativeStratification(new Float32Array(10 * CLASSES), [0.5, 0.3, 0.2], 3, CLASSES);
    const counts = [0, 0, 0];
    for (const f of folds) counts[f]! += 1;
    expect(counts).toEqual([5, 3, 2]);
  });
});
