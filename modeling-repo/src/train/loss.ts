import type { GraphBuilder } from '../graph/index.js';

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
 */
export function appendBceWithLogits(b: GraphBuilder, logits: string, target: string, smoothing = 0): string {
  const softplus = b.op('Softplus', [logits]);
  const perElement = b.op('Sub', [softplus, b.op('Mul', [logits, smoothedTarget(b, target, smoothing)])]);
  return b.op('ReduceMean', [perElement], { keepdims: { kind: 'int', value: 0 } });
}

function smoothedTarget(b: GraphBuilder, target: string, smoothing: number): string {
  if (smoothing === 0) {
    return target;
  }
  return b.op('Add', [b.op('Mul', [target, b.scalar(1 - smoothing)]), b.scalar(smoothing / 2)]);
}

/** The same loss in float64, as a reference for tests. */
export function bceWithLogits(logits: ArrayLike<number>, targets: ArrayLike<number>, smoothing = 0): number {
  if (logits.length !== targets.length || logits.length === 0) {
    throw new Error(`bceWithLogits: ${logits.length} logits and ${targets.length} targets`);
  }
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const x = logits[i] ?? 0;
    const t = (targets[i] ?? 0) * (1 - smoothing) + smoothing / 2;
    sum += Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
  }
  return sum / logits.length;
}
