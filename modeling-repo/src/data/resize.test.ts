import { describe, expect, it } from '@jest/globals';

import { createRng } from '../util/random.js';
import { areaResize, RESIZE_CHAIN } from './resize.js';

/** Integer overlap of output cell o (of m) with source pixel s (of n), in units of 1/m. */
const overlap = (o: number, s: number, n: number, m: number): number =>
  Math.max(0, Math.min((o + 1) * n, (s + 1) * m) - Math.max(o * n, s * m));

/** Straightforward 2-D reference: exact overlap areas in float64, no separation into passes. */
function reference(rgb: Uint8Array, w: number, h: number, s: number): Uint8Array {
  const out = new Uint8Array(s * s * 3);
  for (let o = 0; o < s * s; o++) {
    const [oy, ox] = [Math.floor(o / s), o % s];
    const sums = [0, 0, 0];
    for (let sy = 0; sy < h; sy++) {
      const wy = overlap(oy, sy, h, s);
      for (let sx = 0; wy > 0 && sx < w; sx++) {
        const weight = overlap(ox, sx, w, s) * wy;
        sums.forEach((sum, c) => { sums[c] = sum + weight * rgb[(sy * w + sx) * 3 + c]!; });
      }
    }
    for (let c = 0; c < 3; c++) out[o * 3 + c] = Math.floor(sums[c]! / (w * h) + 0.5);
  }
  return out;
}

function randomImage(w: number, h: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: w * h * 3 }, () => rng.int(256));
}

describe('areaResize', () => {
  it('takes the mean of each k x k block, rounded half up', () => {
    // 4x4 -> 2x2: top-left block values 0,1,0,1 (mean 0.5 -> 1), top-right 10,10,11,11 (10.5 -> 11).
    const grey = [
      0, 1, 10, 10,
      0, 1, 11, 11,
      4, 4, 200, 201,
      4, 5, 202, 203,
    ];
    const rgb = Uint8Array.from(grey.flatMap((v) => [v, v, 255 - v]));
    const out = areaResize(rgb, 4, 4, 2);
    expect(Array.from(out.filter((_, i) => i % 3 === 0))).toEqual([1, 11, 4, 202]);
    // 4.25 -> 4; (200+201+202+203)/4 = 201.5 -> 202; the third channel 255-mean: 254.5 -> 255.
    expect(out[2]).toBe(255);
  });

  it('weights partial pixels by their overlap for non-integer factors', () => {
    // 3 -> 2 on one axis: output 0 covers pixel 0 fully and half of pixel 1 (weights 2 and 1 in units of 1/2).
    const row = Uint8Array.from([0, 30, 90].flatMap((v) => [v, v, v]));
    const rgb = new Uint8Array(3 * 3 * 3);
    for (let y = 0; y < 3; y++) rgb.set(row, y * 9);
    const out = areaResize(rgb, 3, 3, 2);
    // (2*0 + 1*30) / 3 = 10; (1*30 + 2*90) / 3 = 70.
    expect(Array.from(out.filter((_, i) => i % 3 === 0))).toEqual([10, 70, 10, 70]);
  });

  it('upscales by repeating pixels when the factor is an integer', () => {
    const rgb = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const out = areaResize(rgb, 2, 2, 4);
    expect(Array.from(out.subarray(0, 12))).toEqual([1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]);
    expect(Array.from(out.subarray(36, 48))).toEqual([7, 8, 9, 7, 8, 9, 10, 11, 12, 10, 11, 12]);
  });

  it('returns an equal copy at the same size', () => {
    const rgb = randomImage(8, 8, 1);
    const out = areaResize(rgb, 8, 8, 8);
    expect(out).toEqual(rgb);
    expect(out).not.toBe(rgb);
  });

  it.each([
    [256, 256, 32], [64, 64, 32], [37, 23, 32], [10, 10, 32], [7, 13, 5], [33, 31, 32], [1, 1, 3],
  ])('matches the 2-D reference exactly for %ix%i -> %i', (w, h, s) => {
    const rgb = randomImage(w, h, w * 1000 + h);
    expect(areaResize(rgb, w, h, s)).toEqual(reference(rgb, w, h, s));
  });

  it('keeps a constant image constant at any size', () => {
    const rgb = new Uint8Array(17 * 29 * 3).fill(77);
    expect(areaResize(rgb, 17, 29, 32).every((v) => v === 77)).toBe(true);
    expect(areaResize(rgb, 17, 29, 5).every((v) => v === 77)).toBe(true);
  });

  it('rejects wrong lengths and sizes', () => {
    expect(() => areaResize(new Uint8Array(10), 2, 2, 1)).toThrow(/expected 12 bytes for 2x2 RGB, got 10/);
    expect(() => areaResize(new Uint8Array(12), 2, 2, 0)).toThrow(/bad dimensions/);
  });

  it('describes the baseline chain as one area step to 32', () => {
    expect(RESIZE_CHAIN).toEqual([{ to: 32, kernel: 'area' }]);
  });
});
