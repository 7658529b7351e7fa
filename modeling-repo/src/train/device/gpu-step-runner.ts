import type * as ort from 'onnxruntime-node';
import type { Batch } from '../../data/index.js';
import { joinState, stateParts } from '../state-io.js';
import type { StepInput, StepsResult } from '../step-runner.js';
import { LOSS, STATE_INPUTS, STATE_OUTPUTS } from '../training-graph.js';
import { stepFeeds } from './feeds.js';
import type { GpuTransfer } from './transfer.js';
import { LOGITS } from '../../contract/index.js';

/**
 * Runs the training-step graph with the state (parameters and AdamW moments) living on the GPU:
 * the new state's three parts stay in GPU buffers (the session's `preferredOutputLocation`) and
 * are fed back as the next step's inputs, so per step only the batch goes up and the scalar loss
 * comes down.
 *
 * The states `run` returns are handles, empty arrays that stand for the GPU state: `hostState`
 * turns one into its values (the loop does so once per epoch, for evaluation and checkpoints).
 * A state from outside (the initial one, a checkpoint) is uploaded when it comes in.
 */
export class GpuStepRunner {
  /** One step per session.run: the state never leaves the GPU, so there is no output copy to share out. */
  readonly stepsPerRun = 1;
  /** The state's three parts on the GPU, in STATE_INPUTS order. */
  private current: ort.Tensor[] | undefined;
  /** The array that stands for `current`: the last handle returned, or the last host copy made. */
  private token: Float32Array | undefined;

  constructor(
    private readonly session: ort.InferenceSession,
    private readonly transfer: GpuTransfer,
    private readonly inputSize: number,
  ) {}

  private async stateTensors(state: Float32Array): Promise<ort.Tensor[]> {
    if (state === this.token && this.current !== undefined) return this.current;
    if (state.length === 0) throw new Error('GpuStepRunner: this state handle is stale (a newer state replaced it)');
    const parts: ort.Tensor[] = [];
    for (const part of stateParts(state)) parts.push(await this.transfer.upload(part));
    this.replace(parts);
    this.token = state;
    return parts;
  }

  private replace(next: ort.Tensor[]): void {
    for (const tensor of this.current ?? []) tensor.dispose();
    this.current = next;
  }

  /** Runs `steps` in order, one session.run each; returns a state handle and every step's loss. */
  async run(state: Float32Array, steps: readonly StepInput[]): Promise<StepsResult> {
    let current = state;
    const losses: number[] = [];
    for (const { batch, lr, step } of steps) {
      const result = await this.runOne(current, batch, lr, step);
      current = result.state;
      losses.push(result.loss);
    }
    return { state: current, losses };
  }

  /** One optimizer step; `step` counts from 1 (Adam's bias correction). Returns a state handle and the loss. */
  private async runOne(state: Float32Array, batch: Batch, lr: number, step: number): Promise<{ state: Float32Array; loss: number }> {
    const input = await this.stateTensors(state);
    const feeds = Object.fromEntries(input.map((tensor, i) => [STATE_INPUTS[i] ?? '', tensor]));
    const out = await this.session.run({ ...stepFeeds(batch, this.inputSize, lr, step), ...feeds });
    out[LOGITS]?.dispose();
    const next = STATE_OUTPUTS.map((name) => out[name]).filter((t): t is ort.Tensor => t !== undefined);
    const loss = out[LOSS]?.data;
    if (next.length !== STATE_OUTPUTS.length || !(loss instanceof Float32Array)) throw new Error('training step graph returned no state or loss');
    this.replace(next);
    this.token = new Float32Array(0);
    return { state: this.token, loss: loss[0] ?? Number.NaN };
  }

  /** The values of a state this runner returned (a fresh array, which also stands for that state). */
  async hostState(state: Float32Array): Promise<Float32Array> {
    if (state !== this.token || this.current === undefined) return state;
    const parts: Float32Array[] = [];
    for (const tensor of this.current) parts.push(await this.transfer.download(tensor));
    const host = joinState(parts);
    this.token = host;
    return host;
  }

  async close(): Promise<void> {
    this.replace([]);
    this.current = undefined;
    await this.session.release();
  }
}
