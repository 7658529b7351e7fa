import { describe, expect, it } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchLoader, NUM_LABELS, type ChipSet } from '../data/index.js';
import type { EvalEngine, StepEngine } from './device/engines.js';
import { initialLoopState, trainEpochs, type LoopOptions } from './loop.js';
import { effectiveDecay } from './weight-average.js';

const PARAMS = 2;
const CHIPS = 8;
const BATCH = 4;
const EPOCHS = 2;
const DECAY = 0.5;

function chips(): ChipSet {
  return { size: 1, names: Array.from({ length: CHIPS }, (_, i) => `c${i}`), images: new Uint8Array(CHIPS * 3), targets: new Float32Array(CHIPS * NUM_LABELS) };
}

/** A step that adds the step number to every parameter: parameters after step t are p0 + t (t + 1) / 2. */
function nextState(state: Float32Array, step: number): Float32Array {
  return state.map((value, i) => (i < PARAMS ? value + step : value));
}

/** A CPU-style runner: states are plain arrays. */
function hostRunner(): StepEngine {
  return {
    run: (state, _batch, _lr, step) => Promise.resolve({ state: nextState(state, step), loss: 0.5 }),
    close: () => Promise.resolve(),
  };
}

/** A GPU-style runner: states are empty handles, and only the latest handle or host copy may be fed back. */
function deviceRunner(): StepEngine {
  let current: Float32Array = new Float32Array(0);
  let token: Float32Array = new Float32Array(0);
  return {
    run: (state, _batch, _lr, step) => {
      if (state.length > 0 && state !== token) current = state.slice();
      else if (state !== token) throw new Error('stale state handle');
      current = nextState(current, step);
      token = new Float32Array(0);
      return Promise.resolve({ state: token, loss: 0.5 });
    },
    hostState: (state) => {
      if (state !== token) return Promise.resolve(state);
      token = current.slice();
      return Promise.resolve(token);
    },
    close: () => Promise.resolve(),
  };
}

/** Records the weights each validation saw (the probabilities themselves do not matter here). */
function recordingEvaluator(seen: number[][]): EvalEngine {
  return {
    predict: (weights, set) => {
      seen.push(Array.from(weights));
      return Promise.resolve({ probabilities: new Float32Array(set.names.length * NUM_LABELS).fill(0.1), loss: 0 });
    },
    close: () => Promise.resolve(),
  };
}

/** The average the loop must hold after `steps` steps from zeros, computed apart. */
function expectedAverage(steps: number): number {
  let params = 0;
  let average = 0;
  for (let t = 1; t <= steps; t++) {
    params += t;
    average += (1 - effectiveDecay(DECAY, t)) * (params - average);
  }
  return average;
}

async function run(runner: StepEngine, emaDecay: number): Promise<{ seen: number[][]; average: Float32Array | undefined }> {
  const set = chips();
  const seen: number[][] = [];
  const options: LoopOptions = {
    loader: new BatchLoader(set, { batchSize: BATCH, seed: 1, shuffle: true, lastBatch: 'drop' }),
    validation: set, runner, evaluator: recordingEvaluator(seen),
    schedule: { lr: 0.1, warmupSteps: 0, warmupFraction: 0, minLrFraction: 0, totalSteps: EPOCHS * (CHIPS / BATCH) },
    paramCount: PARAMS, emaDecay, epochs: EPOCHS, patience: 0, minDelta: 0, threshold: 0.2,
    checkpointDir: await mkdtemp(join(tmpdir(), 'loop-')), checkpointEvery: 0, onEpoch: () => Promise.resolve(),
  };
  const final = await trainEpochs(options, initialLoopState(new Float32Array(3 * PARAMS), PARAMS, emaDecay > 0));
  return { seen, average: final.average };
}

describe('epoch loop with a weight average', () => {
  const stepsPerEpoch = CHIPS / BATCH;

  it('validates the average, then the unaveraged weights, after each epoch', async () => {
    const { seen, average } = await run(hostRunner(), DECAY);
    const steps = EPOCHS * stepsPerEpoch;
    expect(average?.[0]).toBeCloseTo(expectedAverage(steps), 5);
    const lastParams = (steps * (steps + 1)) / 2;
    expect(seen).toHaveLength(2 * EPOCHS);
    expect(seen[2 * EPOCHS - 2]?.[0]).toBeCloseTo(expectedAverage(steps), 5);
    expect(seen[2 * EPOCHS - 1]).toEqual([lastParams, lastParams]);
  });

  it('averages a device runner\'s states through their host copies without feeding back a stale handle', async () => {
    const host = await run(hostRunner(), DECAY);
    const device = await run(deviceRunner(), DECAY);
    expect(Array.from(device.average ?? [])).toEqual(Array.from(host.average ?? []));
    expect(device.seen).toEqual(host.seen);
  });

  it('validates the last step\'s weights once an epoch without an average', async () => {
    const { seen, average } = await run(hostRunner(), 0);
    expect(average).toBeUndefined();
    expect(seen).toHaveLength(EPOCHS);
    expect(seen[EPOCHS - 1]).toEqual([10, 10]);
  });
});
