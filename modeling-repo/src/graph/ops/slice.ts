import type { Dim, Tensor } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { stridedIndex } from '../kernels/movement.js';
import { need, showShape } from '../shape.js';
import { gatherElements, normAxis, toNumbers } from '../tensor.js';
import { dy0 } from './grad-util.js';
import type { OpRule } from './op-rule.js';

export interface SlicePlan {
  readonly start: number[];
  readonly step: number[];
  readonly dims: Dim[];
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function constInts(t: Tensor | undefined, what: string): number[] | undefined {
  if (t === undefined) {
    return undefined;
  }
  return toNumbers(t).map((v) => (Number.isFinite(v) ? v : Math.sign(v) * Number.MAX_SAFE_INTEGER)).map((v) => {
    if (Number.isNaN(v)) {
      throw new Error(`Slice: bad ${what}`);
    }
    return v;
  });
}

/** Start, step and output size per axis, clamped as ONNX Slice does. */
export function slicePlan(shape: readonly Dim[], args: readonly (Tensor | undefined)[]): SlicePlan {
  const starts = constInts(args[0], 'starts');
  const ends = constInts(args[1], 'ends');
  if (starts === undefined || ends === undefined) {
    throw new Error('Slice: starts and ends must be known constants');
  }
  const axes = constInts(args[2], 'axes') ?? starts.map((_, i) => i);
  const steps = constInts(args[3], 'steps') ?? starts.map(() => 1);
  const plan: SlicePlan = { start: shape.map(() => 0), step: shape.map(() => 1), dims: [...shape] };
  axes.forEach((a, k) => {
    const axis = normAxis(a, shape.length, 'Slice');
    const dim = shape[axis];
    const step = steps[k] ?? 1;
    if (typeof dim !== 'number') {
      throw new Error(`Slice: axis ${axis} of ${showShape(shape)} is symbolic`);
    }
    const rawStart = starts[k] ?? 0;
    const rawEnd = ends[k] ?? dim;
    const s = rawStart < 0 ? rawStart + dim : rawStart;
    const e = rawEnd < 0 ? rawEnd + dim : rawEnd;
    const begin = step > 0 ? clamp(s, 0, dim) : clamp(s, 0, dim - 1);
    const end = step > 0 ? clamp(e, 0, dim) : clamp(e, -1, dim - 1);
    plan.start[axis] = begin;
    plan.step[axis] = step;
    plan.dims[axis] = Math.max(0, Math.ceil((end - begin) / step));
  });
  return plan;
}

export const slice: OpRule = {
  op: 'Slice',
  infer: (inputs) => {
    const x = need(inputs, 0, 'Slice');
    return [{ dtype: x.dtype, shape: slicePlan(x.shape, inputs.slice(1).map((i) => i?.value)).dims }];
  },
  evaluate: (inputs) => {
    const x = present(inputs, 0, 'Slice');
    const plan = slicePlan(x.dims, inputs.slice(1));
    const dims = plan.dims.map(Number);
    return [gatherElements(x, dims, stridedIndex(x.dims, dims, plan.start, plan.step))];
  },
  /** Unit-step slices scatter back by zero padding. */
  grad: ({ b, x, dy }) => {
    const shape = b.info(x[0] ?? '').shape;
    const plan = slicePlan(shape, x.slice(1).map((n) => (n === '' ? undefined : b.valueOf(n))));
    if (plan.step.some((s) => s !== 1)) {
      throw new Error('Slice gradient supports unit steps only');
    }
    const begin = plan.start;
    const end = plan.dims.map((d, i) => Number(shape[i]) - (begin[i] ?? 0) - Number(d));
    const g = b.op('Pad', [dy0(dy, 'Slice'), b.int64s([...begin, ...end])]);
    return [g, null, null, null, null];
  },
};
