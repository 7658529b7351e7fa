import { describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './errors.js';
import { configToYaml, loadConfig, loadSavedConfig, parseArgs } from './index.js';

const CONFIG_DIR = resolve('configs');
const PACKAGE_ROOT = resolve('.');

/** A config folder holding the real defaults plus the given experiment files. */
async function fixtureDir(experiments: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'config-'));
  await mkdir(join(dir, 'exp'));
  const { readFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'defaults.yaml'), await readFile(join(CONFIG_DIR, 'defaults.yaml'), 'utf8'));
  for (const [name, text] of Object.entries(experiments)) await writeFile(join(dir, 'exp', `${name}.yaml`), text);
  return dir;
}

async function loadError(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('makes exp=release the baseline trained the same way, exported with test-time augmentation', async () => {
    const env = { PLANET_DATA_DIR: '/data/planet', BACKBONES_DIR: '/data/backbones' };
    const release = (await loadConfig({ configDir: CONFIG_DIR, exp: 'release', overrides: [], env })).config;
    const baseline = (await loadConfig({ configDir: CONFIG_DIR, exp: 'baseline', overrides: [], env })).config;
    expect(release.export.tta).toBe(true);
    expect(baseline.export.tta).toBe(false);
    expect({ data: release.data, model: release.model, train: release.train, seed: release.seed }).toEqual({
      data: baseline.data,
      model: baseline.model,
      train: baseline.train,
      seed: baseline.seed,
    });
  });

  it('applies defaults < experiment < command line and tracks each key’s source', async () => {
    const { config, sources } = await loadConfig({ configDir: CONFIG_DIR, exp: 'smoke', overrides: ['train.batchSize=8'], env: {} });
    expect(config.experiment).toBe('smoke');
    expect(config.seed).toBe(42);
    expect(config.train.epochs).toBe(3);
    expect(config.train.batchSize).toBe(8);
    expect(sources.seed).toMatch(/^configs\/defaults\.yaml:\d+$/);
    expect(sources['train.epochs']).toMatch(/^configs\/exp\/smoke\.yaml:\d+$/);
    expect(sources['train.batchSize']).toBe("command line 'train.batchSize=8'");
    expect(sources.experiment).toBe("command line 'exp=smoke'");
  });

  it('types choice keys as their literal values (checked by the type checker too)', async () => {
    const { config } = await loadConfig({ configDir: CONFIG_DIR, exp: 'smoke', env: {} });
    const kind: 'mobilenet_v2' | 'tiny_cnn' = config.model.backbone.kind;
    const policy: 'fail' | 'skip' = config.data.onInvalid;
    // @ts-expect-error a choice key is not an arbitrary string
    const device: 'tpu' = config.device;
    expect([kind, policy, device]).toEqual(['tiny_cnn', 'fail', 'cpu']);
  });

  it('returns a frozen configuration', async () => {
    const { config } = await loadConfig({ configDir: CONFIG_DIR, exp: 'smoke', env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.train.lrMultipliers)).toBe(true);
    expect(() => {
      (config.train as { epochs: number }).epochs = 99;
    }).toThrow(TypeError);
  });

  it('names the key and file line of an unknown key in an experiment file', async () => {
    const dir = await fixtureDir({ typo: 'train:\n  epochs: 2\n  learningRate: 0.1\n' });
    const error = await loadError(loadConfig({ configDir: dir, exp: 'typo', env: {} }));
    expect(error.key).toBe('train.learningRate');
    expect(error.source).toMatch(/exp\/typo\.yaml:3$/);
    expect(error.message).toContain('unknown key');
  });

  it('names the key and command-line argument of an unknown key', async () => {
    const error = await loadError(loadConfig({ configDir: CONFIG_DIR, exp: 'smoke', overrides: ['model.backbone.knd=x'], env: {} }));
    expect(error.message).toBe("config key 'model.backbone.knd' (from command line 'model.backbone.knd=x'): unknown key; did you mean 'model.backbone.kind'?");
  });

  it('reports wrong types with the key, the expected type and the source', async () => {
    const dir = await fixtureDir({ bad: 'train:\n  epochs: three\ndevice: tpu\n' });
    const error = await loadError(loadConfig({ configDir: dir, exp: 'bad', overrides: ['train.batchSize=1.5', 'data.sources=x'], env: {} }));
    const byKey = Object.fromEntries(error.issues.map((issue) => [issue.key, issue]));
    expect(byKey['train.epochs']?.message).toBe('expected an integer, got "three"');
    expect(byKey['train.epochs']?.source).toMatch(/exp\/bad\.yaml:2$/);
    expect(byKey.device?.message).toBe('expected one of "cpu", "webgpu", "cuda", got "tpu"');
    expect(byKey['train.batchSize']?.source).toBe("command line 'train.batchSize=1.5'");
    expect(byKey['data.sources']?.message).toContain('expected a list of (a string)');
    expect(error.message).toContain('invalid configuration (4 problems)');
  });

  it('reports values out of range and bad list items', async () => {
    const error = await loadError(loadConfig({
      configDir: CONFIG_DIR, exp: 'smoke', overrides: ['export.goldenCount=4', 'train.augment.dihedral=[rot90, spin]'], env: {},
    }));
    const keys = error.issues.map((issue) => issue.key);
    expect(keys).toContain('export.goldenCount');
    expect(error.message).toMatch(/'export.goldenCount' \(from command line 'export.goldenCount=4'\): expected integer to be greater or equal to 8/);
    expect(error.issues.find((issue) => issue.key === 'train.augment.dihedral[1]')?.message).toMatch(/^expected one of "identity", .*, got "spin"$/);
  });

  it('keeps mixup off by default, takes it from the command line and rejects an alpha of 0', async () => {
    const { config } = await loadConfig({ configDir: CONFIG_DIR, exp: 'baseline', env: {} });
    expect(config.train.augment.mixup?.probability).toBe(0);
    const on = await loadConfig({ configDir: CONFIG_DIR, exp: 'smoke', overrides: ['train.augment.mixup.probability=0.5', 'train.augment.mixup.alpha=0.2'], env: {} });
    expect(on.config.train.augment.mixup).toEqual({ probability: 0.5, alpha: 0.2 });
    const error = await loadError(loadConfig({ configDir: CONFIG_DIR, exp: 'smoke', overrides: ['train.augment.mixup.alpha=0'], env: {} }));
    expect(error.issues.map((issue) => issue.key)).toEqual(['train.augment.mixup.alpha']);
  });

  it('interpolates environment variables and resolves relative paths against the package root', async () => {
    const withEnv = await loadConfig({ configDir: CONFIG_DIR, exp: 'baseline', env: { PLANET_DATA_DIR: '/data/planet', BACKBONES_DIR: 'bb' } });
    expect(withEnv.config.data.labels).toBe('/data/planet/train_v2.csv');
    expect(withEnv.config.data.sources).toEqual(['/data/planet/train-jpg', '/data/planet/train-jpg-32.tar']);
    expect(withEnv.config.model.backbone.path).toBe(join(PACKAGE_ROOT, 'bb', 'mobilenet_v2_1.0_224_imagenet.onnx'));
    expect(withEnv.sources['data.labels']).toMatch(/baseline\.yaml:\d+ \(\$PLANET_DATA_DIR from the environment\)$/);
    const withoutEnv = await loadConfig({ configDir: CONFIG_DIR, exp: 'baseline', env: {} });
    expect(withoutEnv.config.data.labels).toBe(resolve(PACKAGE_ROOT, '../../shared/planet/train_v2.csv'));
    expect(withoutEnv.config.runs.dir).toBe(join(PACKAGE_ROOT, 'runs'));
    expect(withoutEnv.config.model.backbone.url).toBe('');
  });

  it('takes list values from the command line', async () => {
    const { config } = await loadConfig({
      configDir: CONFIG_DIR, exp: 'smoke', overrides: ['data.sources=[/a.tar, /b]', 'train.augment.dihedral=[identity, rot180]'], env: {},
    });
    expect(config.data.sources).toEqual(['/a.tar', '/b']);
    expect(config.train.augment.dihedral).toEqual(['identity', 'rot180']);
  });

  it('names the missing experiment file and lists the available ones', async () => {
    const error = await loadError(loadConfig({ configDir: CONFIG_DIR, exp: 'nosuch', env: {} }));
    expect(error.message).toContain('experiment file configs/exp/nosuch.yaml not found');
    expect(error.message).toContain('available experiments: baseline, release, smoke');
  });

  it('names the line of invalid YAML', async () => {
    const dir = await fixtureDir({ broken: 'train:\n  epochs: 3\n   batchSize: [1\n' });
    const error = await loadError(loadConfig({ configDir: dir, exp: 'broken', env: {} }));
    expect(error.message).toMatch(/exp\/broken\.yaml:\d+: not valid YAML/);
  });

  it('lets the experiment file set its own name', async () => {
    const dir = await fixtureDir({ mine: 'experiment: renamed\n' });
    const { config, sources } = await loadConfig({ configDir: dir, exp: 'mine', env: {} });
    expect(config.experiment).toBe('renamed');
    expect(sources.experiment).toMatch(/exp\/mine\.yaml:1$/);
  });
});

