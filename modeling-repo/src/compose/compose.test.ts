import { describe, expect, it } from '@jest/globals';
import { DIHEDRAL, transformChip } from '../data/index.js';
import { dihedralMean, maxAbsDiff, ModelRunner } from '../inference/model-runner.js';
import { toOnnxBytes } from '../onnx/index.js';
import { createRng } from '../util/random.js';
import { averageModels } from './ensemble.js';
import { tinyContractModel } from '../../test/support/contract-model.js';
import { TTA_VIEWS, withTestTimeAugmentation } from './tta.js';

const SIDE = 6;
const CHIPS = 5;
const CLASSES = 17;
const TOLERANCE = 1e-6;

function randomChips(count: number, side: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const BYTE = 256;
  return Uint8Array.from({ length: count * side * side * 3 }, () => Math.floor(rng.next() * BYTE));
}

async function run(bytes: Uint8Array, chips: Uint8Array, count: number, side = SIDE): Promise<Float32Array> {
  const runner = await ModelRunner.create(bytes, side);
  try {
    return await runner.predict(chips, count);
  } finally {
    await runner.close();
  }
}

describe('test-time augmentation graph', () => {
  const plain = tinyContractModel(SIDE, 1);
  const chips = randomChips(CHIPS, SIDE, 2);

  it('gives the mean of the model on the pipeline\'s eight transforms of each chip', async () => {
    const tta = await run(toOnnxBytes(withTestTimeAugmentation(plain)), chips, CHIPS);
    const runner = await ModelRunner.create(toOnnxBytes(plain), SIDE);
    try {
      const expected = await dihedralMean(runner, chips, CHIPS);
      expect(tta).toHaveLength(CHIPS * CLASSES);
      expect(maxAbsDiff(tta, expected)).toBeLessThan(TOLERANCE);
      // The tiny model is not symmetric, so averaging changes its output (the test could fail).
      expect(maxAbsDiff(tta, await runner.predict(chips, CHIPS))).toBeGreaterThan(1e-3);
    } finally {
      await runner.close();
    }
  });

  it('gives one answer for all eight orientations of a chip', async () => {
    const chip = chips.subarray(0, SIDE * SIDE * 3);
    const views = new Uint8Array(TTA_VIEWS * chip.length);
    DIHEDRAL.forEach((t, i) => { views.set(transformChip(t, SIDE, chip), i * chip.length); });
    const out = await run(toOnnxBytes(withTestTimeAugmentation(plain)), views, TTA_VIEWS);
    for (let v = 1; v < TTA_VIEWS; v++) expect(maxAbsDiff(out.subarray(v * CLASSES, (v + 1) * CLASSES), out.subarray(0, CLASSES))).toBeLessThan(TOLERANCE);
  });

  it('refuses a model whose input is not square NHWC', () => {
    const graph = tinyContractModel(SIDE, 1);
    const oblong = { ...graph, inputs: graph.inputs.map((v) => ({ ...v, shape: ['N', SIDE, SIDE + 1, 3] })) };
    expect(() => withTestTimeAugmentation(oblong)).toThrow(/\[N, S, S, 3\]/);
  });
});

describe('ensemble graph', () => {
  it('averages the members\' probabilities', async () => {
    const members = [tinyContractModel(SIDE, 3), tinyContractModel(SIDE, 4), tinyContractModel(SIDE, 5)];
    const chips = randomChips(CHIPS, SIDE, 6);
    const each = await Promise.all(members.map((m) => run(toOnnxBytes(m), chips, CHIPS)));
    const merged = await run(toOnnxBytes(averageModels(members)), chips, CHIPS);
    const mean = each[0]?.map((_, i) => each.reduce((s, p) => s + (p[i] ?? 0), 0) / each.length) ?? new Float32Array();
    expect(maxAbsDiff(merged, mean)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(merged, each[0] ?? new Float32Array())).toBeGreaterThan(1e-3);
  });

  it('refuses members with another input size or none at all', () => {
    expect(() => averageModels([tinyContractModel(SIDE, 1), tinyContractModel(SIDE + 2, 2)])).toThrow(/member 2 takes uint8 \[N, 8, 8, 3\]/);
    expect(() => averageModels([])).toThrow(/at least one member/);
  });
});
