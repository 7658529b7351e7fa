import * as ort from 'onnxruntime-node';
import { chipBytes, NUM_LABELS, transformChip, DIHEDRAL, type ChipSet } from '../data/index.js';

/** Chips per run when predicting a whole chip set: large enough to amortise a run, small enough to keep memory flat. */
export const PREDICT_BATCH = 256;

/**
 * One ONNX model (the bundle's `model.onnx` contract: `image` uint8 [N, S, S, 3] in,
 * `probabilities` [N, 17] out) in an ONNX Runtime session, for predicting and timing.
 */
export class ModelRunner {
  private constructor(private readonly session: ort.InferenceSession, readonly size: number) {}

  static async create(modelBytes: Uint8Array, size: number): Promise<ModelRunner> {
    return new ModelRunner(await ort.InferenceSession.create(modelBytes, { graphOptimizationLevel: 'all' }), size);
  }

  /** Probabilities [count, 17] of `count` chips laid out [count, S, S, 3]. */
  async predict(chips: Uint8Array, count: number): Promise<Float32Array> {
    const image = new ort.Tensor('uint8', chips, [count, this.size, this.size, 3]);
    const output = (await this.session.run({ image })).probabilities;
    if (output === undefined) throw new Error('the model has no output "probabilities"');
    return output.data as Float32Array;
  }

  /** Probabilities of every chip of a set, in batches. */
  async predictSet(set: ChipSet, batch = PREDICT_BATCH): Promise<Float32Array> {
    const count = set.names.length;
    const per = chipBytes(this.size);
    const out = new Float32Array(count * NUM_LABELS);
    for (let start = 0; start < count; start += batch) {
      const n = Math.min(batch, count - start);
      out.set(await this.predict(set.images.subarray(start * per, (start + n) * per), n), start * NUM_LABELS);
    }
    return out;
  }

  /** Median wall time in ms of `repeats` runs on the first `count` chips of a set (after one warm-up run). */
  async timeBatch(set: ChipSet, count: number, repeats: number): Promise<number> {
    const n = Math.min(count, set.names.length);
    const chips = set.images.subarray(0, n * chipBytes(this.size));
    await this.predict(chips, n);
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const began = performance.now();
      await this.predict(chips, n);
      times.push(performance.now() - began);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] ?? 0;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/**
 * What eight-view test-time augmentation must give, computed outside the graph: the plain model
 * on the pipeline's own eight transforms of each chip (data/augment.ts), averaged.
 */
export async function dihedralMean(plain: ModelRunner, chips: Uint8Array, count: number): Promise<Float32Array> {
  const per = chipBytes(plain.size);
  const sum = new Float32Array(count * NUM_LABELS);
  for (const transform of DIHEDRAL) {
    const views = new Uint8Array(count * per);
    for (let i = 0; i < count; i++) views.set(transformChip(transform, plain.size, chips.subarray(i * per, (i + 1) * per)), i * per);
    const p = await plain.predict(views, count);
    for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] ?? 0) + (p[i] ?? 0) / DIHEDRAL.length;
  }
  return sum;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return worst;
}
