import { describe, expect, it } from '@jest/globals';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index.js';
import { NUM_LABELS } from '../data/index.js';
import { prepareData, type PreparedData } from './prepare-data.js';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FOLDS = 4;
const quiet = (): void => undefined;

async function smokeData(overrides: readonly string[]): Promise<PreparedData> {
  const { config } = await loadConfig({ configDir: join(PACKAGE_ROOT, 'configs'), exp: 'smoke', overrides: [...overrides], env: {} });
  return prepareData(config, quiet);
}

const sorted = (rows: Iterable<number>): number[] => [...rows].sort((a, b) => a - b);

/** Positives of every tag among `rows`. */
function positives(data: PreparedData, rows: Uint32Array): number[] {
  const counts = new Array<number>(NUM_LABELS).fill(0);
  for (const row of rows) for (let c = 0; c < NUM_LABELS; c++) counts[c] = (counts[c] ?? 0) + (data.all.targets[row * NUM_LABELS + c] ?? 0);
  return counts;
}

/** Fold `index` of `data` covers the plain split's training side and trains on all of it but that fold. */
function expectFold(plain: PreparedData, data: PreparedData, index: number): void {
  const fold = data.fold;
  if (fold === undefined) throw new Error(`fold ${index} missing`);
  expect(fold.index).toBe(index);
  expect(data.validation.names).toEqual(plain.validation.names);
  expect(sorted(fold.rows.flatMap((rows) => Array.from(rows)))).toEqual(sorted(plain.split.train));
  const left = new Set(fold.rows[index]);
  expect(data.train.names).toEqual(Array.from(plain.split.train).filter((row) => !left.has(row)).map((row) => plain.all.names[row]));
  expect(fold.description).toMatch(new RegExp(`^fold ${index} of ${fold.rows.length} of the training side left out \\(${fold.rows[index]?.length ?? 0} chips, rows fnv1a [0-9a-f]{8};`));
}

describe('K-fold training data (data.folds)', () => {
  it('deals the training side into stratified folds, trains on all but one and keeps validation', async () => {
    const plain = await smokeData([]);
    const folds = await Promise.all([0, 1, 2, 3].map((index) => smokeData([`data.folds.count=${FOLDS}`, `data.folds.index=${index}`])));
    folds.forEach((data, index) => { expectFold(plain, data, index); });
    // The cards' fold records tell the folds apart (the merge checks them row for row).
    expect(new Set(folds.map((data) => data.fold?.description)).size).toBe(FOLDS);
    // Every member sees the same folds, and each fold gets about a quarter of each tag's positives.
    expect(folds.map((data) => data.fold?.rows.map((rows) => Array.from(rows)))).toEqual(folds.map(() => folds[0]?.fold?.rows.map((rows) => Array.from(rows))));
    const total = positives(plain, plain.split.train);
    for (const rows of folds[0]?.fold?.rows ?? []) {
      positives(plain, rows).forEach((count, c) => { expect(Math.abs(count - (total[c] ?? 0) / FOLDS)).toBeLessThanOrEqual(1); });
    }
  });

  it('is off with count 1 and names the keys when the index is not a fold', async () => {
    const plain = await smokeData([]);
    const one = await smokeData(['data.folds.count=1']);
    expect(one.fold).toBeUndefined();
    expect(one.train.names).toEqual(plain.train.names);
    await expect(smokeData(['data.folds.count=3', 'data.folds.index=3'])).rejects.toThrow(/data\.folds: index 3 is not one of the folds 0\.\.2 of data\.folds\.count=3/);
  });
});
