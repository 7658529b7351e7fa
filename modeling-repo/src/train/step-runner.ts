import * as ort from 'onnxruntime-node';
import type { Batch } from '../data/index.js';
import { LOSS, LR, STATE, STATE_OUT, STEP, TARGET } from './training-graph.js';

const IMAGE = 'image';

/**
 * Runs the generated training-step graph: the whole flat state goes in and comes back updated,
 * so parameters and optimizer moments cross the binding as one tensor per step.
 */
export class StepRunner {
  constructor(
    private readonly session: ort.InferenceSession,
    private readonly inputSize: number,
  ) {}

  /** One optimizer step; `step` counts from 1 (Adam's bias correction). Returns the new state and the loss. */
  async run(state: Float32Array, batch: Batch, lr: number, step: number): Promise<{ state: Float32Array; loss: number }> {
    const size = this.inputSize;
    const rows = batch.targets.length / (batch.names.length === 0 ? 1 : batch.names.length);
    const feeds: Record<string, ort.Tensor> = {
      [STATE]: new ort.Tensor('float32', state, [state.length]),
      [IMAGE]: new ort.Tensor('uint8', batch.images, [batch.names.length, size, size, 3]),
      [TARGET]: new ort.Tensor('float32', batch.targets, [batch.names.length, rows]),
      [LR]: new ort.Tensor('float32', Float32Array.of(lr), []),
      [STEP]: new ort.Tensor('float32', Float32Array.of(step), []),
    };
    const out = await this.session.run(feeds, [STATE_OUT, LOSS]);
    const next = out[STATE_OUT]?.data;
    const loss = out[LOSS]?.data;
    if (!(next instanceof Float32Array) || !(loss instanceof Float32Array)) {
      throw new Error('training step graph returned no state_out or loss');
    }
    return { state: next, loss: loss[0] ?? Number.NaN };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
