import { describe, expect, it } from '@jest/globals';

import { DIHEDRAL } from './augment.js';
import { chipBytes } from './chipset.js';
import { BatchLoader } from './loader.js';
import { adjustSharpness, binomialBlur, sharpnessAmount } from './sharpness.js';
import { makeSynthetic } from './synthetic.js';

const S = 5;
const GREY = 100;
const BRIGHT = 255;
/** A grey chip with one bright pixel in the middle (every channel). */
function spot(): Uint8Array {
  const chip = new Uint8Array(S * S * 3).fill(GREY);
  chip.fill(BRIGHT, (2 * S + 2) * 3, (2 * S + 2) * 3 + 3);
  return chip;
}
const at = (chip: Uint8Array, y: number, x: number): number => chip[(y * S + x) * 3] ?? -1;

describe('sharpness jitter', () => {
  it('amount 1 is the [1 2 1] / 4 binomial blur, rounded', () => {
    const chip = spot();
    adjustSharpness(chip, S, 1);
    const excess = BRIGHT - GREY;
    expect(at(chip, 2, 2)).toBe(Math.round(GREY + excess / 4));
    expect(at(chip, 1, 2)).toBe(Math.round(GREY + excess / 8));
    expect(at(chip, 1, 1)).toBe(Math.round(GREY + excess / 16));
    expect(at(chip, 0, 0)).toBe(GREY);
  });

  it('negative amounts sharpen and clamp to 0..255', () => {
    const chip = spot();
    adjustSharpness(chip, S, -2);
    expect(at(chip, 2, 2)).toBe(BRIGHT);
    expect(at(chip, 1, 2)).toBe(Math.round(GREY - (2 * (BRIGHT - GREY)) / 8));
    const dark = new Uint8Array(S * S * 3).fill(0);
    dark.fill(BRIGHT, 0, 3);
    adjustSharpness(dark, S, -2);
    expect(Math.min(...dark)).toBe(0);
  });

  it('leaves flat chips (edges included) and amount 0 alone, and touches only its own chip', () => {
    const flat = new Uint8Array(S * S * 3).fill(GREY);
    expect(Array.from(binomialBlur(flat, S)).every((v) => Math.abs(v - GREY) < 1e-4)).toBe(true);
    const two = new Uint8Array(2 * S * S * 3);
    two.set(spot(), 0);
    two.set(spot(), S * S * 3);
    adjustSharpness(two, S, 0.7, S * S * 3);
    expect(two.subarray(0, S * S * 3)).toEqual(spot());
    expect(two.subarray(S * S * 3)).not.toEqual(spot());
    const untouched = spot();
    adjustSharpness(untouched, S, 0);
    expect(untouched).toEqual(spot());
  });

  it('draws 0 outside its probability and amounts within [-strength, strength]', () => {
    const jitter = { probability: 0.25, strength: 0.5 };
    expect(sharpnessAmount(jitter, 0.25, 0.9)).toBe(0);
    expect(sharpnessAmount(jitter, 0.1, 0)).toBe(-0.5);
    expect(sharpnessAmount(jitter, 0.1, 0.5)).toBe(0);
    expect(sharpnessAmount(jitter, 0.1, 0.75)).toBeCloseTo(0.25, 12);
  });
});

describe('BatchLoader with sharpness jitter', () => {
  const set = makeSynthetic({ count: 12, size: 8, seed: 3 });
  const options = { batchSize: 6, seed: 9, shuffle: true, lastBatch: 'drop', augment: [...DIHEDRAL] } as const;
  const plain = new BatchLoader(set, options);

  it('is off at probability 0 and, when on, is deterministic, keeps the rows and their brightness', () => {
    const off = new BatchLoader(set, { ...options, sharpness: { probability: 0, strength: 1 } });
    expect(off.batch(1, 1).images).toEqual(plain.batch(1, 1).images);
    const on = new BatchLoader(set, { ...options, sharpness: { probability: 1, strength: 1 } });
    const jittered = on.batch(1, 1);
    const reference = plain.batch(1, 1);
    expect(jittered.names).toEqual(reference.names);
    expect(jittered.images).toEqual(on.batch(1, 1).images);
    const bytes = chipBytes(8);
    let changed = 0;
    for (let i = 0; i < 6; i++) {
      const mine = jittered.images.subarray(i * bytes, (i + 1) * bytes);
      const theirs = reference.images.subarray(i * bytes, (i + 1) * bytes);
      if (mine.some((v, k) => v !== theirs[k])) changed += 1;
      // Blurring and sharpening keep a chip's mean brightness within rounding and clamping.
      const mean = (c: Uint8Array): number => c.reduce((a, v) => a + v, 0) / c.length;
      expect(Math.abs(mean(mine) - mean(theirs))).toBeLessThan(8);
    }
    expect(changed).toBeGreaterThan(3);
  });

  it('blurs a share of rows near its probability', () => {
    const half = new BatchLoader(set, { ...options, batchSize: 12, sharpness: { probability: 0.5, strength: 1 } });
    const reference = new BatchLoader(set, { ...options, batchSize: 12 });
    const bytes = chipBytes(8);
    let changed = 0;
    for (let epoch = 0; epoch < 20; epoch++) {
      const a = half.batch(epoch, 0).images;
      const b = reference.batch(epoch, 0).images;
      for (let i = 0; i < 12; i++) {
        if (a.subarray(i * bytes, (i + 1) * bytes).some((v, k) => v !== b[i * bytes + k])) changed += 1;
      }
    }
    expect(changed / 240).toBeGreaterThan(0.35);
    expect(changed / 240).toBeLessThan(0.6);
  });
});
