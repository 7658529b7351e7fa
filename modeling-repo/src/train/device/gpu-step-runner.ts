import type * as ort from 'onnxruntime-node';
import type { Batch } from '../../data/index.js';
import { LOSS, STATE, STATE_OUT } from '../training-graph.js';
import { stepFeeds } from './feeds.js';
import type { GpuTransfer } from './transfer.js';
import { LOGITS } from '../../contract/index.js';

/**
 * Runs the training-step graph with the state (parameters and AdamW moments) living on the GPU:
 * `state_out` stays in a GPU buffer (the session's `preferredOutputLocation`) and is fed back as
 * the next step's `state`, so per step only the batch goes up and the scalar loss comes down.
 *
 * The states `run` returns are handles, empty arrays that stand for the GPU state: `hostState`
 * turns one into its values (the loop does so once per epoch, for evaluation and checkpoints).
 * A state from outside (the initial one, a checkpoint) is uploaded when it comes in.
 */
export class GpuStepRunner {
  private current: ort.Tensor | undefined;
  /** The array that stands for `current`: the last handle returned, or the last host copy made. */
  private token: Float32Array | undefined;

  constructor(
    private readonly session: ort.InferenceSession,
    private readonly transfer: GpuTransfer,
    private readonly inputSize: number,
  ) {}

  private async stateTensor(state: Float32Array): Promise<ort.Tensor> {
    if (state === this.token && this.current !== undefined) return this.current;
    if (state.length === 0) throw new Error('GpuStepRunner: this state handle is stale (a newer state replaced it)');
    this.replace(await this.transfer.upload(state));
    this.token = state;
    return this.current as unknown as ort.Tensor;
  }

  private replace(next: ort.Tensor): void {
    this.current?.dispose();
    this.current = next;
  }

  /** One optimizer step; `step` counts from 1 (Adam's bias correction). Returns a state handle and the loss. */
  async run(state: Float32Array, batch: Batch, lr: number, step: number): Promise<{ state: Float32Array; loss: number }> {
    const input = await this.stateTensor(state);
    const out = await this.session.run({ ...stepFeeds(batch, this.inputSize, lr, step), [STATE]: input });
    out[LOGITS]?.dispose();
    const next = out[STATE_OUT];
    const loss = out[LOSS]?.data;
    if (next === undefined || !(loss instanceof Float32Array)) throw new Error('training step graph returned no state or loss');
    this.replace(next);
    this.token = new Float32Array(0);
    return { state: this.token, loss: loss[0] ?? Number.NaN };
  }

  /** The values of a state this runner returned (a fresh array, which also stands for that state). */
  async hostState(state: Float32Array): Promise<Float32Array> {
    if (state !== this.token || this.current === undefined) return state;
    const host = (await this.transfer.download(this.current)).slice();
    this.token = host;
    return host;
  }

  async close(): Promise<void> {
    this.current?.dispose();
    this.current = undefined;
    await this.session.release();
  }
}