describe('saved configuration', () => {
  it('round-trips through YAML with sources as comments', async () => {
    const loaded = await loadConfig({ configDir: CONFIG_DIR, exp: 'smoke', overrides: ['+data.synthetic.size=16'], env: {} });
    const text = configToYaml(loaded.config, loaded.sources);
    expect(text).toContain("size: 16 # command line '+data.synthetic.size=16'");
    expect(parseYaml(text)).toEqual(loaded.config);
    const dir = await mkdtemp(join(tmpdir(), 'saved-'));
    await writeFile(join(dir, 'config.yaml'), text);
    const again = await loadSavedConfig(join(dir, 'config.yaml'), ['train.epochs=1'], {});
    expect(again.config).toEqual({ ...loaded.config, train: { ...loaded.config.train, epochs: 1 } });
    expect(again.sources['train.lr']).toMatch(/^configs\/exp\/smoke\.yaml:\d+$/);
    expect(again.sources['data.synthetic.size']).toBe("command line '+data.synthetic.size=16'");
    expect(again.sources['train.epochs']).toBe("command line 'train.epochs=1'");
    // Without comments, the saved file's own lines are the sources.
    await writeFile(join(dir, 'plain.yaml'), configToYaml(loaded.config));
    expect((await loadSavedConfig(join(dir, 'plain.yaml'), [], {})).sources['train.lr']).toMatch(/plain\.yaml:\d+$/);
  });

  it('loads a configuration saved before train.labelSmoothing existed, and a run can add it', async () => {
    const loaded = await loadConfig({ configDir: CONFIG_DIR, exp: 'smoke', env: {} });
    expect(loaded.config.train.labelSmoothing).toBe(0);
    const olderTrain = { ...loaded.config.train };
    delete olderTrain.labelSmoothing;
    const dir = await mkdtemp(join(tmpdir(), 'saved-'));
    await writeFile(join(dir, 'older.yaml'), configToYaml({ ...loaded.config, train: olderTrain }));
    expect((await loadSavedConfig(join(dir, 'older.yaml'), [], {})).config.train.labelSmoothing).toBeUndefined();
    expect((await loadSavedConfig(join(dir, 'older.yaml'), ['+train.labelSmoothing=0.1'], {})).config.train.labelSmoothing).toBe(0.1);
    await expect(loadConfig({ configDir: CONFIG_DIR, exp: 'smoke', overrides: ['train.labelSmoothing=1'], env: {} })).rejects.toThrow(/labelSmoothing/);
  });
});

describe('parseArgs', () => {
  it('splits the experiment, overrides, named and positional arguments', () => {
    const parsed = parseArgs(['--', 'exp=baseline', 'train.epochs=3', 'seed=7', '+data.synthetic.size=8', '~x', 'resume=runs/a', 'trian.epochs=1', 'a.jpg']);
    expect(parsed).toEqual({
      exp: 'baseline',
      overrides: ['train.epochs=3', 'seed=7', '+data.synthetic.size=8', '~x', 'trian.epochs=1'],
      named: { resume: 'runs/a' },
      positional: ['a.jpg'],
    });
  });

  it('rejects an argument given twice', () => {
    expect(() => parseArgs(['exp=a', 'exp=b'])).toThrow("command line 'exp=b': exp is given twice (already exp=a)");
  });
});
