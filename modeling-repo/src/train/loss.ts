import type { GraphBuilder } from '../graph/index.js';

/** How the loss treats its targets: label smoothing and a weight on each class's positives. */
export interface LossOptions {
  /** Label smoothing e: every target t becomes t (1 - e) + e / 2 (0 or absent: none). */
  readonly smoothing?: number;
  /** Weight w_c of the positive term of class c (PyTorch's `pos_weight`); absent: 1 for every class. */
  readonly positiveWeights?: readonly number[];
}

/**
 * Binary cross-entropy on logits, averaged over every image and tag.
 *
 * Per element: softplus(x) - x * t, which is the numerically stable
 * max(x, 0) - x * t + log(1 + exp(-|x|)): ONNX Runtime's Softplus computes exactly that split
 * (x + log1p(exp(-x)) for x > 0), so nothing overflows for large |x|. Written with Softplus
 * rather than Relu and Abs so that its gradient is sigmoid(x) - t everywhere, including x = 0
 * where Relu and Abs have no derivative.
 *
 * With label smoothing e > 0 every target t is first moved towards 1/2: t (1 - e) + e / 2, so a
 * tag is learnt as 1 - e/2 present and e/2 absent (two classes per tag, hence the half).
 *
 * With positive weights, w t softplus(-x) + (1 - t) softplus(x), written as
 * (1 + (w - 1) t) softplus(x) - w t x (since softplus(-x) = softplus(x) - x): one Softplus still,
 * and the plain loss again where w = 1.
 */
export function appendBceWithLogits(b: GraphBuilder, logits: string, target: string, options: LossOptions = {}): string {
  const softplus = b.op('Softplus', [logits]);
  const t = smoothedTarget(b, target, options.smoothing ?? 0);
  const weights = options.positiveWeights;
  const perElement = weights === undefined
    ? b.op('Sub', [softplus, b.op('Mul', [logits, t])])
    : weightedTerms(b, logits, softplus, t, weights);
  return b.op('ReduceMean', [perElement], { keepdims: { kind: 'int', value: 0 } });
}

function weightedTerms(b: GraphBuilder, logits: string, softplus: string, t: string, weights: readonly number[]): string {
  const w = b.constant({ dtype: 'float32', dims: [weights.length], data: Float32Array.from(weights) }, 'positive_weight');
  const wt = b.op('Mul', [t, w]);
  // 1 + (w - 1) t, from w t.
  const scale = b.op('Add', [b.op('Sub', [wt, t]), b.scalar(1)]);
  return b.op('Sub', [b.op('Mul', [softplus, scale]), b.op('Mul', [logits, wt])]);
}

function smoothedTarget(b: GraphBuilder, target: string, smoothing: number): string {
  if (smoothing === 0) {
    return target;
  }
  return b.op('Add', [b.op('Mul', [target, b.scalar(1 - smoothing)]), b.scalar(smoothing / 2)]);
}

/** The same loss in float64, as a reference for tests (rows of `positiveWeights.length` classes). */
export function bceWithLogits(logits: ArrayLike<number>, targets: ArrayLike<number>, options: LossOptions = {}): number {
  if (logits.length !== targets.length || logits.length === 0) {
    throw new Error(`bceWithLogits: ${logits.length} logits and ${targets.length} targets`);
  }
  const smoothing = options.smoothing ?? 0;
  const weights = options.positiveWeights ?? [1];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const x = logits[i] ?? 0;
    const t = (targets[i] ?? 0) * (1 - smoothing) + smoothing / 2;
    const w = weights[i % weights.length] ?? 1;
    const softplusPlus = Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    // -log(sigmoid(x)) = softplus(-x), -log(1 - sigmoid(x)) = softplus(x).
    sum += w * t * (softplusPlus - x) + (1 - t) * softplusPlus;
  }
  return sum / logits.length;
}

/**
 * Positive weights from the training targets' tag frequencies: w_c = (negatives / positives)^power,
 * kept within [1, max], so rare tags weigh more and no tag less.
 */
export function positiveWeightsFor(targets: Float32Array, classes: number, power: number, max: number): number[] {
  const rows = targets.length / classes;
  const positives = new Array<number>(classes).fill(0);
  for (let i = 0; i < targets.length; i++) {
    if ((targets[i] ?? 0) > 0) positives[i % classes] = (positives[i % classes] ?? 0) + 1;
  }
  // A tag without positives has an infinite ratio: max, or 1 with a power of 0.
  return positives.map((pos) => Math.min(max, Math.max(1, (pos === 0 ? Infinity : (rows - pos) / pos) ** power)));
}
