/**
 * @jest-environment ./test/support/ort-environment.ts
 */
import { describe, expect, it } from '@jest/globals';
import { differentiate } from './autodiff.js';
import { GraphBuilder } from './builder.js';
import { gradcheck, randomTensor } from '../../test/support/gradcheck.js';
import type { Attrs, Tensor } from './ir.js';
import { RULES } from './registry.js';
import { makeTensor } from './tensor.js';

interface Case {
  readonly name: string;
  /** Builds the forward graph; returns the checked output, the inputs to differentiate and feeds. */
  readonly build: (b: GraphBuilder, feeds: Record<string, Tensor>) => { out: string; wrt: string[] };
  readonly tol?: number;
}

let seed = 1;
function inp(b: GraphBuilder, feeds: Record<string, Tensor>, name: string, dims: number[], range: [number, number] = [-1, 1]): string {
  const [lo, hi] = range;
  seed += 1;
  feeds[name] = randomTensor(dims, seed * 7919, lo, hi);
  return b.input(name, 'float32', dims);
}

const ints = (value: number[]): Attrs[string] => ({ kind: 'ints', value });
const int = (value: number): Attrs[string] => ({ kind: 'int', value });
const float = (value: number): Attrs[string] => ({ kind: 'float', value });

function unary(op: string, lo = -2, hi = 2, attrs: Attrs = {}): Case {
  return {
    name: op,
    build: (b, f) => {
      const x = inp(b, f, 'x', [2, 3, 4], [lo, hi]);
      return { out: b.op(op, [x], attrs), wrt: [x] };
    },
  };
}

function binary(op: string, sa: number[], sb: number[], lo = -2, hi = 2): Case {
  return {
    name: `${op} [${sa.join(',')}] with [${sb.join(',')}]`,
    build: (b, f) => {
      const x = inp(b, f, 'a', sa, [lo, hi]);
      const y = inp(b, f, 'b', sb, [lo, hi]);
      return { out: b.op(op, [x, y]), wrt: [x, y] };
    },
  };
}

interface ConvSpec {
  x: number[];
  w: number[];
  attrs: Attrs;
  bias?: boolean;
}

function convCase(name: string, spec: ConvSpec): Case {
  return {
    name: `Conv ${name}`,
    build: (b, f) => {
      const x = inp(b, f, 'x', spec.x);
      const w = inp(b, f, 'w', spec.w);
      const inputs = [x, w];
      if (spec.bias !== false) {
        inputs.push(inp(b, f, 'bias', [spec.w[0]!]));
      }
      return { out: b.op('Conv', inputs, spec.attrs), wrt: inputs };
    },
  };
}

