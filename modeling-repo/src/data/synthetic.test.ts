import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { tempDir } from '../../test/fixtures/data/generate.js';
import { labelCounts } from './chipset.js';
import { loadChipSet } from './dataset.js';
import { LABELS, NUM_LABELS } from './labels.js';
import { findKaggleLayout, writeKaggleLayout } from './layout.js';
import { makeSynthetic, SYNTHETIC_TAGS } from './synthetic.js';

describe('makeSynthetic', () => {
  it('is deterministic from the seed, chip by chip', () => {
    const a = makeSynthetic({ count: 20, size: 16, seed: 4 });
    const b = makeSynthetic({ count: 30, size: 16, seed: 4 });
    const c = makeSynthetic({ count: 20, size: 16, seed: 5 });
    expect(b.images.subarray(0, a.images.length)).toEqual(a.images);
    expect(b.targets.subarray(0, a.targets.length)).toEqual(a.targets);
    expect(c.images).not.toEqual(a.images);
    expect(a.names.slice(0, 2)).toEqual(['train_0', 'train_1']);
  });

  it('uses every synthetic tag and no other', () => {
    const set = makeSynthetic({ count: 400, size: 32, seed: 1 });
    const counts = labelCounts(set);
    for (const label of LABELS) {
      if (SYNTHETIC_TAGS.includes(label)) expect(counts[label]).toBeGreaterThan(20);
      else expect(counts[label]).toBe(0);
    }
  });

  it('draws what the tags say: water chips hold blue pixels, cloudy chips are bright', () => {
    const set = makeSynthetic({ count: 200, size: 32, seed: 2 });
    const water = LABELS.indexOf('water');
    const cloudy = LABELS.indexOf('cloudy');
    for (let i = 0; i < 200; i++) {
      const chip = set.images.subarray(i * 3072, (i + 1) * 3072);
      let blue = 0;
      let bright = 0;
      for (let p = 0; p < 1024; p++) {
        if (chip[p * 3 + 2]! > 140 && chip[p * 3]! < 70) blue++;
        if (chip[p * 3]! > 200) bright++;
      }
      expect(blue > 10).toBe(set.targets[i * NUM_LABELS + water] === 1);
      if (set.targets[i * NUM_LABELS + cloudy] === 1) expect(bright).toBeGreaterThan(700);
    }
  });
});

describe('writeKaggleLayout', () => {
  it('writes a folder that loads back with the same labels and nearly the same pixels', async () => {
    const dir = await tempDir();
    try {
      const set = makeSynthetic({ count: 12, size: 16, seed: 3 });
      await writeKaggleLayout(set, dir, { upscale: 2 });
      const layout = await findKaggleLayout(dir);
      expect(layout).toEqual({ labels: join(dir, 'train_v2.csv'), sources: [join(dir, 'train-jpg')] });
      const { set: loaded } = await loadChipSet({ ...layout, size: 16, onInvalid: 'fail', cacheDir: '' });
      expect(loaded.names).toEqual(set.names);
      expect(loaded.targets).toEqual(set.targets);
      let diff = 0;
      for (let i = 0; i < set.images.length; i++) diff += Math.abs(set.images[i]! - loaded.images[i]!);
      expect(diff / set.images.length).toBeLessThan(6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
