import { describe, expect, it } from '@jest/globals';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';

const meta = {
  epoch: 3, step: 120, bestF2: 0.8, bestEpoch: 2, epochsWithoutImprovement: 1, stopped: false, paramCount: 2,
};

describe('checkpoint', () => {
  it('round-trips the flat state, the best parameters and the loop counters', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ckpt-'));
    const state = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const best = Float32Array.from([0.5, -0.5]);
    await saveCheckpoint(dir, { meta, state, best });
    const loaded = await loadCheckpoint(dir);
    expect(Array.from(loaded.state)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(loaded.best)).toEqual([0.5, -0.5]);
    expect(loaded.meta).toMatchObject(meta);
  });

  it('round-trips the weight average when there is one, and has none when there was none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ckpt-'));
    await saveCheckpoint(dir, { meta, state: new Float32Array(6), best: new Float32Array(2), average: Float32Array.from([0.25, 4]) });
    const loaded = await loadCheckpoint(dir);
    expect(Array.from(loaded.average ?? [])).toEqual([0.25, 4]);
    const plain = await mkdtemp(join(tmpdir(), 'ckpt-'));
    await saveCheckpoint(plain, { meta, state: new Float32Array(6), best: new Float32Array(2) });
    expect((await loadCheckpoint(plain)).average).toBeUndefined();
  });

  it('refuses a weight-average file that does not match its recorded hash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ckpt-'));
    await saveCheckpoint(dir, { meta, state: new Float32Array(6), best: new Float32Array(2), average: new Float32Array(2) });
    await writeFile(join(dir, 'average.bin'), new Uint8Array(8).fill(1));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/average\.bin does not match/);
  });

  it('refuses a state file that does not match its recorded hash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ckpt-'));
    await saveCheckpoint(dir, { meta, state: new Float32Array(6), best: new Float32Array(2) });
    await writeFile(join(dir, 'state.bin'), new Uint8Array(24).fill(1));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/state\.bin does not match/);
  });

  it('names the missing file when there is no checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ckpt-'));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/checkpoint\.json/);
  });
});
