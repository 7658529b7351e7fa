import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config/index.js';
import { kfoldRun, kfoldRunOverrides } from '../../src/ensemble/index.js';
import { LABELS } from '../../src/data/index.js';
import { readBundle } from '../../src/export/index.js';
import { PACKAGE_ROOT, quiet, smokeConfig } from './helpers.js';

const FOLDS = 2;
const run = promisify(execFile);

describe('K-fold training (npm run kfold)', () => {
  it('trains one run per fold, each without its fold, and merges them with out-of-fold thresholds', async () => {
    const { dir, loaded } = await smokeConfig();
    const base = [`runs.dir=${join(dir, 'runs')}`, 'export.publishDir=', `data.cacheDir=${join(dir, 'cache')}`];
    const configFor = (index: number): ReturnType<typeof loadConfig> =>
      loadConfig({ configDir: join(PACKAGE_ROOT, 'configs'), exp: 'smoke', overrides: [...base, ...kfoldRunOverrides('smoke', FOLDS, index)] });
    const outDir = join(dir, 'kfold');
    // One tracker set per run (a tracker records one run), made from that fold's configuration.
    const trackedFolds: unknown[] = [];
    const trackersFor = (config: { data: { folds?: unknown } }): [] => { trackedFolds.push(config.data.folds); return []; };
    const result = await kfoldRun({ count: FOLDS, configFor, outDir, log: quiet, trackersFor });

    expect(result.runs.map((r) => (r.card.training.config as { data: { folds: unknown } }).data.folds)).toEqual([{ count: 2, index: 0 }, { count: 2, index: 1 }]);
    expect(trackedFolds).toEqual([{ count: 2, index: 0 }, { count: 2, index: 1 }]);
    expect(result.runs.map((r) => r.card.training.experiment)).toEqual(['smoke-fold0', 'smoke-fold1']);
    const merged = await readBundle(outDir);
    expect(merged.card.ensemble?.members.map((m) => m.onnxSha256)).toEqual(result.runs.map((r) => r.card.onnx.sha256));
    // Every chip of the training side is scored once, by the run that left it out.
    const trainingSide = Math.round(loaded.config.data.synthetic.count * (1 - loaded.config.data.valFraction));
    expect(result.merge.outOfFold?.images).toBe(trainingSide);
    expect(merged.card.metrics.images).toBe(loaded.config.data.synthetic.count - trainingSide);
    // The card carries the out-of-fold thresholds, not the ones tuned on validation.
    const tuned = result.merge.outOfFold?.tuned.thresholds ?? [];
    expect(LABELS.map((label) => merged.card.thresholds[label])).toEqual(tuned.map((t) => Number(t.toFixed(4))));
  });

  it('refuses fewer than two folds, naming the argument', async () => {
    const failed = run('npx', ['tsx', 'src/cli/kfold.ts', 'exp=smoke', 'folds=1', 'out=/tmp/never'], { cwd: PACKAGE_ROOT });
    await expect(failed).rejects.toMatchObject({ stderr: expect.stringContaining('folds=1: expected a whole number of folds, 2 or more') as unknown });
  });
});
