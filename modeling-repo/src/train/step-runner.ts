import * as ort from 'onnxruntime-node';
import type { Batch } from '../data/index.js';
import { IMAGES, LOSSES, LRS, STEPS, TARGETS } from './multi-step.js';
import { joinArrays, stateFeeds, stateFetches } from './state-io.js';

const RGB = 3;

/** One optimizer step's inputs: its batch, learning rate and 1-based step number (Adam's bias correction). */
export interface StepInput {
  readonly batch: Batch;
  readonly lr: number;
  readonly step: number;
}

/** The state after a run's steps and each step's loss. */
export interface StepsResult {
  readonly state: Float32Array;
  readonly losses: number[];
}

/** The scanned inputs of the multi-step model (multi-step.ts) for these steps, all of one batch size. */
function scannedFeeds(steps: readonly StepInput[], size: number): Record<string, ort.Tensor> {
  const rows = steps[0]?.batch.names.length ?? 0;
  if (steps.some((s) => s.batch.names.length !== rows)) {
    throw new Error('StepRunner: the steps of one run need batches of one size');
  }
  const classes = (steps[0]?.batch.targets.length ?? 0) / (rows === 0 ? 1 : rows);
  const m = steps.length;
  return {
    [IMAGES]: new ort.Tensor('uint8', joinArrays(steps.map((s) => s.batch.images), (n) => new Uint8Array(n)), [m, rows, size, size, RGB]),
    [TARGETS]: new ort.Tensor('float32', joinArrays(steps.map((s) => s.batch.targets), (n) => new Float32Array(n)), [m, rows, classes]),
    [LRS]: new ort.Tensor('float32', Float32Array.from(steps, (s) => s.lr), [m]),
    [STEPS]: new ort.Tensor('float32', Float32Array.from(steps, (s) => s.step), [m]),
  };
}

/**
 * Runs the generated training step, several steps per `session.run` (the multi-step model of
 * multi-step.ts): the whole flat state goes in and comes back updated, parameters and optimizer
 * moments as three views of one array (state-io.ts). The new state is written into one of two
 * buffers the runner owns, in turn, rather than into a fresh one. A state the runner returned
 * stays valid until the call after next (a third buffer is made when a state from outside comes
 * in meanwhile); keep a copy to hold it longer.
 */
export class StepRunner {
  private readonly buffers: Float32Array[] = [];
  private lastReturned: Float32Array | undefined;

  /** `stepsPerRun`: how many steps the loop hands over per call (any count runs; this is the loop's chunk). */
  constructor(
    private readonly session: ort.InferenceSession,
    private readonly inputSize: number,
    readonly stepsPerRun: number,
  ) {}

  /** A buffer of the runner's that is neither the input nor the previous result. */
  private target(state: Float32Array): Float32Array {
    const free = this.buffers.find((b) => b !== state && b !== this.lastReturned && b.length === state.length);
    if (free !== undefined) {
      return free;
    }
    const fresh = new Float32Array(state.length);
    this.buffers.push(fresh);
    return fresh;
  }

  /** Runs `steps` in order from `state`; returns the state after the last and every step's loss. */
  async run(state: Float32Array, steps: readonly StepInput[]): Promise<StepsResult> {
    if (steps.length === 0) {
      throw new Error('StepRunner.run: no steps given');
    }
    const next = this.target(state);
    const out = await this.session.run({ ...stateFeeds(state), ...scannedFeeds(steps, this.inputSize) }, { ...stateFetches(next), [LOSSES]: null });
    const losses = out[LOSSES]?.data;
    if (!(losses instanceof Float32Array) || losses.length !== steps.length) {
      throw new Error(`training step graph returned no ${String(steps.length)} losses`);
    }
    this.lastReturned = next;
    return { state: next, losses: Array.from(losses) };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
