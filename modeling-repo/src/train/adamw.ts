import type { GraphBuilder } from '../graph/index.js';

/**
 * AdamW (Loshchilov and Hutter) with decoupled weight decay, as in PyTorch's torch.optim.AdamW:
 *
 *   m <- b1 m + (1 - b1) g            v <- b2 v + (1 - b2) g^2
 *   p <- p - lr_i (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) - lr_i wd_i p
 *
 * with a per-value learning rate lr_i = lr * group multiplier and wd_i = weightDecay for
 * weights, 0 for biases. `t` counts steps from 1.
 */

export interface AdamWHyper {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
}

export interface AdamWValues {
  /** Flat [P] values in the graph. */
  readonly params: string;
  readonly grads: string;
  readonly m: string;
  readonly v: string;
  /** Scalar inputs: learning rate and 1-based step. */
  readonly lr: string;
  readonly step: string;
  /** Constant [P] per-value learning-rate multiplier and weight-decay coefficient (weightDecay or 0). */
  readonly lrScale: string;
  readonly decay: string;
}

/** Names for the new params, m and v (graph outputs written by their last ops, with no copy). */
export interface AdamWOutputs {
  readonly params: string;
  readonly m: string;
  readonly v: string;
}

/** Appends one AdamW update; returns the new params, m and v value names (`out`'s when given). */
export function appendAdamW(b: GraphBuilder, x: AdamWValues, hyper: AdamWHyper, out?: AdamWOutputs): AdamWOutputs {
  const { beta1, beta2, eps } = hyper;
  const last = (op: string, inputs: readonly string[], name: string | undefined): string =>
    name === undefined ? b.op(op, inputs) : (b.addNode({ op, inputs, outputs: [name], attrs: {} })[0] ?? name);
  const m = last('Add', [b.op('Mul', [x.m, b.scalar(beta1)]), b.op('Mul', [x.grads, b.scalar(1 - beta1)])], out?.m);
  const g2 = b.op('Mul', [x.grads, x.grads]);
  const v = last('Add', [b.op('Mul', [x.v, b.scalar(beta2)]), b.op('Mul', [g2, b.scalar(1 - beta2)])], out?.v);
  // Bias corrections are scalars: 1 / (1 - beta^t).
  const inv1 = b.op('Reciprocal', [b.op('Sub', [b.scalar(1), b.op('Pow', [b.scalar(beta1), x.step])])]);
  const inv2 = b.op('Reciprocal', [b.op('Sub', [b.scalar(1), b.op('Pow', [b.scalar(beta2), x.step])])]);
  const denom = b.op('Add', [b.op('Sqrt', [b.op('Mul', [v, inv2])]), b.scalar(eps)]);
  const adam = b.op('Mul', [b.op('Div', [m, denom]), inv1]);
  const update = b.op('Add', [adam, b.op('Mul', [x.decay, x.params])]);
  const rate = b.op('Mul', [x.lrScale, x.lr]);
  const params = last('Sub', [x.params, b.op('Mul', [rate, update])], out?.params);
  return { params, m, v };
}

export interface AdamWState {
  params: Float64Array;
  m: Float64Array;
  v: Float64Array;
}

/** One AdamW step in float64 (PyTorch's order of operations), as a reference for tests. */
export function adamwReference(
  state: AdamWState,
  grads: ArrayLike<number>,
  args: AdamWHyper & { lr: number; step: number; lrScale: ArrayLike<number>; decayMask: ArrayLike<number> },
): AdamWState {
  const { beta1, beta2, eps, weightDecay, lr, step } = args;
  const params = Float64Array.from(state.params);
  const m = Float64Array.from(state.m);
  const v = Float64Array.from(state.v);
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  for (let i = 0; i < params.length; i++) {
    const g = grads[i] ?? 0;
    const rate = lr * (args.lrScale[i] ?? 1);
    // Decoupled decay first, from the old value, as torch.optim.AdamW does.
    params[i] = (params[i] ?? 0) * (1 - rate * weightDecay * (args.decayMask[i] ?? 0));
    m[i] = beta1 * (m[i] ?? 0) + (1 - beta1) * g;
    v[i] = beta2 * (v[i] ?? 0) + (1 - beta2) * g * g;
    const denom = Math.sqrt(v[i] ?? 0) / Math.sqrt(bc2) + eps;
    params[i] = (params[i] ?? 0) - (rate / bc1) * ((m[i] ?? 0) / denom);
  }
  return { params, m, v };
}
