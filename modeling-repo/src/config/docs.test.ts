import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { extractKeyDocs, renderConfigDocs } from './docs.js';
import { leafPaths, listExperiments, loadConfig } from './index.js';

const DEFAULTS = resolve('configs/defaults.yaml');

describe('configuration reference', () => {
  it('documents every schema key with a comment in defaults.yaml', async () => {
    const docs = new Map(extractKeyDocs(await readFile(DEFAULTS, 'utf8')).map((doc) => [doc.key, doc]));
    const undocumented = leafPaths().filter((key) => (docs.get(key)?.description ?? '') === '');
    expect(undocumented).toEqual([]);
    expect([...docs.keys()].filter((key) => !leafPaths().includes(key))).toEqual([]);
  });

  it('docs/config.md is up to date (regenerate: npx tsx src/config/write-docs.ts)', async () => {
    const committed = await readFile(resolve('docs/config.md'), 'utf8');
    expect(committed).toBe(renderConfigDocs(await readFile(DEFAULTS, 'utf8')));
  });

  it('reads comments, defaults and commented-out optional keys', () => {
    const text = 'a: 1\n# Section comment.\ndata:\n  # The labels.\n  # Two lines.\n  labels: x.csv # trailing\n  synthetic:\n    # Optional size.\n    # size: 32\n';
    expect(extractKeyDocs(text)).toEqual([
      { key: 'a', defaultText: '1', description: '' },
      { key: 'data.labels', defaultText: 'x.csv', description: 'The labels. Two lines.' },
      { key: 'data.synthetic.size', defaultText: 'unset', description: 'Optional size.' },
    ]);
  });
});

describe('shipped configuration files', () => {
  it('the defaults alone and every experiment are valid', async () => {
    const configDir = resolve('configs');
    await expect(loadConfig({ configDir, env: {} })).resolves.toBeDefined();
    const experiments = await listExperiments(configDir);
    expect(experiments).toEqual(expect.arrayContaining(['baseline', 'smoke']));
    for (const exp of experiments) {
      const { config } = await loadConfig({ configDir, exp, env: {} });
      expect(config.experiment).toBe(exp);
    }
  });

  it('smoke uses synthetic data and the tiny CNN; baseline the Planet data and MobileNetV2', async () => {
    const configDir = resolve('configs');
    const smoke = (await loadConfig({ configDir, exp: 'smoke', env: {} })).config;
    expect(smoke.data.synthetic.enabled).toBe(true);
    expect(smoke.model.backbone.kind).toBe('tiny_cnn');
    const baseline = (await loadConfig({ configDir, exp: 'baseline', env: { PLANET_DATA_DIR: '/p', BACKBONES_DIR: '/b' } })).config;
    expect(baseline.data.synthetic.enabled).toBe(false);
    expect(baseline.data.sources).toEqual(['/p/train-jpg', '/p/train-jpg-32.tar']);
    expect(baseline.model).toMatchObject({ inputSize: 32, trainSize: 64, backbone: { kind: 'mobilenet_v2', format: 'onnx', path: '/b/mobilenet_v2_1.0_224_imagenet.onnx' } });
    expect(baseline.train.trainable).toBe('all');
    expect(baseline.train.lrMultipliers.backbone).toBeLessThan(baseline.train.lrMultipliers.head);
  });
});
