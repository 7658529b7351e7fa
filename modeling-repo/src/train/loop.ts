import type { BatchLoader, ChipSet } from '../data/index.js';
import { meanF2, binarize } from '../metric/index.js';
import { saveCheckpoint, type CheckpointMeta } from './checkpoint.js';
import type { EvalEngine, StepEngine } from './device/engines.js';
import { learningRate, type LrScheduleConfig } from './lr-schedule.js';
import { epochProgress } from './progress.js';
import { updateAverage } from './weight-average.js';

/** What the loop reports after each epoch (the run records turn it into an `epoch` line). */
export interface EpochSummary {
  readonly epoch: number;
  readonly step: number;
  readonly trainLoss: number;
  readonly valLoss: number;
  readonly valF2: number;
  /** With a weight average: the last step's own weights at the same threshold, to see what averaging adds. */
  readonly valF2Raw?: number;
  readonly lr: number;
  readonly imagesPerSecond: number;
  readonly seconds: number;
}

export interface LoopOptions {
  readonly loader: BatchLoader;
  readonly validation: ChipSet;
  readonly runner: StepEngine;
  readonly evaluator: EvalEngine;
  readonly schedule: LrScheduleConfig;
  readonly paramCount: number;
  readonly epochs: number;
  /** Decay of the parameters' moving average (weight-average.ts); 0: no average, the last step's weights count. */
  readonly emaDecay: number;
  readonly patience: number;
  readonly minDelta: number;
  /** Threshold of the per-epoch validation F2 (thresholds are tuned once, after training). */
  readonly threshold: number;
  readonly checkpointDir: string;
  readonly checkpointEvery: number;
  readonly onEpoch: (summary: EpochSummary) => Promise<void>;
  /** Aborting stops the loop after the current epoch, with a checkpoint to resume from. */
  readonly signal?: AbortSignal;
}

/** Where the loop stands: what a checkpoint stores, and what the loop hands back. */
export interface LoopState {
  readonly meta: Omit<CheckpointMeta, 'schema' | 'stateSha256' | 'bestSha256' | 'averageSha256'>;
  readonly state: Float32Array;
  readonly best: Float32Array;
  /** The parameters' moving average, when train.emaDecay is on: what is validated and kept as best. */
  readonly average?: Float32Array;
}

const MS = 1000;

/** A fresh start: nothing trained yet, the initial parameters count as the best so far (and start the average). */
export function initialLoopState(state: Float32Array, paramCount: number, averaged = false): LoopState {
  return {
    meta: { epoch: 0, step: 0, bestF2: -1, bestEpoch: 0, epochsWithoutImprovement: 0, stopped: false, paramCount },
    state,
    best: state.slice(0, paramCount),
    ...(averaged ? { average: state.slice(0, paramCount) } : {}),
  };
}

/**
 * Folds a step's parameters into the average and returns the state to go on with: a GPU runner's
 * state is read back to the host first, and that host copy then stands for it.
 */
async function foldIntoAverage(options: LoopOptions, average: Float32Array | undefined, state: Float32Array, step: number): Promise<Float32Array> {
  if (average === undefined) return state;
  const host = options.runner.hostState === undefined ? state : await options.runner.hostState(state);
  updateAverage(average, host.subarray(0, options.paramCount), options.emaDecay, step);
  return host;
}

/** Groups of `size` consecutive items (the last may be shorter). */
async function* chunks<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let group: T[] = [];
  for await (const item of items) {
    group.push(item);
    if (group.length === size) {
      yield group;
      group = [];
    }
  }
  if (group.length > 0) yield group;
}

/**
 * Steps per runner call: the runner's own count, but one with a weight average, which folds in
 * every step's parameters.
 */
function stepsPerCall(options: LoopOptions, averaged: boolean): number {
  return averaged ? 1 : Math.max(1, options.runner.stepsPerRun);
}

async function trainOneEpoch(options: LoopOptions, epoch: number, start: LoopState): Promise<{ state: Float32Array; step: number; loss: number; lr: number; seconds: number }> {
  const { loader, runner, schedule } = options;
  const progress = epochProgress(epoch + 1, options.epochs, loader.batchesPerEpoch);
  const began = performance.now();
  let { state } = start;
  let step = start.meta.step;
  let lossSum = 0;
  let lr = 0;
  let done = 0;
  for await (const batches of chunks(loader.epoch(epoch), stepsPerCall(options, start.average !== undefined))) {
    const steps = batches.map((batch, i) => ({ batch, lr: learningRate(step + i, schedule), step: step + i + 1 }));
    const result = await runner.run(state, steps);
    const bad = result.losses.findIndex((loss) => !Number.isFinite(loss));
    if (bad >= 0) throw new Error(`training diverged: loss is ${String(result.losses[bad])} at step ${String(step + bad + 1)} (epoch ${String(epoch + 1)}); lower train.lr`);
    step += steps.length;
    lr = steps.at(-1)?.lr ?? lr;
    state = await foldIntoAverage(options, start.average, result.state, step);
    lossSum += result.losses.reduce((a, b) => a + b, 0);
    done += steps.length;
    progress.update(done, lossSum / done, (done * loader.batchSize * MS) / (performance.now() - began));
  }
  progress.stop();
  return { state, step, loss: lossSum / Math.max(1, done), lr, seconds: (performance.now() - began) / MS };
}

