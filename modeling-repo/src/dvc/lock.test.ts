import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { dvcLockCommand } from './lock-cli.js';
import { formatLock, lockStage, readLock, writeLock } from './lock.js';
import { configDifferences } from './run-check.js';
import { readStage } from './stage.js';
import { STAGE_FILES, stageProject, writeFiles } from '../../test/support/dvc/stage-project.js';
import { hashDirectory } from './tree.js';

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');
const size = (text: string): number => Buffer.byteLength(text);

describe('dvc.lock', () => {
  it('records cmd, deps, params and outs with DVC 3\'s fields, sorted by path', async () => {
    const root = await stageProject(join(tmpdir(), 'unused-remote'));
    const stage = await readStage(root, 'train');
    expect(stage.cmd[0]).toBe('npm run train -- data=input');
    const locked = await lockStage(root, stage);
    const labels = STAGE_FILES['input/labels.csv'] ?? '';
    expect(locked.deps.map((dep) => dep.path)).toEqual(['input/chips', 'input/labels.csv', 'src']);
    expect(locked.deps[1]).toEqual({ path: 'input/labels.csv', hash: 'md5', md5: md5(labels), size: size(labels) });
    const chip = STAGE_FILES['input/chips/train_0.jpg'] ?? '';
    const chipsListing = `[{"md5": "${md5(chip)}", "relpath": "train_0.jpg"}]`;
    expect(locked.deps[0]).toEqual({ path: 'input/chips', hash: 'md5', md5: `${md5(chipsListing)}.dir`, size: size(chip), nfiles: 1 });
    expect(Object.keys(locked.params['configs/params.yaml'] ?? {})).toEqual(['seed', 'train']);
    expect(locked.outs.map((out) => [out.path, out.nfiles])).toEqual([['pipeline/out/bundle', 3], ['pipeline/out/metrics.json', undefined], ['pipeline/runs', 1]]);
    expect(locked.outs[0]?.md5).toBe((await hashDirectory(join(root, 'pipeline/out/bundle'))).md5);
  });

  it('is written as DVC writes it: schema \'2.0\' first, block lists, and nothing left behind but dvc.lock', async () => {
    const root = await stageProject(join(tmpdir(), 'unused-remote'));
    const locked = await lockStage(root, await readStage(root, 'train'));
    await writeLock(root, { train: locked });
    const text = await readFile(join(root, 'dvc.lock'), 'utf8');
    expect(text.startsWith("schema: '2.0'\nstages:\n  train:\n    cmd:\n    - npm run train -- data=input\n")).toBe(true);
    expect(text).toContain('    deps:\n    - path: input/chips\n      hash: md5\n      md5: ');
    expect(parse(text)).toEqual({ schema: '2.0', stages: { train: locked } });
    expect(await readLock(root)).toEqual({ train: locked });
    expect((await readdir(root)).filter((name) => name.includes('.tmp'))).toEqual([]);
    expect(formatLock({ train: locked })).toBe(text);
  });

  it('fails naming the dependency that is absent on this machine, and writes nothing', async () => {
    const root = await stageProject(join(tmpdir(), 'unused-remote'));
    await rm(join(root, 'input', 'chips'), { recursive: true });
    await expect(lockStage(root, await readStage(root, 'train'))).rejects.toThrow(`dependencies not found on this machine: ${join(root, 'input/chips')}`);
    expect(await readLock(root)).toBeUndefined();
  });

  it('lists the configuration keys where a run differs from the stage command', () => {
    expect(configDifferences({ train: { epochs: 20, lr: 0.1 }, seed: 1 }, { train: { epochs: 1, lr: 0.1 }, seed: 1, data: { limit: 8000 } })).toEqual(['data', 'train.epochs']);
    expect(configDifferences({ a: [1, 2] }, { a: [1, 2] })).toEqual([]);
  });
});

describe('npm run dvc:lock', () => {
  const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

  it('refuses a run that is not the stage\'s result here, says why, and writes no dvc.lock', async () => {
    const run = await mkdtemp(join(tmpdir(), 'run-'));
    await writeFiles(run, {
      'run.json': '{"status":"completed"}',
      'bundle/model.json': JSON.stringify({ training: { gitCommit: '0123456789abcdef0123456789abcdef01234567', config: { experiment: 'baseline', train: { epochs: 1 } } } }),
    });
    const lockBefore = existsSync(join(ROOT, 'dvc.lock'));
    const error = await dvcLockCommand(ROOT, [run], () => undefined, {}).then(() => undefined, (reason: unknown) => reason as Error);
    expect(error?.message).toContain(`${run} is not inside the stage's runs output ${join(ROOT, 'pipeline', 'runs')}`);
    expect(error?.message).toMatch(/its configuration differs from the stage command's in: .*train\.epochs/);
    expect(error?.message).toContain('trained at commit 0123456789abcdef0123456789abcdef01234567');
    expect(existsSync(join(ROOT, 'dvc.lock'))).toBe(lockBefore);
    await expect(dvcLockCommand(ROOT, [], () => undefined, {})).rejects.toThrow(/usage: npm run dvc:lock -- RUN_DIR/);
  });
});
