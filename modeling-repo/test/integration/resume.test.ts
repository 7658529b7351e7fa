import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBundle } from '../../src/export/index.js';
import { RunInterrupted, trainRun } from '../../src/pipeline/train-run.js';
import type { MetricsRecord } from '../../src/records/index.js';
import { quiet, smokeConfig, stopAfter } from './helpers.js';

const BASE = ['train.epochs=3', 'train.earlyStopping.patience=0'];
/** Bundle hashes of the straight runs, by variant: the weight average must change the model. */
const shas = new Map<string, string>();

describe('resume', () => {
  it.each([
    ['plain weights', BASE],
    ['a weight average (train.emaDecay)', [...BASE, 'train.emaDecay=0.9']],
  ])('continues an interrupted run with %s to the same model as an uninterrupted one', async (variant, overrides) => {
    const straight = await smokeConfig(overrides);
    const full = await trainRun({ config: straight.loaded.config, log: quiet });

    const interrupted = await smokeConfig(overrides);
    const controller = new AbortController();
    const first = trainRun({ config: interrupted.loaded.config, log: quiet, signal: controller.signal, extraTrackers: [stopAfter(1, controller)] });
    const stopped = await first.then(() => undefined, (error: unknown) => error);
    expect(stopped).toBeInstanceOf(RunInterrupted);
    const { runDir } = stopped as RunInterrupted;
    expect(JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'))).toMatchObject({ status: 'stopped' });

    const resumed = await trainRun({ config: interrupted.loaded.config, log: quiet, resumeDir: runDir });
    const a = await readBundle(full.bundleDir);
    const b = await readBundle(resumed.bundleDir);
    expect(b.card.onnx.sha256).toBe(a.card.onnx.sha256);
    expect(b.golden.map((g) => g.probabilities)).toEqual(a.golden.map((g) => g.probabilities));
    const lines = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as MetricsRecord);
    expect(lines.flatMap((r) => (r.kind === 'epoch' ? [r.epoch] : []))).toEqual([1, 2, 3]);
    // With an average, each epoch also reports the unaveraged weights' F2 (what the average adds).
    const averaged = overrides.some((o) => o.startsWith('train.emaDecay'));
    expect(lines.flatMap((r) => (r.kind === 'epoch' ? [typeof r.valF2Raw === 'number'] : []))).toEqual([averaged, averaged, averaged]);
    shas.set(variant, a.card.onnx.sha256);
    expect(new Set(shas.values()).size).toBe(shas.size);
  });
});