const CASES: Case[] = [
  unary('Relu'),
  unary('Sigmoid'),
  unary('Tanh'),
  unary('Neg'),
  unary('Exp'),
  unary('Log', 0.5, 3),
  unary('Abs', 0.2, 2),
  unary('Sqrt', 0.5, 3),
  unary('Reciprocal', 0.5, 3),
  unary('Softplus', -4, 4),
  unary('Identity'),
  unary('HardSigmoid', -4, 4, { alpha: float(0.25), beta: float(0.4) }),
  unary('HardSwish', -5, 5),
  unary('Flatten', -1, 1, { axis: int(2) }),
  unary('Transpose', -1, 1, { perm: ints([2, 0, 1]) }),
  unary('Softmax'),
  binary('Add', [2, 3, 4], [3, 1]),
  binary('Add', [1, 4], [2, 3, 1]),
  binary('Sub', [2, 3, 4], [4]),
  binary('Sub', [3, 1], [2, 3, 4]),
  binary('Mul', [2, 3, 4], [2, 1, 4]),
  binary('Div', [2, 3, 4], [3, 1], 0.5, 2),
  binary('Div', [4], [2, 3, 4], 0.5, 2),
  binary('Pow', [2, 3], [2, 3], 0.5, 2),
  binary('Max', [2, 3, 4], [3, 4]),
  binary('Min', [2, 3, 4], [2, 3, 1]),
  binary('MatMul', [2, 3, 4], [4, 5]),
  binary('MatMul', [3, 4], [2, 4, 5]),
  {
    name: 'Where',
    build: (b, f) => {
      const x = inp(b, f, 'x', [2, 3]);
      const y = inp(b, f, 'y', [3]);
      const c = b.constant(makeTensor('bool', [2, 3], [1, 0, 1, 0, 0, 1]));
      return { out: b.op('Where', [c, x, y]), wrt: [x, y] };
    },
  },
  {
    name: 'Clip (ReLU6)',
    build: (b, f) => {
      const x = inp(b, f, 'x', [2, 3, 4], [-3, 9]);
      return { out: b.op('Clip', [x, b.scalar(0), b.scalar(6)]), wrt: [x] };
    },
  },
  {
    name: 'Clip (min only)',
    build: (b, f) => {
      const x = inp(b, f, 'x', [2, 5], [-2, 2]);
      return { out: b.op('Clip', [x, b.scalar(-0.5)]), wrt: [x] };
    },
  },
  {
    name: 'Cast to float64 and back',
    build: (b, f) => {
      const x = inp(b, f, 'x', [2, 3]);
      const d = b.op('Cast', [x], { to: int(11) });
      return { out: b.op('Cast', [b.op('Mul', [d, d])], { to: int(1) }), wrt: [x] };
    },
  },
  {
    name: 'Reshape, Squeeze, Unsqueeze, Expand',
    build: (b, f) => {
      const x = inp(b, f, 'x', [2, 1, 6]);
      const s = b.op('Squeeze', [x, b.int64s([1])]);
      const r = b.op('Reshape', [s, b.int64s([2, 3, 2])]);
      const u = b.op('Unsqueeze', [r, b.int64s([0])]);
      return { out: b.op('Expand', [u, b.int64s([2, 2, 3, 2])]), wrt: [x] };
    },
  },
  {
    name: 'Concat and Split',
    build: (b, f) => {
      const x = inp(b, f, 'x', [2, 3, 2]);
      const y = inp(b, f, 'y', [2, 1, 2]);
      const c = b.op('Concat', [x, y], { axis: int(1) });
      const [p, q] = b.node('Split', [c, b.int64s([1, 3])], { axis: int(1) }, 2);
      // Only q is used: Split's gradient fills the unused part with zeros.
      return { out: b.op('Mul', [q!, q!]), wrt: [x, y, ...(p === undefined ? [] : [])] };
    },
  },
  {
    name: 'Slice and Pad',
    build: (b, f) => {
      const x = inp(b, f, 'x', [2, 3, 5]);
      const s = b.op('Slice', [x, b.int64s([1, -4]), b.int64s([3, 4]), b.int64s([1, 2])]);
      return { out: b.op('Pad', [s, b.int64s([0, 1, 2, 1, 0, 1])]), wrt: [x] };
    },
  },
  {
    name: 'ReduceSum, ReduceMean, GlobalAveragePool',
    build: (b, f) => {
      const x = inp(b, f, 'x', [2, 3, 4, 5]);
      const g = b.op('GlobalAveragePool', [x]);
      const s = b.op('ReduceSum', [x, b.int64s([1, 3])], { keepdims: int(0) });
      const m = b.op('ReduceMean', [x], { axes: ints([0, 2]), keepdims: int(1) });
      const t = b.op('Add', [b.op('Reshape', [g, b.int64s([2, 3, 1])]), b.op('Reshape', [b.op('ReduceSum', [s, b.int64s([1])], { keepdims: int(1) }), b.int64s([2, 1, 1])])]);
      return { out: b.op('Add', [t, b.op('Reshape', [m, b.int64s([3, 5])])]), wrt: [x] };
    },
  },
  ...[
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ].map(([ta, tb]): Case => ({
    name: `Gemm transA=${ta} transB=${tb}`,
    build: (b, f) => {
      const a = inp(b, f, 'a', ta === 1 ? [4, 3] : [3, 4]);
      const w = inp(b, f, 'w', tb === 1 ? [5, 4] : [4, 5]);
      const c = inp(b, f, 'c', [5]);
      const attrs = { transA: int(ta!), transB: int(tb!), alpha: float(0.7), beta: float(1.3) };
      return { out: b.op('Gemm', [a, w, c], attrs), wrt: [a, w, c] };
    },
  })),
  convCase('3x3', { x: [2, 3, 5, 5], w: [4, 3, 3, 3], attrs: {} }),
  convCase('strided padded', { x: [2, 3, 7, 6], w: [4, 3, 3, 3], attrs: { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) } }),
  convCase('asymmetric pads, stride 2, no bias', {
    x: [1, 2, 6, 6],
    w: [3, 2, 3, 2],
    attrs: { strides: ints([2, 1]), pads: ints([0, 1, 1, 0]) },
    bias: false,
  }),
  convCase('1x1', { x: [2, 6, 4, 4], w: [5, 6, 1, 1], attrs: {} }),
  convCase('grouped', { x: [2, 4, 5, 5], w: [6, 2, 3, 3], attrs: { group: int(2), pads: ints([1, 1, 1, 1]) } }),
  convCase('depthwise', { x: [2, 4, 6, 6], w: [4, 1, 3, 3], attrs: { group: int(4), pads: ints([1, 1, 1, 1]) } }),
  convCase('depthwise strided', { x: [2, 3, 7, 7], w: [3, 1, 3, 3], attrs: { group: int(3), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) } }),
  convCase('depthwise same_upper', { x: [1, 2, 6, 6], w: [2, 1, 3, 3], attrs: { group: int(2), strides: ints([2, 2]), auto_pad: { kind: 'string', value: 'SAME_UPPER' } } }),
  convCase('dilated', { x: [1, 2, 7, 7], w: [3, 2, 3, 3], attrs: { dilations: ints([2, 2]), pads: ints([2, 2, 2, 2]) } }),
  {
    name: 'MaxPool strided padded',
    build: (b, f) => {
      const x = inp(b, f, 'x', [2, 3, 6, 6]);
      return { out: b.op('MaxPool', [x], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) }), wrt: [x] };
    },
  },
  {
    name: 'AveragePool padded, count_include_pad 0',
    build: (b, f) => {
      const x = inp(b, f, 'x', [2, 3, 5, 5]);
      return { out: b.op('AveragePool', [x], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) }), wrt: [x] };
    },
  },
  {
    name: 'AveragePool count_include_pad 1',
    build: (b, f) => {
      const x = inp(b, f, 'x', [1, 2, 4, 4]);
      const attrs = { kernel_shape: ints([2, 2]), pads: ints([1, 1, 0, 0]), count_include_pad: int(1) };
      return { out: b.op('AveragePool', [x], attrs), wrt: [x] };
    },
  },
  {
    name: 'BatchNormalization (inference)',
    build: (b, f) => {
      const x = inp(b, f, 'x', [2, 3, 4, 4]);
      const scale = inp(b, f, 'scale', [3]);
      const bias = inp(b, f, 'bias', [3]);
      const mean = b.constant(randomTensor([3], 5));
      const variance = b.constant(randomTensor([3], 6, 0.5, 2));
      return { out: b.op('BatchNormalization', [x, scale, bias, mean, variance], { epsilon: float(1e-3) }), wrt: [x, scale, bias] };
    },
  },
  {
    name: 'fan-out: a value used twice',
    build: (b, f) => {
      const x = inp(b, f, 'x', [3, 4]);
      const s = b.op('Sigmoid', [x]);
      return { out: b.op('Add', [b.op('Mul', [s, x]), b.op('Exp', [s])]), wrt: [x] };
    },
  },
];

