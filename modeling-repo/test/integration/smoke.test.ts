import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeChip } from '../../src/data/index.js';
import { readBundle, verifyGolden } from '../../src/export/index.js';
import { trainRun } from '../../src/pipeline/train-run.js';
import { parseMetrics, readEventFile } from '../../src/records/index.js';
import { quiet, smokeConfig } from './helpers.js';

describe('smoke experiment end to end', () => {
  it('trains, records the run and exports a bundle whose golden samples round-trip', async () => {
    const { loaded, dir } = await smokeConfig();
    const result = await trainRun({ config: loaded.config, sources: loaded.sources, log: quiet });

    const { card, modelBytes, golden } = await readBundle(result.bundleDir);
    expect(card.labels).toHaveLength(17);
    expect(card.input.size).toBe(loaded.config.model.inputSize);
    expect(golden.length).toBeGreaterThanOrEqual(8);
    const decode = (jpeg: Uint8Array, name: string): Promise<Uint8Array> => decodeChip(jpeg, card.input.size, name);
    expect(await verifyGolden(modelBytes, card.input.size, golden, decode)).toBeLessThan(1e-6);
    // The synthetic tags are learnable: better than predicting every tag everywhere.
    expect(card.metrics.f2).toBeGreaterThan(0.6);

    const metrics = parseMetrics(await readFile(join(result.runDir, 'metrics.jsonl'), 'utf8'), 'metrics.jsonl');
    expect(metrics.filter((r) => r.kind === 'epoch')).toHaveLength(loaded.config.train.epochs);
    expect(metrics.filter((r) => r.kind === 'eval')).toHaveLength(1);
    const files = await readdir(result.runDir);
    expect(files).toEqual(expect.arrayContaining(['config.yaml', 'report.html', 'run.json', 'checkpoint', 'bundle']));
    const events = files.find((name) => name.startsWith('events.out.tfevents.'));
    expect(events).toBeDefined();
    const scalars = (readEventFile(join(result.runDir, events ?? ''))).filter((e) => e.scalars.length > 0);
    expect(scalars.length).toBeGreaterThan(0);
    // The published copy is what DVC versions.
    expect(existsSync(join(dir, 'models', 'model.onnx'))).toBe(true);
  });
});
