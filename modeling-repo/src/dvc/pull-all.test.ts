import { describe, expect, it } from '@jest/globals';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dvcAdd } from './add.js';
import { objectPath } from './cache.js';
import { hashBytes } from './md5.js';
import { cacheOutputs, lockStage, writeLock } from './lock.js';
import { dvcPullCommand, dvcPushCommand } from './lock-cli.js';
import { openDvcRepo } from './repo.js';
import { readStage } from './stage.js';
import { STAGE_FILES, stageProject, writeFiles } from '../../test/support/dvc/stage-project.js';

const quiet = (): void => undefined;
const MODEL_CARD = '{"schema":"planet-model-card/1"}\n';
/** What git holds: the stage, its vars and params files, the lock, the config and the pointer. */
const COMMITTED = ['dvc.yaml', 'dvc.lock', 'configs/data.yaml', 'configs/params.yaml', '.dvc/config', 'models/model.json.dvc'];
const CACHED_OUTS = ['pipeline/out/bundle/model.onnx', 'pipeline/out/bundle/model.json', 'pipeline/out/bundle/sub/golden.json'];

/** Runs the stage's bookkeeping in a workspace, then makes a folder remote from its cache. */
async function published(): Promise<{ root: string; remote: string; bundleMd5: string }> {
  const remote = await mkdtemp(join(tmpdir(), 'dvc-remote-'));
  const root = await stageProject(remote);
  await writeFiles(root, { 'models/model.json': MODEL_CARD });
  const repo = await openDvcRepo(root);
  const stage = await readStage(root, 'train');
  const locked = await lockStage(root, stage);
  await writeLock(root, { train: locked });
  await cacheOutputs(repo, stage);
  await dvcAdd(repo, [join(root, 'models', 'model.json')]);
  const pushed: string[] = [];
  await dvcPushCommand(root, [], (line) => pushed.push(line), {});
  expect(pushed.at(-1)).toMatch(/^5 pushed, 0 already on /);
  const bundle = locked.outs.find((out) => out.path === 'pipeline/out/bundle');
  return { root, remote, bundleMd5: bundle?.md5 ?? '' };
}

/** A fresh clone: a git-free folder with only the committed files. */
async function cloneOf(root: string): Promise<string> {
  const clone = await mkdtemp(join(tmpdir(), 'dvc-clone-'));
  for (const path of COMMITTED) await cp(join(root, path), join(clone, path));
  return clone;
}

const exists = async (path: string): Promise<boolean> => (await stat(path).catch(() => undefined)) !== undefined;

describe('plain dvc pull (no targets) in a fresh clone', () => {
  it('checks out every pointer and every cached dvc.lock output, directories through their .dir object', async () => {
    const { root, remote, bundleMd5 } = await published();
    expect(bundleMd5).toMatch(/^[0-9a-f]{32}\.dir$/);
    // The folder remote has DVC's layout: files/md5/xx/yyyy for each file, the .dir listing beside them.
    expect(await exists(join(remote, objectPath(bundleMd5)))).toBe(true);
    for (const path of CACHED_OUTS) expect(await exists(join(remote, objectPath(hashBytes(Buffer.from(STAGE_FILES[path] ?? '')).md5)))).toBe(true);
    const again: string[] = [];
    await dvcPushCommand(root, [], (line) => again.push(line), {});
    expect(again).toEqual([`0 pushed, 5 already on ${remote}`]);
    const clone = await cloneOf(root);
    const lines: string[] = [];
    await dvcPullCommand(clone, [], (line) => lines.push(line), {});
    for (const path of CACHED_OUTS) expect([path, hashBytes(await readFile(join(clone, path))).md5]).toEqual([path, hashBytes(Buffer.from(STAGE_FILES[path] ?? '')).md5]);
    expect(await readFile(join(clone, 'models', 'model.json'), 'utf8')).toBe(MODEL_CARD);
    // cache: false outputs (the runs folder, the metrics file) are not in the remote and not pulled, as in DVC.
    expect(await exists(join(clone, 'pipeline', 'runs'))).toBe(false);
    expect(await exists(join(clone, 'pipeline', 'out', 'metrics.json'))).toBe(false);
    expect(lines.at(-1)).toMatch(/^4 checked out, 0 up to date/);
    await dvcPullCommand(clone, [], (line) => lines.push(line), {});
    expect(lines.at(-1)).toMatch(/^0 checked out, 4 up to date/);
  });

  it('a remote lacking an object: a clear error naming the object and its file, and no file checked out', async () => {
    const { root, remote } = await published();
    const onnx = hashBytes(Buffer.from(STAGE_FILES['pipeline/out/bundle/model.onnx'] ?? '')).md5;
    await rm(join(remote, objectPath(onnx)), { force: true });
    const clone = await cloneOf(root);
    await expect(dvcPullCommand(clone, [], quiet, {})).rejects.toThrow(`${objectPath(onnx)} (pipeline/out/bundle/model.onnx, from dvc.lock stage train)`);
    expect(await exists(join(clone, 'models', 'model.json'))).toBe(false);
    expect(await exists(join(clone, 'pipeline', 'out', 'bundle'))).toBe(false);
  });

  it('a remote lacking the directory\'s .dir object: the error names it', async () => {
    const { root, remote, bundleMd5 } = await published();
    await rm(join(remote, objectPath(bundleMd5)), { force: true });
    await expect(dvcPullCommand(await cloneOf(root), [], quiet, {})).rejects.toThrow(`${objectPath(bundleMd5)} (pipeline/out/bundle, from dvc.lock stage train)`);
  });
});
