import { describe, expect, it } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tinyContractModel } from '../../test/support/contract-model.js';
import { loadConfig } from '../config/index.js';
import { DECODE_DESCRIPTION, LABELS, decodeChip, resizeChain, subsetChips, type ChipSet } from '../data/index.js';
import { tuneThresholds } from '../eval/index.js';
import { evaluateProbabilities } from '../metric/index.js';
import { CARD_SCHEMA, readBundle, verifyGolden, writeBundle, type ModelCard } from '../export/index.js';
import { maxAbsDiff, ModelRunner } from '../inference/model-runner.js';
import { toOnnxBytes } from '../onnx/index.js';
import { prepareData, type PreparedData } from '../pipeline/prepare-data.js';
import { loadMembers, mergeBundles } from './merge.js';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OPSET = 17;
const quiet = (): void => undefined;

async function smoke(dir: string, overrides: readonly string[] = []): Promise<{ config: Awaited<ReturnType<typeof loadConfig>>['config']; data: PreparedData }> {
  const { config } = await loadConfig({
    configDir: join(PACKAGE_ROOT, 'configs'), exp: 'smoke', overrides: [`data.cacheDir=${join(dir, 'cache')}`, 'export.publishDir=', ...overrides], env: {},
  });
  return { config, data: await prepareData(config, quiet) };
}

interface MemberOptions {
  readonly split?: string;
  /** The recorded training configuration (K-fold members record data.folds there). */
  readonly config?: unknown;
  /** The card's training.data (K-fold members record their left-out fold there). */
  readonly data?: string;
}

function memberCard(data: PreparedData, size: number, index: number, options: MemberOptions = {}): Omit<ModelCard, 'onnx'> {
  const perClass = Object.fromEntries(LABELS.map((l) => [l, { precision: 0, recall: 0, f2: 0 }]));
  return {
    schema: CARD_SCHEMA, name: 'tiny', version: `2026.12.02-member${index}`, createdAt: '2026-12-02T00:00:00Z', labels: [...LABELS],
    thresholds: Object.fromEntries(LABELS.map((l) => [l, 0.2])),
    input: { name: 'image', size, layout: 'NHWC', dtype: 'uint8', colour: 'RGB', decode: DECODE_DESCRIPTION, resize: resizeChain(size) },
    output: { name: 'probabilities', activation: 'sigmoid' },
    metrics: { f2: 0, f2AtThreshold0_2: 0, perClass, split: options.split ?? data.splitDescription, images: data.validation.names.length },
    backbone: { name: 'tiny', source: 'test', sha256: '' },
    training: { experiment: 'smoke', config: options.config ?? {}, gitCommit: '', device: 'cpu', seconds: index, data: options.data ?? data.description },
  };
}

async function member(dir: string, data: PreparedData, seed: number, options?: MemberOptions): Promise<string> {
  const size = data.validation.size;
  const out = join(dir, `member${seed}`);
  await writeBundle(out, { modelBytes: toOnnxBytes(tinyContractModel(size, seed), { opset: OPSET }), card: memberCard(data, size, seed, options), opset: OPSET, golden: [] });
  return out;
}

async function predictChips(bytes: Uint8Array, chips: ChipSet): Promise<Float32Array> {
  const runner = await ModelRunner.create(bytes, chips.size);
  try {
    return await runner.predictSet(chips);
  } finally {
    await runner.close();
  }
}

const predict = (bytes: Uint8Array, data: PreparedData): Promise<Float32Array> => predictChips(bytes, data.validation);

const foldConfig = (count: number, index: number): unknown => ({ data: { folds: { count, index } } });

