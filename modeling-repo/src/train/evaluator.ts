import * as ort from 'onnxruntime-node';
import { evaluationLoader, type ChipSet } from '../data/index.js';
import { PARAMS } from './training-graph.js';
import { IMAGE, LOGITS, PROBABILITIES } from '../contract/index.js';

/**
 * Places the flat parameters where the session reads them: a host tensor by default; on a GPU,
 * one upload per evaluation instead of one per batch. `release` frees what `place` made.
 */
export interface ParamsPlacement {
  place(params: Float32Array): Promise<ort.Tensor>;
  release(tensor: ort.Tensor): void;
}

const HOST_PARAMS: ParamsPlacement = {
  place: (params) => Promise.resolve(new ort.Tensor('float32', params, [params.length])),
  release: () => undefined,
};

/** Probabilities and mean BCE loss of the current parameters on a chip set. */
export interface Predictions {
  readonly probabilities: Float32Array;
  readonly loss: number;
}

/** Numerically stable BCE-with-logits of one value, as the training graph computes it. */
function bce(logit: number, target: number): number {
  return Math.max(logit, 0) - logit * target + Math.log1p(Math.exp(-Math.abs(logit)));
}

/**
 * Runs the evaluation graph (the classifier reading its trainable parameters from one flat
 * input) over a whole chip set in fixed batches.
 */
export class Evaluator {
  constructor(
    private readonly session: ort.InferenceSession,
    private readonly batchSize: number,
    private readonly placement: ParamsPlacement = HOST_PARAMS,
  ) {}

  async predict(params: Float32Array, set: ChipSet): Promise<Predictions> {
    const paramsTensor = await this.placement.place(params);
    try {
      return await this.predictWith(paramsTensor, set);
    } finally {
      this.placement.release(paramsTensor);
    }
  }

  private async predictWith(paramsTensor: ort.Tensor, set: ChipSet): Promise<Predictions> {
    const classes = set.targets.length / Math.max(1, set.names.length);
    const probabilities = new Float32Array(set.names.length * classes);
    let lossSum = 0;
    let row = 0;
    for await (const batch of evaluationLoader(set, this.batchSize).epoch(0)) {
      const n = batch.names.length;
      const image = new ort.Tensor('uint8', batch.images, [n, set.size, set.size, 3]);
      const out = await this.session.run({ [PARAMS]: paramsTensor, [IMAGE]: image }, [PROBABILITIES, LOGITS]);
      const p = out[PROBABILITIES]?.data as Float32Array;
      const logits = out[LOGITS]?.data as Float32Array;
      const real = batch.count * classes;
      probabilities.set(p.subarray(0, real), row * classes);
      for (let i = 0; i < real; i++) lossSum += bce(logits[i] ?? 0, batch.targets[i] ?? 0);
      row += batch.count;
    }
    return { probabilities, loss: lossSum / Math.max(1, probabilities.length) };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
