import { describe, expect, it } from '@jest/globals';

import { createRng } from '../util/index.js';
import { DIHEDRAL } from './augment.js';
import { chipBytes } from './chipset.js';
import { NUM_LABELS } from './labels.js';
import { BatchLoader, evaluationLoader } from './loader.js';
import { betaSymmetric, mixBatch, ownWeight } from './mixup.js';
import { makeSynthetic } from './synthetic.js';

const DRAWS = 20_000;

function moments(alpha: number): { mean: number; variance: number } {
  const rng = createRng(11);
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < DRAWS; i++) {
    const x = betaSymmetric(alpha, rng);
    sum += x;
    squares += x * x;
  }
  const mean = sum / DRAWS;
  return { mean, variance: squares / DRAWS - mean * mean };
}

describe('Beta(alpha, alpha) draws', () => {
  it.each([0.2, 0.4, 1, 3])('have mean 1/2 and variance 1 / (4 (2 alpha + 1)) for alpha %p', (alpha) => {
    const { mean, variance } = moments(alpha);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1 / (4 * (2 * alpha + 1)))).toBeLessThan(0.005);
  });

  it('rejects a non-positive alpha', () => {
    expect(() => betaSymmetric(0, createRng(1))).toThrow(/alpha must be positive, got 0/);
  });

  it('gives a row its own weight of at least 1/2, and 1 outside the probability', () => {
    const rng = createRng(4);
    const weights = Array.from({ length: 2000 }, () => ownWeight({ probability: 0.5, alpha: 0.4 }, rng));
    expect(Math.min(...weights)).toBeGreaterThanOrEqual(0.5);
    const unmixed = weights.filter((w) => w === 1).length / weights.length;
    expect(unmixed).toBeGreaterThan(0.45);
    expect(unmixed).toBeLessThan(0.55);
  });
});

describe('mixBatch', () => {
  const bytes = 4;
  function twoRows(): { images: Uint8Array; targets: Float32Array } {
    const images = Uint8Array.from([0, 0, 0, 0, 200, 200, 200, 200]);
    const targets = new Float32Array(2 * NUM_LABELS);
    targets[0] = 1;
    targets[NUM_LABELS + 1] = 1;
    return { images, targets };
  }

  it('blends images and targets with the same weight, the row\'s own weighing at least 1/2', () => {
    const batch = twoRows();
    mixBatch(batch, 2, { probability: 1, alpha: 0.4 }, createRng(8));
    const own = 1 - (batch.images[0] ?? 0) / 200;
    expect(own).toBeGreaterThanOrEqual(0.5);
    expect(batch.targets[0]).toBeCloseTo(own, 2);
    expect(batch.targets[1]).toBeCloseTo(1 - own, 2);
    // Row 1 blends its one tag with row 0's: the two weights sum to 1, its own is the larger.
    const second = batch.targets.subarray(NUM_LABELS, 2 * NUM_LABELS);
    expect((second[0] ?? 0) + (second[1] ?? 0)).toBeCloseTo(1, 6);
    expect(second[1]).toBeGreaterThanOrEqual(0.5);
    expect(second[1]).toBeCloseTo((batch.images[bytes] ?? 0) / 200, 2);
    expect(batch.images.subarray(bytes).every((v) => v >= 100)).toBe(true);
  });

  it('changes nothing at probability 0 or for a single row', () => {
    const before = twoRows();
    const off = twoRows();
    mixBatch(off, 2, { probability: 0, alpha: 0.4 }, createRng(8));
    expect(off).toEqual(before);
    const one = { images: Uint8Array.from([9, 9, 9, 9]), targets: new Float32Array(NUM_LABELS).fill(1) };
    mixBatch(one, 1, { probability: 1, alpha: 0.4 }, createRng(8));
    expect(Array.from(one.images)).toEqual([9, 9, 9, 9]);
  });
});

describe('BatchLoader with mixup', () => {
  const set = makeSynthetic({ count: 24, size: 8, seed: 5 });
  const options = { batchSize: 8, seed: 3, shuffle: true, lastBatch: 'drop', augment: [...DIHEDRAL] } as const;
  const plain = new BatchLoader(set, options);
  const mixed = new BatchLoader(set, { ...options, mixup: { probability: 1, alpha: 0.4 } });

  it('is deterministic, keeps the rows, their flips and the total tag mass within the blend', () => {
    const a = mixed.batch(2, 1);
    expect(a.images).toEqual(mixed.batch(2, 1).images);
    expect(a.targets).toEqual(mixed.batch(2, 1).targets);
    const reference = plain.batch(2, 1);
    expect(a.names).toEqual(reference.names);
    expect(a.targets).not.toEqual(reference.targets);
    expect(a.targets.every((t) => t >= 0 && t <= 1)).toBe(true);
    // Every mixed target lies between the row's own (weight >= 1/2) and 0 or 1.
    for (let k = 0; k < a.targets.length; k++) {
      const own = reference.targets[k] ?? 0;
      expect(Math.abs((a.targets[k] ?? 0) - own)).toBeLessThanOrEqual(0.5 + 1e-6);
    }
  });

  it('is off at probability 0 and never mixes evaluation batches', () => {
    const off = new BatchLoader(set, { ...options, mixup: { probability: 0, alpha: 0.4 } });
    expect(off.batch(0, 0).images).toEqual(plain.batch(0, 0).images);
    const evaluation = evaluationLoader(set, 8);
    const padded = new BatchLoader(set, { batchSize: 8, seed: 0, shuffle: false, lastBatch: 'pad', mixup: { probability: 1, alpha: 1 } });
    expect(padded.batch(0, 0).images).toEqual(evaluation.batch(0, 0).images);
    expect(padded.batch(0, 0).targets).toEqual(evaluation.batch(0, 0).targets);
    expect(padded.batch(0, 0).images.length).toBe(8 * chipBytes(8));
  });
});