describe('merging bundles into one ensemble bundle', () => {
  it('writes one model that averages the members, with re-tuned thresholds, golden chips and the members listed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'planet-merge-'));
    const { config, data } = await smoke(dir);
    const members = await loadMembers([await member(dir, data, 11), await member(dir, data, 12)]);
    const out = join(dir, 'ensemble');
    const result = await mergeBundles(config, data, members, out, quiet);

    const merged = await readBundle(out);
    expect(merged.card.onnx.sha256).toBe(result.card.onnx.sha256);
    expect(merged.card.ensemble?.members.map((m) => m.version)).toEqual(['2026.12.02-member11', '2026.12.02-member12']);
    expect(merged.card.training.seconds).toBe(11 + 12);

    const [a, b, both] = await Promise.all([predict(members[0]?.modelBytes ?? new Uint8Array(), data), predict(members[1]?.modelBytes ?? new Uint8Array(), data), predict(merged.modelBytes, data)]);
    expect(maxAbsDiff(both, a.map((p, i) => (p + (b[i] ?? 0)) / 2))).toBeLessThan(1e-6);
    const tuned = tuneThresholds(both, data.validation.targets, { start: config.eval.thresholdStart, step: config.eval.thresholdStep, passes: config.eval.passes });
    expect(LABELS.map((l) => merged.card.thresholds[l])).toEqual(tuned.thresholds.map((t) => Number(t.toFixed(4))));
    expect(merged.card.metrics.f2).toBeCloseTo(tuned.f2After, 10);

    expect(merged.golden.length).toBeGreaterThanOrEqual(config.export.goldenCount);
    const size = data.validation.size;
    expect(await verifyGolden(merged.modelBytes, size, merged.golden, (jpeg, name) => decodeChip(jpeg, size, name))).toBeLessThan(1e-6);
  });

  it('refuses members validated on another split, and a single bundle', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'planet-merge-'));
    const { config, data } = await smoke(dir);
    const members = await loadMembers([await member(dir, data, 11), await member(dir, data, 13, { split: 'another split' })]);
    await expect(mergeBundles(config, data, members, join(dir, 'out'), quiet)).rejects.toThrow(/must share the validation split/);
    await expect(loadMembers([join(dir, 'member11')])).rejects.toThrow(/two or more bundles/);
  });

  it('tunes the thresholds of K-fold members on their out-of-fold predictions of every training chip', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'planet-merge-'));
    const { config, data } = await smoke(dir);
    const count = 3;
    const folds = await Promise.all([0, 1, 2].map(async (index) => {
      const fold = (await smoke(dir, [`data.folds.count=${count}`, `data.folds.index=${index}`])).data.fold;
      if (fold === undefined) throw new Error('no fold');
      return fold;
    }));
    // Members in another order than their folds: each must be scored on its own fold, not on the i-th.
    const order = [2, 0, 1];
    const record = (index: number): MemberOptions => ({ config: foldConfig(count, index), data: `${data.description}; ${folds[index]?.description ?? ''}` });
    const dirs = await Promise.all(order.map((index) => member(dir, data, 20 + index, record(index))));
    const members = await loadMembers(dirs);
    const out = join(dir, 'ensemble');
    const result = await mergeBundles(config, data, members, out, quiet);

    // Expected: each member scored on the chips its own fold left out, the way training saw them.
    const parts = await Promise.all(order.map(async (index, i) => {
      const chips = subsetChips(data.all, folds[index]?.rows[index] ?? new Uint32Array());
      return { p: await predictChips(members[i]?.modelBytes ?? new Uint8Array(), chips), t: chips.targets };
    }));
    const p = Float32Array.from(parts.flatMap((part) => Array.from(part.p)));
    const t = Float32Array.from(parts.flatMap((part) => Array.from(part.t)));
    expect(t.length / LABELS.length).toBe(data.split.train.length);
    const oof = tuneThresholds(p, t, { start: config.eval.thresholdStart, step: config.eval.thresholdStep, passes: config.eval.passes });
    const merged = await readBundle(out);
    expect(LABELS.map((l) => merged.card.thresholds[l])).toEqual(oof.thresholds.map((th) => Number(th.toFixed(4))));
    expect(result.outOfFold?.images).toBe(data.split.train.length);
    expect(result.outOfFold?.tuned.f2After).toBeCloseTo(oof.f2After, 10);

    // The card's F2 is the validation F2 at those thresholds, not at thresholds tuned on validation.
    const both = await predict(merged.modelBytes, data);
    expect(merged.card.metrics.f2).toBeCloseTo(evaluateProbabilities(both, data.validation.targets, oof.thresholds).f2, 10);
    expect(JSON.stringify(merged.card.training.config)).toContain(`out-of-fold predictions of ${data.split.train.length} training chips`);

    // A member whose card records another left-out fold than the one recomputed here is refused.
    const [first, ...rest] = members;
    if (first === undefined) throw new Error('no member');
    const other = { ...first, card: { ...first.card, training: { ...first.card.training, data: record(0).data ?? '' } } };
    await expect(mergeBundles(config, data, [other, ...rest], join(dir, 'refused'), quiet))
      .rejects.toThrow(/member22: its card does not record the fold this merge recomputes.*fold 2 of 3 of the training side left out/);
  });

  it('refuses K-fold members mixed with plain ones, and folds missing or repeated', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'planet-merge-'));
    const { config, data } = await smoke(dir);
    const a = await member(dir, data, 30, { config: foldConfig(2, 0) });
    const b = await member(dir, data, 31, { config: foldConfig(2, 0) });
    const plain = await member(dir, data, 32);
    const c = await member(dir, data, 33, { config: foldConfig(3, 1) });
    const merge = async (dirs: string[]): Promise<unknown> => mergeBundles(config, data, await loadMembers(dirs), join(dir, 'out'), quiet);
    await expect(merge([a, plain])).rejects.toThrow(/K-fold members with members trained without data\.folds: .*member32/);
    await expect(merge([a, b])).rejects.toThrow(/must be the folds 0, 1 of data\.folds\.count=2, once each; got .*member30 \(data\.folds\.index=0\), .*member31 \(data\.folds\.index=0\)/);
    await expect(merge([a, c])).rejects.toThrow(/must share data\.folds\.count=2; these differ: .*member33/);
  });
});
