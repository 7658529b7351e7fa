import { describe, expect, it } from '@jest/globals';

import { createRng } from '../util/random.js';
import { binarize, meanF2 } from '../metric/index.js';
import { thresholdGrid, tuneThresholds } from './thresholds.js';

/** Naive coordinate ascent with the same rules, scoring every candidate with meanF2. */
function naiveTune(probs: Float32Array, targets: Float32Array, classes: number, passes: number): number[] {
  const grid = thresholdGrid(0.01);
  const t = new Array<number>(classes).fill(0.2);
  const score = (trial: number[]): number => meanF2(targets, binarize(probs, trial, classes), classes);
  for (let step = 0; step < passes * classes; step++) {
    const c = step % classes;
    let best = t[c]!;
    let bestScore = score(t);
    for (const g of grid) {
      const trial = t.map((v, k) => (k === c ? g : v));
      if (score(trial) > bestScore + 1e-12) [best, bestScore] = [g, score(trial)];
    }
    t[c] = best;
  }
  return t;
}

/** Noisy probabilities for random multi-label targets; class c is easier the smaller c is. */
function problem(n: number, classes: number, seed: number): { probs: Float32Array; targets: Float32Array } {
  const rng = createRng(seed);
  const targets = new Float32Array(n * classes);
  const probs = new Float32Array(n * classes);
  for (let i = 0; i < n * classes; i++) {
    const c = i % classes;
    targets[i] = rng.next() < 0.1 + 0.5 / (c + 1) ? 1 : 0;
    const noise = (rng.next() - 0.5) * (0.4 + c * 0.15);
    probs[i] = Math.min(1, Math.max(0, (targets[i] ? 0.65 : 0.3) + noise));
  }
  return { probs, targets };
}

describe('thresholdGrid', () => {
  it('runs step, 2 step, ... below 1, rounded cleanly', () => {
    const grid = thresholdGrid(0.01);
    expect(grid).toHaveLength(99);
    expect(grid[0]).toBe(0.01);
    expect(grid[29]).toBe(0.3);
    expect(grid[98]).toBe(0.99);
    expect(Array.from(thresholdGrid(0.25))).toEqual([0.25, 0.5, 0.75]);
    expect(() => thresholdGrid(0)).toThrow(/step/);
  });
});

describe('tuneThresholds', () => {
  it('finds the same thresholds as naive coordinate ascent and never lowers F2', () => {
    const { probs, targets } = problem(300, 5, 11);
    const result = tuneThresholds(probs, targets, { classes: 5, passes: 2 });
    expect(result.thresholds).toEqual(naiveTune(probs, targets, 5, 2));
    expect(result.f2Before).toBeCloseTo(meanF2(targets, binarize(probs, 0.2, 5), 5), 12);
    expect(result.f2After).toBeCloseTo(meanF2(targets, binarize(probs, result.thresholds, 5), 5), 12);
    expect(result.f2After).toBeGreaterThan(result.f2Before);
  });

  it('keeps 0.2 where nothing beats it and stops early when a round changes nothing', () => {
    // Perfectly separated at 0.2 already: every image is scored 1.
    const targets = Float32Array.from([1, 0, 0, 1, 1, 1]);
    const probs = Float32Array.from([0.9, 0.1, 0.15, 0.8, 0.25, 0.7]);
    const result = tuneThresholds(probs, targets, { classes: 2, passes: 5 });
    expect(result.thresholds).toEqual([0.2, 0.2]);
    expect(result.f2Before).toBe(1);
    expect(result.f2After).toBe(1);
    expect(result.passes).toBe(1);
  });

  it('moves a threshold to recover a true tag with a low probability', () => {
    // Class 0 is true for both images but scored 0.15 and 0.12: any threshold <= 0.12 catches both.
    const targets = Float32Array.from([1, 1, 1, 0]);
    const probs = Float32Array.from([0.15, 0.9, 0.12, 0.05]);
    const result = tuneThresholds(probs, targets, { classes: 2 });
    expect(result.thresholds[0]).toBeLessThanOrEqual(0.12);
    expect(result.f2After).toBe(1);
  });

  it('tunes 7000 x 17 in well under a second', () => {
    const { probs, targets } = problem(7000, 17, 5);
    // CPU time rather than wall time, so a busy machine does not fail the test.
    const started = process.cpuUsage();
    const result = tuneThresholds(probs, targets, { passes: 2 });
    const used = process.cpuUsage(started);
    const seconds = (used.user + used.system) / 1e6;
    expect(result.thresholds).toHaveLength(17);
    expect(result.f2After).toBeGreaterThanOrEqual(result.f2Before);
    expect(seconds).toBeLessThan(1);
  });
});
