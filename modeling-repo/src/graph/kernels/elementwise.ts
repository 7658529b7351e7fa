/** Rule factories for elementwise ops: unary maps and numpy-broadcasting binary ops. */
import type { DType, Tensor } from '../ir.js';
import type { GradFn, InferInput, Inferred, OpRule } from '../ops/op-rule.js';
import { broadcastDims, need } from '../shape.js';
import { broadcastIndex, broadcastShape, makeTensor, refDType, toFloat64 } from '../tensor.js';

function present(inputs: readonly (Tensor | undefined)[], index: number, op: string): Tensor {
  const t = inputs[index];
  if (t === undefined) {
    throw new Error(`${op}: input ${index} is missing`);
  }
  return t;
}

export function unaryRule(op: string, fn: (x: number) => number, grad: GradFn | null): OpRule {
  return {
    op,
    infer: (inputs) => {
      const x = need(inputs, 0, op);
      return [{ dtype: x.dtype, shape: x.shape }];
    },
    evaluate: (inputs) => {
      const x = present(inputs, 0, op);
      return [makeTensor(refDType(x.dtype), x.dims, toFloat64(x).map(fn))];
    },
    grad,
  };
}

export interface BinaryOptions {
  /** Comparison and logic ops give bool. */
  readonly bool?: boolean;
}

export function inferBroadcast(op: string, inputs: readonly (InferInput | undefined)[], dtype?: DType): Inferred[] {
  const a = need(inputs, 0, op);
  const b = need(inputs, 1, op);
  if (a.dtype !== b.dtype) {
    throw new Error(`${op}: input dtypes differ (${a.dtype} and ${b.dtype})`);
  }
  return [{ dtype: dtype ?? a.dtype, shape: broadcastDims(a.shape, b.shape, op) }];
}

/** Evaluates `fn` over the broadcast of any number of inputs (Where, Max, Min, Sum use more than two). */
export function broadcastMap(inputs: readonly Tensor[], fn: (args: number[]) => number): { dims: number[]; values: Float64Array } {
  const dims = inputs.reduce<number[]>((s, t) => broadcastShape(s, t.dims), []);
  const views = inputs.map((t) => ({ data: toFloat64(t), index: broadcastIndex(t.dims, dims) }));
  const values = new Float64Array(views[0]?.index.length ?? 0);
  const args = new Array<number>(views.length).fill(0);
  for (let i = 0; i < values.length; i++) {
    for (let k = 0; k < views.length; k++) {
      const v = views[k];
      args[k] = v?.data[v.index[i] ?? 0] ?? 0;
    }
    values[i] = fn(args);
  }
  return { dims, values };
}

export function binaryRule(op: string, fn: (a: number, b: number) => number, grad: GradFn | null, options: BinaryOptions = {}): OpRule {
  return {
    op,
    infer: (inputs) => inferBroadcast(op, inputs, options.bool === true ? 'bool' : undefined),
    evaluate: (inputs) => {
      const a = present(inputs, 0, op);
      const b = present(inputs, 1, op);
      const { dims, values } = broadcastMap([a, b], ([x = 0, y = 0]) => fn(x, y));
      const dtype = options.bool === true ? 'bool' : refDType(a.dtype);
      return [makeTensor(dtype, dims, values)];
    },
    grad,
  };
}

export { present };