/** The small CNN of a fine-tuning step: Conv-Clip-depthwise Conv-residual Add-GAP-Gemm, BCE with logits. */
function smallCnn(b: GraphBuilder, f: Record<string, Tensor>): { out: string; wrt: string[] } {
  const x = inp(b, f, 'x', [2, 3, 8, 8]);
  const w1 = inp(b, f, 'w1', [8, 3, 3, 3], [-0.5, 0.5]);
  const b1 = inp(b, f, 'b1', [8], [0, 0.5]);
  const dw = inp(b, f, 'dw', [8, 1, 3, 3], [-0.5, 0.5]);
  const db = inp(b, f, 'db', [8]);
  const fc = inp(b, f, 'fc', [5, 8]);
  const fcb = inp(b, f, 'fcb', [5]);
  f.labels = makeTensor('float32', [2, 5], [1, 0, 0, 1, 1, 0, 1, 0, 0, 1]);
  const labels = b.input('labels', 'float32', [2, 5]);
  const six = b.scalar(6);
  const zero = b.scalar(0);
  const c1 = b.op('Clip', [b.op('Conv', [x, w1, b1], { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) }), zero, six]);
  const c2 = b.op('Conv', [c1, dw, db], { group: int(8), pads: ints([1, 1, 1, 1]) });
  const res = b.op('Clip', [b.op('Add', [c1, c2]), zero, six]);
  const feat = b.op('Flatten', [b.op('GlobalAveragePool', [res])]);
  const z = b.op('Gemm', [feat, fc, fcb], { transB: int(1) });
  // BCE with logits, stable form: max(z, 0) - z*y + log(1 + exp(-|z|)).
  const terms = b.op('Add', [b.op('Sub', [b.op('Relu', [z]), b.op('Mul', [z, labels])]), b.op('Softplus', [b.op('Neg', [b.op('Abs', [z])])])]);
  return { out: b.op('ReduceMean', [terms], { keepdims: int(0) }), wrt: [w1, b1, dw, db, fc, fcb] };
}

