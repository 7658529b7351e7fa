import * as ort from 'onnxruntime-node';
import type { Batch } from '../data/index.js';
import { IMAGE } from '../contract/index.js';
import { stateFeeds, stateFetches } from './state-io.js';
import { LOSS, LR, STEP, TARGET } from './training-graph.js';

/**
 * Runs the generated training-step graph: the whole flat state goes in and comes back updated,
 * parameters and optimizer moments as three views of one array (state-io.ts). The new state is
 * written into one of two buffers the runner owns, in turn, rather than into a fresh one: letting
 * ONNX Runtime allocate the output cost a 27 MB allocation and copy per MobileNetV2 step. A state
 * the runner returned stays valid until the call after next (a third buffer is made when a state
 * from outside comes in meanwhile); keep a copy to hold it longer.
 */
export class StepRunner {
  private readonly buffers: Float32Array[] = [];
  private lastReturned: Float32Array | undefined;

  constructor(
    private readonly session: ort.InferenceSession,
    private readonly inputSize: number,
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

  /** One optimizer step; `step` counts from 1 (Adam's bias correction). Returns the new state and the loss. */
  async run(state: Float32Array, batch: Batch, lr: number, step: number): Promise<{ state: Float32Array; loss: number }> {
    const size = this.inputSize;
    const rows = batch.targets.length / (batch.names.length === 0 ? 1 : batch.names.length);
    const feeds: Record<string, ort.Tensor> = {
      ...stateFeeds(state),
      [IMAGE]: new ort.Tensor('uint8', batch.images, [batch.names.length, size, size, 3]),
      [TARGET]: new ort.Tensor('float32', batch.targets, [batch.names.length, rows]),
      [LR]: new ort.Tensor('float32', Float32Array.of(lr), []),
      [STEP]: new ort.Tensor('float32', Float32Array.of(step), []),
    };
    const next = this.target(state);
    const out = await this.session.run(feeds, { ...stateFetches(next), [LOSS]: null });
    const loss = out[LOSS]?.data;
    if (!(loss instanceof Float32Array)) {
      throw new Error('training step graph returned no loss');
    }
    this.lastReturned = next;
    return { state: next, loss: loss[0] ?? Number.NaN };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