function shouldCheckpoint(options: LoopOptions, epochsDone: number, last: boolean): boolean {
  return last || (options.checkpointEvery > 0 && epochsDone % options.checkpointEvery === 0);
}

/** Updates best-so-far and early-stopping counters from this epoch's validation F2. */
function judge(options: LoopOptions, previous: LoopState, f2: number, weights: Float32Array, epochsDone: number): Pick<LoopState, 'best'> & { meta: Pick<LoopState['meta'], 'bestF2' | 'bestEpoch' | 'epochsWithoutImprovement' | 'stopped'> } {
  const improved = f2 > previous.meta.bestF2 + options.minDelta || previous.meta.bestF2 < 0;
  const without = improved ? 0 : previous.meta.epochsWithoutImprovement + 1;
  return {
    best: improved ? weights.slice() : previous.best,
    meta: {
      bestF2: improved ? f2 : previous.meta.bestF2,
      bestEpoch: improved ? epochsDone : previous.meta.bestEpoch,
      epochsWithoutImprovement: without,
      stopped: options.patience > 0 && without >= options.patience,
    },
  };
}

/** Validation loss and F2 at the loop's fixed threshold of a set of weights. */
async function validate(options: LoopOptions, weights: Float32Array): Promise<{ loss: number; f2: number }> {
  const predictions = await options.evaluator.predict(weights, options.validation);
  const classes = predictions.probabilities.length / Math.max(1, options.validation.names.length);
  return { loss: predictions.loss, f2: meanF2(options.validation.targets, binarize(predictions.probabilities, options.threshold, classes), classes) };
}

/** The last step's own F2 beside the average's (one more validation pass), or nothing without an average. */
async function rawF2(options: LoopOptions, averaged: boolean, state: Float32Array): Promise<{ valF2Raw?: number }> {
  return averaged ? { valF2Raw: (await validate(options, state.subarray(0, options.paramCount))).f2 } : {};
}

/**
 * Trains from `start` until `epochs` are done or early stopping fires, evaluating on the
 * validation chips after every epoch and checkpointing atomically. Shuffling and augmentation
 * depend only on (seed, epoch), so a run resumed from a checkpoint repeats the same batches.
 */
export async function trainEpochs(options: LoopOptions, start: LoopState): Promise<LoopState> {
  let current = start;
  for (let epoch = start.meta.epoch; epoch < options.epochs && !current.meta.stopped; epoch++) {
    const stepped = await trainOneEpoch(options, epoch, current);
    // A GPU runner's states are handles: evaluation, the best copy and checkpoints need the values.
    const trained = options.runner.hostState === undefined ? stepped : { ...stepped, state: await options.runner.hostState(stepped.state) };
    const evalStart = performance.now();
    // The moving average when there is one, else the last step's parameters.
    const weights = current.average ?? trained.state.subarray(0, options.paramCount);
    const { loss: valLoss, f2: valF2 } = await validate(options, weights);
    const raw = await rawF2(options, current.average !== undefined, trained.state);
    const verdict = judge(options, current, valF2, weights, epoch + 1);
    current = { ...current, state: trained.state, best: verdict.best, meta: { ...current.meta, ...verdict.meta, epoch: epoch + 1, step: trained.step } };
    const trainImages = options.loader.batchesPerEpoch * options.loader.batchSize;
    await options.onEpoch({
      epoch: epoch + 1, step: trained.step, trainLoss: trained.loss, valLoss, valF2, ...raw, lr: trained.lr,
      imagesPerSecond: trainImages / trained.seconds, seconds: trained.seconds + (performance.now() - evalStart) / MS,
    });
    const last = epoch + 1 === options.epochs || current.meta.stopped || options.signal?.aborted === true;
    if (shouldCheckpoint(options, epoch + 1, last)) await saveCheckpoint(options.checkpointDir, current);
    if (options.signal?.aborted === true) break;
  }
  return current;
}
