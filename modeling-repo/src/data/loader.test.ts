import { describe, expect, it } from '@jest/globals';

import { DIHEDRAL, transformChip } from './augment.js';
import { chipBytes } from './chipset.js';
import { NUM_LABELS } from './labels.js';
import { BatchLoader, evaluationLoader, type Batch } from './loader.js';
import { makeSynthetic } from './synthetic.js';

const set = makeSynthetic({ count: 10, size: 4, seed: 1 });
const rowOf = (name: string): number => set.names.indexOf(name);
const chipOf = (row: number): Uint8Array => set.images.subarray(row * chipBytes(4), (row + 1) * chipBytes(4));

async function collect(loader: BatchLoader, epoch: number, start = 0): Promise<Batch[]> {
  const batches: Batch[] = [];
  for await (const batch of loader.epoch(epoch, start)) batches.push(batch);
  return batches;
}

describe('BatchLoader', () => {
  it('pads the last batch by repeating the first rows with mask 0 (evaluation)', () => {
    const loader = evaluationLoader(set, 4);
    expect(loader.batchesPerEpoch).toBe(3);
    const last = loader.batch(0, 2);
    expect(last.images).toHaveLength(4 * chipBytes(4));
    expect(last.targets).toHaveLength(4 * NUM_LABELS);
    expect(last.count).toBe(2);
    expect(Array.from(last.mask)).toEqual([1, 1, 0, 0]);
    expect(last.names).toEqual(['train_8', 'train_9', 'train_0', 'train_1']);
    expect(last.images.subarray(2 * chipBytes(4), 3 * chipBytes(4))).toEqual(chipOf(0));
    expect(Array.from(last.targets.subarray(0, NUM_LABELS))).toEqual(Array.from(set.targets.subarray(8 * NUM_LABELS, 9 * NUM_LABELS)));
  });

  it('pads a batch larger than the data set by wrapping around', () => {
    const batch = evaluationLoader(set, 25).batch(0, 0);
    expect(batch.count).toBe(10);
    expect(batch.names[24]).toBe('train_4');
  });

  it('drops the last partial batch for training and visits each row at most once an epoch', async () => {
    const loader = new BatchLoader(set, { batchSize: 3, seed: 5, shuffle: true, lastBatch: 'drop' });
    expect(loader.batchesPerEpoch).toBe(3);
    const batches = await collect(loader, 0);
    const names = batches.flatMap((b) => b.names);
    expect(names).toHaveLength(9);
    expect(new Set(names).size).toBe(9);
    batches.forEach((b) => { expect(Array.from(b.mask)).toEqual([1, 1, 1]); });
    expect(() => new BatchLoader(set, { batchSize: 11, seed: 0, shuffle: true, lastBatch: 'drop' })).toThrow(/cannot fill one batch/);
  });

  it('shuffles differently each epoch, identically for the same seed and epoch', async () => {
    const options = { batchSize: 5, seed: 9, shuffle: true, lastBatch: 'drop' } as const;
    const a = new BatchLoader(set, options);
    const b = new BatchLoader(set, options);
    expect(Array.from(a.order(0))).toEqual(Array.from(b.order(0)));
    expect(Array.from(a.order(0))).not.toEqual(Array.from(a.order(1)));
    expect((await collect(a, 1)).map((x) => x.images)).toEqual((await collect(b, 1)).map((x) => x.images));
  });

  it('gives the same batches in order, out of order, and when resumed', async () => {
    const loader = new BatchLoader(set, { batchSize: 2, seed: 3, shuffle: true, lastBatch: 'drop', augment: [...DIHEDRAL] });
    const all = await collect(loader, 4);
    const resumed = await collect(new BatchLoader(set, { batchSize: 2, seed: 3, shuffle: true, lastBatch: 'drop', augment: [...DIHEDRAL] }), 4, 3);
    expect(resumed.map((b) => b.index)).toEqual([3, 4]);
    expect(resumed.map((b) => b.images)).toEqual(all.slice(3).map((b) => b.images));
    expect(loader.batch(4, 1).images).toEqual(all[1]!.images);
  });

  it('augments each chip with one of the allowed transforms, leaving targets alone', () => {
    const allowed = ['identity', 'rot90'] as const;
    const loader = new BatchLoader(set, { batchSize: 10, seed: 2, shuffle: false, lastBatch: 'pad', augment: allowed });
    const seen = new Set<string>();
    for (let epoch = 0; epoch < 4; epoch++) {
      const batch = loader.batch(epoch, 0);
      batch.names.forEach((name, i) => {
        const row = rowOf(name);
        const got = batch.images.subarray(i * chipBytes(4), (i + 1) * chipBytes(4));
        const which = allowed.find((t) => transformChip(t, 4, chipOf(row)).every((v, k) => v === got[k]));
        expect(which).toBeDefined();
        seen.add(which!);
        expect(Array.from(batch.targets.subarray(i * NUM_LABELS, (i + 1) * NUM_LABELS)))
          .toEqual(Array.from(set.targets.subarray(row * NUM_LABELS, (row + 1) * NUM_LABELS)));
      });
    }
    expect(seen).toEqual(new Set(allowed));
  });

  it('loads only the given rows', async () => {
    const loader = new BatchLoader(set, { batchSize: 2, seed: 0, shuffle: false, lastBatch: 'pad', indices: [7, 2, 5] });
    const names = (await collect(loader, 0)).flatMap((b) => b.names.slice(0, b.count));
    expect(names).toEqual(['train_7', 'train_2', 'train_5']);
  });

  it('rejects bad sizes and batch indices', () => {
    expect(() => new BatchLoader(set, { batchSize: 0, seed: 0, shuffle: false, lastBatch: 'pad' })).toThrow(/positive integer/);
    expect(() => evaluationLoader(set, 4).batch(0, 3)).toThrow(/out of range/);
  });
});
