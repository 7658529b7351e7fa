import { describe, expect, it } from '@jest/globals';
import { decodeChip } from '../../src/data/index.js';
import { readBundle, verifyGolden } from '../../src/export/index.js';
import { trainRun } from '../../src/pipeline/train-run.js';
import { smokeConfig } from './helpers.js';

describe('export.tta=true', () => {
  it('ships a model with test-time augmentation that its card declares and its golden chips prove', async () => {
    const { loaded } = await smokeConfig(['export.tta=true', 'train.epochs=1']);
    const lines: string[] = [];
    const result = await trainRun({ config: loaded.config, log: (line) => { lines.push(line); } });
    const { card, modelBytes, golden } = await readBundle(result.bundleDir);
    expect(card.inference).toMatchObject({ testTimeAugmentation: true, views: 8 });
    expect(card.training.config).toMatchObject({ export: { tta: true } });
    const size = card.input.size;
    expect(await verifyGolden(modelBytes, size, golden, (jpeg, name) => decodeChip(jpeg, size, name))).toBeLessThan(1e-6);
    // The export compared the graph with the plain model on the pipeline's own 8 transforms.
    expect(lines.some((line) => /test-time augmentation vs 8 transformed chips max \|diff\| [0-9.e+-]+/.test(line))).toBe(true);
  });
});