/** Seed counter at the small CNN's first input (checked away from every kink). */
const SMALL_CNN_SEED = 95;

const worst: { name: string; rel: number }[] = [];

describe('gradients match float64 finite differences', () => {
  it.each(CASES.filter((c) => c.name !== 'Softmax').map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const b = new GraphBuilder('check');
    const feeds: Record<string, Tensor> = {};
    const { out, wrt } = c.build(b, feeds);
    const result = await gradcheck(b, out, wrt, feeds);
    worst.push({ name: c.name, rel: result.worst.relError });
    expect(result.checked).toBeGreaterThan(0);
    expect(result.worst.relError).toBeLessThan(c.tol ?? 1e-3);
  });

  it('end to end on a small CNN with a BCE-with-logits loss', async () => {
    // Its own draws, whatever cases come before: a draw that puts a Clip or Relu input at a kink
    // makes central differences meaningless there.
    seed = SMALL_CNN_SEED;
    const b = new GraphBuilder('cnn');
    const feeds: Record<string, Tensor> = {};
    const { out, wrt } = smallCnn(b, feeds);
    const result = await gradcheck(b, out, wrt, feeds, { maxCoords: 40 });
    worst.push({ name: 'small CNN', rel: result.worst.relError });
    expect(result.worst.relError).toBeLessThan(1e-3);
    const overall = worst.reduce((w, e) => (e.rel > w.rel ? e : w));
    console.log(`gradcheck: ${worst.length} cases, worst relative error ${overall.rel.toExponential(2)} (${overall.name})`);
  });

  it('covers every op that has a gradient rule', () => {
    const used = new Set<string>();
    for (const c of CASES) {
      const b = new GraphBuilder('ops');
      c.build(b, {});
      b.nodes.forEach((n) => used.add(n.op));
    }
    smallCnn(new GraphBuilder('cnn'), {}); // built above too; its ops are a subset of the cases'
    // The NCHWc domain's rules are checked in nchwc.test.ts.
    const missing = RULES.filter((r) => r.domain === undefined && r.grad !== null && !used.has(r.op)).map((r) => r.op);
    expect(missing).toEqual([]);
  });
});

describe('differentiate', () => {
  it('throws naming an input the loss does not depend on', () => {
    const b = new GraphBuilder('unused');
    const x = b.input('x', 'float32', [3]);
    const unused = b.input('unused', 'float32', [3]);
    b.op('Exp', [unused]); // a branch that does not reach the loss
    const loss = b.op('ReduceSum', [b.op('Mul', [x, x])], { keepdims: int(0) });
    expect(() => differentiate(b, loss, [x, unused])).toThrow(/no gradient path from loss .* to "unused"/);
  });

  it('skips nodes off the path and needs no rule for them', () => {
    const b = new GraphBuilder('offpath');
    const x = b.input('x', 'float32', [2, 2]);
    const k = b.input('k', 'float32', [2, 2]);
    const soft = b.op('Softmax', [k]); // no gradient rule, but x does not flow through it
    const loss = b.op('ReduceSum', [b.op('Mul', [x, soft])], { keepdims: int(0) });
    const grads = differentiate(b, loss, [x]);
    expect(b.info(grads.get(x)!).shape).toEqual([2, 2]);
  });

  it('throws naming an op without a gradient rule on the path', () => {
    const b = new GraphBuilder('nograd');
    const x = b.input('x', 'float32', [2, 2]);
    const loss = b.op('ReduceSum', [b.op('Softmax', [x])], { keepdims: int(0) });
    expect(() => differentiate(b, loss, [x])).toThrow(/Softmax/);
  });

  it('rejects a non-scalar loss', () => {
    const b = new GraphBuilder('vector');
    const x = b.input('x', 'float32', [3]);
    expect(() => differentiate(b, b.op('Exp', [x]), [x])).toThrow(/must be a scalar/);
  });
});
