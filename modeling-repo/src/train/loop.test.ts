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

function chips(count = CHIPS): ChipSet {
  return { size: 1, names: Array.from({ length: count }, (_, i) => `c${i}`), images: new Uint8Array(count * 3), targets: new Float32Array(count * NUM_LABELS) };
}

/** A step that adds the step number to every parameter: parameters after step t are p0 + t (t + 1) / 2. */
function nextState(state: Float32Array, step: number): Float32Array {
  return state.map((value, i) => (i < PARAMS ? value + step : value));
}

/** What a runner was handed: per call, each step's number and learning rate. */
type Calls = { step: number; lr: number }[][];

/** A CPU-style runner: states are plain arrays, up to `stepsPerRun` steps a call. */
function hostRunner(stepsPerRun = 1, calls: Calls = []): StepEngine {
  return {
    stepsPerRun,
    run: (state, steps) => {
      calls.push(steps.map(({ step, lr }) => ({ step, lr })));
      const next = steps.reduce((current, { step }) => nextState(current, step), state);
      return Promise.resolve({ state: next, losses: steps.map(() => 0.5) });
    },
    close: () => Promise.resolve(),
  };
}

/** A GPU-style runner: states are empty handles, and only the latest handle or host copy may be fed back. */
function deviceRunner(): StepEngine {
  let current: Float32Array = new Float32Array(0);
  let token: Float32Array = new Float32Array(0);
  return {
    stepsPerRun: 1,
    run: (state, steps) => {
      if (state.length > 0 && state !== token) current = state.slice();
      else if (state !== token) throw new Error('stale state handle');
      current = steps.reduce((value, { step }) => nextState(value, step), current);
      token = new Float32Array(0);
      return Promise.resolve({ state: token, losses: steps.map(() => 0.5) });
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

async function run(runner: StepEngine, emaDecay: number, chipCount = CHIPS): Promise<{ seen: number[][]; average: Float32Array | undefined; state: Float32Array }> {
  const set = chips(chipCount);
  const seen: number[][] = [];
  const options: LoopOptions = {
    loader: new BatchLoader(set, { batchSize: BATCH, seed: 1, shuffle: true, lastBatch: 'drop' }),
    validation: set, runner, evaluator: recordingEvaluator(seen),
    schedule: { lr: 0.1, warmupSteps: 0, warmupFraction: 0, minLrFraction: 0, totalSteps: EPOCHS * Math.floor(chipCount / BATCH) },
    paramCount: PARAMS, emaDecay, epochs: EPOCHS, patience: 0, minDelta: 0, threshold: 0.2,
    checkpointDir: await mkdtemp(join(tmpdir(), 'loop-')), checkpointEvery: 0, onEpoch: () => Promise.resolve(),
  };
  const final = await trainEpochs(options, initialLoopState(new Float32Array(3 * PARAMS), PARAMS, emaDecay > 0));
  return { seen, average: final.average, state: final.state };
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

describe('epoch loop with several steps per runner call', () => {
  /** Seven batches an epoch: calls of 3, 3 and 1 steps with stepsPerRun 3. */
  const SEVEN_BATCHES = 7 * BATCH + 2;

  it('hands the runner stepsPerRun batches at a time, numbered and scheduled as one by one', async () => {
    const one: Calls = [];
    const three: Calls = [];
    const single = await run(hostRunner(1, one), 0, SEVEN_BATCHES);
    const grouped = await run(hostRunner(3, three), 0, SEVEN_BATCHES);
    expect(three.map((call) => call.length)).toEqual([3, 3, 1, 3, 3, 1]);
    expect(three.flat()).toEqual(one.flat());
    expect(one.flat().map(({ step }) => step)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    expect(new Set(one.flat().map(({ lr }) => lr)).size).toBeGreaterThan(1);
    expect(Array.from(grouped.state)).toEqual(Array.from(single.state));
    expect(grouped.seen).toEqual(single.seen);
  });

  it('takes one step a call while it keeps a weight average, which folds in every step', async () => {
    const calls: Calls = [];
    const averaged = await run(hostRunner(3, calls), DECAY, SEVEN_BATCHES);
    expect(calls.every((call) => call.length === 1)).toBe(true);
    expect(averaged.average?.[0]).toBeCloseTo(expectedAverage(14), 4);
  });
});
