import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { collectRun, latestCompletedRun } from './collect.js';
import { loadDvcConfig, resolveRemote } from './config.js';
import { DVC_YAML_SCHEMA } from '../../test/support/dvc/dvc-yaml-schema.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dvcYaml = parse(readFileSync(join(ROOT, 'dvc.yaml'), 'utf8')) as { stages: Record<string, { cmd: string[]; deps: string[]; params: Record<string, null>[]; outs: unknown[] }> };
const validate = new Ajv({ strict: false }).compile(DVC_YAML_SCHEMA);

describe('dvc.yaml', () => {
  it('is valid against DVC\'s dvc.yaml schema', () => {
    expect(validate(dvcYaml)).toBe(true);
    expect(validate.errors ?? null).toBeNull();
  });

  it('the schema is not vacuous: typos and unknown flags are refused', () => {
    const train = dvcYaml.stages.train!;
    expect(validate({ stages: { train: { ...train, dep: ['src'] } } })).toBe(false);
    expect(validate({ stages: { train: { ...train, outs: [{ 'a.onnx': { cached: true } }] } } })).toBe(false);
    expect(validate({ stages: { train: { deps: ['src'] } } })).toBe(false);
  });

  const published = process.env.DVC_YAML_SCHEMA_FILE;
  const withPublished = published !== undefined && existsSync(published) ? it : it.skip;
  if (published === undefined) console.log('dvc.yaml: set DVC_YAML_SCHEMA_FILE to a copy of DVC\'s published schema.json to validate against it too');
  withPublished('is valid against the published schema file', () => {
    const full = new Ajv({ strict: false }).compile(JSON.parse(readFileSync(published ?? '', 'utf8')) as object);
    expect(full(dvcYaml)).toBe(true);
  });

  it('names things that exist: package deps, params files, npm scripts', () => {
    const train = dvcYaml.stages.train!;
    // The data deps (`${planet}/...`) are the user's files, not the package's.
    for (const dep of train.deps.filter((path) => !path.startsWith('../') && !path.includes('${'))) expect([dep, existsSync(join(ROOT, dep))]).toEqual([dep, true]);
    for (const param of train.params) {
      for (const file of Object.keys(param)) {
        expect(typeof parse(readFileSync(join(ROOT, file), 'utf8'))).toBe('object');
      }
    }
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const command of train.cmd) {
      const script = /^npm run ([\w:-]+)/.exec(command)?.[1];
      expect(script !== undefined && script in scripts).toBe(true);
    }
  });

  it('comes with a .dvc/config naming a default remote, a .dvcignore and the .gitignore entries DVC writes', async () => {
    const remote = resolveRemote(await loadDvcConfig(ROOT), ROOT, {});
    expect(remote.name).toBe('local');
    expect(readFileSync(join(ROOT, '.dvc', '.gitignore'), 'utf8')).toBe('/config.local\n/tmp\n/cache\n');
    expect(existsSync(join(ROOT, '.dvcignore'))).toBe(true);
    expect(readFileSync(join(ROOT, 'models', '.gitignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['/model.onnx', '/model.json', '/golden.json']));
    expect(readFileSync(join(ROOT, 'pipeline', 'baseline', '.gitignore'), 'utf8')).toBe('/bundle\n');
  });
});

describe('dvc:collect', () => {
  async function fakeRun(runs: string, name: string, status: string, mtime: number): Promise<string> {
    const dir = join(runs, name);
    await mkdir(join(dir, 'bundle'), { recursive: true });
    await writeFile(join(dir, 'bundle', 'model.onnx'), name);
    await writeFile(join(dir, 'bundle', 'model.json'), JSON.stringify({ metrics: { f2: 0.9, f2AtThreshold0_2: 0.88, images: 10 } }));
    await writeFile(join(dir, 'bundle', 'golden.json'), '[]');
    const epoch = (n: number): string => JSON.stringify({ kind: 'epoch', epoch: n, step: n * 5, trainLoss: 1 / n, valF2: 0.8, lr: 0.001, imagesPerSecond: 50, seconds: 3 });
    const evalLine = JSON.stringify({ kind: 'eval', split: 'val', step: 10, images: 10, f2: 0.9, f2AtFixedThreshold: 0.88, fixedThreshold: 0.2, thresholds: {}, perClass: {} });
    await writeFile(join(dir, 'metrics.jsonl'), `${epoch(1)}\n${epoch(2)}\n${evalLine}\n`);
    await writeFile(join(dir, 'run.json'), JSON.stringify({ status }));
    await utimes(join(dir, 'run.json'), mtime, mtime);
    return dir;
  }

  it('takes the newest completed run and writes bundle, metrics.json and plots/epochs.json', async () => {
    const runs = await mkdtemp(join(tmpdir(), 'runs-'));
    await fakeRun(runs, 'baseline-old', 'completed', 1000);
    const newest = await fakeRun(runs, 'baseline-new', 'completed', 2000);
    await fakeRun(runs, 'baseline-failed', 'failed', 3000);
    expect(await latestCompletedRun(runs)).toBe(newest);
    const out = join(runs, 'out');
    await collectRun(newest, out);
    expect(await readFile(join(out, 'bundle', 'model.onnx'), 'utf8')).toBe('baseline-new');
    expect(JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'))).toEqual({ f2: 0.9, f2AtThreshold0_2: 0.88, images: 10 });
    const epochs = JSON.parse(await readFile(join(out, 'plots', 'epochs.json'), 'utf8')) as { epoch: number }[];
    expect(epochs.map((row) => row.epoch)).toEqual([1, 2]);
    await expect(latestCompletedRun(join(runs, 'none'))).rejects.toThrow(/no completed run/);
  });
});

describe('dvc.yaml data paths (vars from configs/dvc-data.yaml)', () => {
  const vars = parse(readFileSync(join(ROOT, 'configs', 'dvc-data.yaml'), 'utf8')) as Record<string, string>;
  const put = (text: string): string => text.replace(/\$\{(\w+)\}/g, (_, key: string) => vars[key] ?? `\${${key}}`);

  it('every var the stage uses is defined, and the deps hold no machine-specific path', () => {
    const train = dvcYaml.stages.train!;
    for (const text of [...train.cmd, ...train.deps]) expect(put(text)).not.toMatch(/\$\{/);
    expect(train.deps.filter((dep) => dep.includes('shared'))).toEqual([]);
  });

  it('the training command reads its data and backbone from the very paths the stage depends on', async () => {
    const { loadConfig, parseArgs } = await import('../config/index.js');
    const train = dvcYaml.stages.train!;
    const args = put(train.cmd[0]!).replace(/^npm run train -- /, '').split(' ');
    const parsed = parseArgs(args);
    const { exp } = parsed;
    const { config } = await loadConfig({ configDir: join(ROOT, 'configs'), exp, overrides: parsed.overrides, env: {}, baseDir: ROOT });
    const deps = train.deps.map((dep) => join(ROOT, put(dep)));
    expect(deps).toEqual(expect.arrayContaining([config.data.labels, ...config.data.sources, config.model.backbone.path].map((path) => join(path))));
  });
});
