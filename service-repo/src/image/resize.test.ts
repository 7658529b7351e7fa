import { describe, expect, it } from '@jest/globals';
import { referenceAreaResize } from '../../test/helpers/reference.js';
import { seededRandom } from '../../test/helpers/tiny-onnx.js';
import { applyResizeChain, areaResize, isSupportedKernel } from './resize.js';
import type { RgbImage } from './rgb.js';

function randomImage(width: number, height: number, seed: number): RgbImage {
  const random = seededRandom(seed);
  return { width, height, data: Uint8Array.from({ length: width * height * 3 }, () => Math.floor(random() * 256)) };
}

function grey(width: number, height: number, values: number[]): RgbImage {
  return { width, height, data: Uint8Array.from(values.flatMap((v) => [v, v, v])) };
}

describe('areaResize', () => {
  it('averages k x k blocks and rounds half up', () => {
    // 2x2 -> 1x1: (1+2+0+0)/4 = 0.75 -> 1; (1+0+0+0)/4 = 0.25 -> 0; (1+1+0+0)/4 = 0.5 -> 1 (half up)
    expect(areaResize(grey(2, 2, [1, 2, 0, 0]), 1, 1).data[0]).toBe(1);
    expect(areaResize(grey(2, 2, [1, 0, 0, 0]), 1, 1).data[0]).toBe(0);
    expect(areaResize(grey(2, 2, [1, 1, 0, 0]), 1, 1).data[0]).toBe(1);
    expect(areaResize(grey(2, 2, [254, 255, 255, 255]), 1, 1).data[0]).toBe(255);
  });

  it('keeps channels apart and blocks in place', () => {
    const img: RgbImage = { width: 4, height: 2, data: Uint8Array.from([
      10, 20, 30, 12, 22, 32, 100, 0, 0, 100, 0, 0,
      14, 24, 34, 16, 26, 36, 100, 0, 0, 100, 0, 0,
    ]) };
    expect(Array.from(areaResize(img, 2, 1).data)).toEqual([13, 23, 33, 100, 0, 0]);
  });

  it('passes an image of the target size through unchanged', () => {
    const img = randomImage(8, 8, 1);
    expect(areaResize(img, 8, 8)).toBe(img);
  });

  it('upscales by an integer factor by replicating pixels', () => {
    const img = randomImage(3, 2, 2);
    const up = areaResize(img, 6, 4);
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 6; x++) {
        const src = (Math.floor(y / 2) * 3 + Math.floor(x / 2)) * 3;
        expect(Array.from(up.data.subarray((y * 6 + x) * 3, (y * 6 + x) * 3 + 3))).toEqual(Array.from(img.data.subarray(src, src + 3)));
      }
    }
  });

  it.each([
    [256, 256, 32, 32], [64, 64, 8, 8], [50, 30, 8, 8], [20, 20, 8, 8], [7, 5, 16, 16], [100, 37, 16, 16], [9, 9, 4, 4], [3, 3, 2, 2], [8, 8, 16, 16],
  ])('matches the supersampling reference for %ix%i -> %ix%i', (w, h, tw, th) => {
    const img = randomImage(w, h, w * 1000 + h);
    const got = areaResize(img, tw, th);
    const want = referenceAreaResize({ width: w, height: h, rgb: img.data }, tw, th);
    expect(got.width).toBe(tw);
    expect(got.height).toBe(th);
    expect(Buffer.from(got.data).equals(Buffer.from(want.rgb))).toBe(true);
  });

  it('rounds exact ties up for non-integer factors too', () => {
    // 4 -> 3 columns: output 0 covers pixel 0 fully and a third of pixel 1: (3*0 + 1*2) / 4 = 0.5 -> 1;
    // output 1 covers two thirds of pixels 1 and 2: (2*2 + 2*0) / 4 = 1; output 2: 0.
    const out = areaResize(grey(4, 1, [0, 2, 0, 0]), 3, 1);
    expect(Array.from(out.data.filter((_, i) => i % 3 === 0))).toEqual([1, 1, 0]);
  });
});

describe('applyResizeChain', () => {
  it('applies every step in order', () => {
    const img = randomImage(64, 64, 3);
    const out = applyResizeChain(img, [{ to: 8, kernel: 'area' }, { to: 16, kernel: 'area' }]);
    const want = referenceAreaResize(referenceAreaResize({ width: 64, height: 64, rgb: img.data }, 8, 8), 16, 16);
    expect(out.width).toBe(16);
    expect(Buffer.from(out.data).equals(Buffer.from(want.rgb))).toBe(true);
  });

  it('refuses an unknown kernel by name', () => {
    expect(isSupportedKernel('area')).toBe(true);
    expect(isSupportedKernel('bicubic')).toBe(false);
    expect(isSupportedKernel('toString')).toBe(false);
    expect(() => applyResizeChain(randomImage(4, 4, 1), [{ to: 2, kernel: 'bicubic' }])).toThrow(/bicubic.*not supported.*area/);
  });
});
