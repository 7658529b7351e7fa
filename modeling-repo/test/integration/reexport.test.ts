import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { loadSavedConfig, type LoadedConfig } from '../../src/config/index.js';
import { readBundle } from '../../src/export/index.js';
import { reexportRun } from '../../src/pipeline/reexport-run.js';
import { trainRun } from '../../src/pipeline/train-run.js';
import { CONFIG_FILE } from '../../src/records/index.js';
import { quiet, smokeConfig } from './helpers.js';

describe('exporting a finished run again', () => {
  it('reproduces the run\'s model.onnx byte for byte, and adds test-time augmentation when asked', async () => {
    const { loaded } = await smokeConfig(['train.epochs=1']);
    const run = await trainRun({ config: loaded.config, log: quiet });
    const original = await readBundle(run.bundleDir);
    const saved = (overrides: string[]): Promise<LoadedConfig> => loadSavedConfig(join(run.runDir, CONFIG_FILE), ['export.publishDir=', ...overrides]);

    const again = await reexportRun(run.runDir, (await saved(['export.name=again'])).config, quiet);
    expect(again.card.onnx.sha256).toBe(original.card.onnx.sha256);
    expect(again.card.metrics.f2).toBeCloseTo(original.card.metrics.f2, 6);

    const tta = await reexportRun(run.runDir, (await saved(['export.name=tta', 'export.tta=true'])).config, quiet);
    expect(tta.card.onnx.sha256).not.toBe(original.card.onnx.sha256);
    expect(tta.card.inference?.testTimeAugmentation).toBe(true);
    expect(tta.msPerBatch.shipped).toBeGreaterThan(0);
    expect((await readBundle(tta.dir)).golden.length).toBe(original.golden.length);
  });
});
