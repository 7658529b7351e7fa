import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config/index.js';
import { foldOverrides, kfoldRun } from '../../src/ensemble/index.js';
import { readBundle } from '../../src/export/index.js';
import { PACKAGE_ROOT, quiet, smokeConfig } from './helpers.js';

const FOLDS = 2;
const run = promisify(execFile);

describe('K-fold training (npm run kfold)', () => {
  it('trains one run per fold, each without its fold, and merges them with out-of-fold thresholds', async () => {
    const { dir, loaded } = await smokeConfig();
    const base = [`runs.dir=${join(dir, 'runs')}`, 'export.publishDir=', `data.cacheDir=${join(dir, 'cache')}`];
    const configFor = (index: number): ReturnType<typeof loadConfig> =>
      loadConfig({ configDir: join(PACKAGE_ROOT, 'configs'), exp: 'smoke', overrides: [...base, ...foldOverrides(FOLDS, index)] });
    const outDir = join(dir, 'kfold');
    const result = await kfoldRun({ count: FOLDS, configFor, outDir, log: quiet });

    expect(result.runs.map((r) => (r.card.training.config as { data: { folds: unknown } }).data.folds)).toEqual([{ count: 2, index: 0 }, { count: 2, index: 1 }]);
    const merged = await readBundle(outDir);
    expect(merged.card.ensemble?.members.map((m) => m.onnxSha256)).toEqual(result.runs.map((r) => r.card.onnx.sha256));
    // Every chip of the training side is scored once, by the run that left it out.
    const trainingSide = Math.round(loaded.config.data.synthetic.count * (1 - loaded.config.data.valFraction));
    expect(result.merge.outOfFold?.images).toBe(trainingSide);
    expect(merged.card.metrics.images).toBe(loaded.config.data.synthetic.count - trainingSide);
    expect(merged.card.metrics.f2).toBeCloseTo(result.merge.atThresholds.f2, 10);
  });

  it('refuses fewer than two folds, naming the argument', async () => {
    const failed = run('npx', ['tsx', 'src/cli/kfold.ts', 'exp=smoke', 'folds=1', 'out=/tmp/never'], { cwd: PACKAGE_ROOT });
    await expect(failed).rejects.toMatchObject({ stderr: expect.stringContaining('folds=1: expected a whole number of folds, 2 or more') as unknown });
  });
});
