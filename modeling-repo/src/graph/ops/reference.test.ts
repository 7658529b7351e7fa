/**
 * @jest-environment ./test/support/ort-environment.ts
 */
import { describe, expect, it } from '@jest/globals';
import { GraphBuilder } from '../builder.js';
import { evaluateGraph } from '../evaluate.js';
import { randomTensor, runOrt } from '../../../test/support/gradcheck.js';
import type { Attrs, Tensor } from '../ir.js';
import { convGeometry } from '../kernels/conv.js';
import { RULES } from '../registry.js';
import { int64Tensor, makeTensor, toFloat64 } from '../tensor.js';
import { depthwiseWeightGradChannelConv, depthwiseWeightGradGroupedConv, depthwiseWeightGradTaps } from './conv-grad.js';

/** An input: dims of a random float32 feed (optionally with a value range), or a constant tensor. */
type Spec = number[] | { dims: number[]; range: [number, number] } | Tensor;

interface Case {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly (Spec | null)[];
  readonly attrs?: Attrs;
  readonly outputs?: number;
  readonly domain?: string;
}

const ints = (value: number[]): Attrs[string] => ({ kind: 'ints', value });
const int = (value: number): Attrs[string] => ({ kind: 'int', value });
const float = (value: number): Attrs[string] => ({ kind: 'float', value });
const str = (value: string): Attrs[string] => ({ kind: 'string', value });
const i64 = (values: number[]): Tensor => int64Tensor([values.length], values);
const f32 = (dims: number[], values: number[]): Tensor => makeTensor('float32', dims, values);
const scalar = (v: number): Tensor => makeTensor('float32', [], [v]);
const c = (name: string, op: string, inputs: (Spec | null)[], attrs: Attrs = {}, outputs = 1): Case => ({ name, op, inputs, attrs, outputs });
const un = (op: string, range: [number, number] = [-2, 2], attrs: Attrs = {}): Case => c(op, op, [{ dims: [2, 3, 4], range }], attrs);
const bin = (op: string, range: [number, number] = [-2, 2]): Case => c(op, op, [{ dims: [2, 3, 4], range }, { dims: [3, 1], range }]);
const cmp = (op: string): Case => c(op, op, [f32([4], [1, 2, 3, 4]), f32([4], [2, 2, 2, 5])]);
const bools = (values: number[]): Tensor => makeTensor('bool', [values.length], values);

const CASES: Case[] = [
  ...['Relu', 'Sigmoid', 'Tanh', 'Neg', 'Exp', 'Abs', 'Sign', 'Identity', 'Softplus', 'HardSwish'].map((op) => un(op)),
  ...['Log', 'Sqrt', 'Reciprocal'].map((op) => un(op, [0.5, 3])),
  un('HardSigmoid', [-4, 4], { alpha: float(0.3), beta: float(0.6) }),
  un('Softmax', [-3, 3], { axis: int(1) }),
  ...['Add', 'Sub', 'Mul', 'Max', 'Min'].map((op) => bin(op)),
  ...['Div', 'Pow'].map((op) => bin(op, [0.5, 2])),
  ...['Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'Equal'].map(cmp),
  c('And', 'And', [bools([1, 0, 1, 0]), bools([1, 1, 0, 0])]),
  c('Or', 'Or', [bools([1, 0, 1, 0]), bools([1, 1, 0, 0])]),
  c('Not', 'Not', [bools([1, 0, 1])]),
  c('Where', 'Where', [makeTensor('bool', [2, 1], [1, 0]), [2, 3], [3]]),
  c('Clip', 'Clip', [{ dims: [3, 4], range: [-3, 9] }, scalar(0), scalar(6)]),
  c('Clip max only', 'Clip', [[3, 4], null, scalar(0.25)]),
  c('Cast to int64', 'Cast', [{ dims: [5], range: [-9, 9] }], { to: int(7) }),
  c('Cast to float64', 'Cast', [[5]], { to: int(11) }),
  c('Reshape', 'Reshape', [[2, 3, 4], i64([0, -1, 2])]),
  c('Flatten', 'Flatten', [[2, 3, 4]], { axis: int(2) }),
  c('Transpose', 'Transpose', [[2, 3, 4]], { perm: ints([1, 2, 0]) }),
  c('Concat', 'Concat', [[2, 3], [2, 1], [2, 2]], { axis: int(-1) }),
  c('Split', 'Split', [[2, 6], i64([1, 2, 3])], { axis: int(1) }, 3),
  c('Slice', 'Slice', [[4, 6], i64([1, -1]), i64([4, 0]), i64([0, 1]), i64([2, -2])]),
  c('Squeeze', 'Squeeze', [[2, 1, 3], i64([1])]),
  c('Unsqueeze', 'Unsqueeze', [[2, 3], i64([0, -1])]),
  c('Expand', 'Expand', [[3, 1], i64([2, 3, 4])]),
  c('Tile', 'Tile', [[2, 3], i64([2, 2])]),
  c('Pad constant', 'Pad', [[2, 3], i64([1, 0, 2, 1]), scalar(0.5)]),
  c('Pad reflect', 'Pad', [[3, 4], i64([1, 2, 1, 2])], { mode: str('reflect') }),
  c('Pad edge', 'Pad', [[3, 4], i64([2, 1, 0, 3])], { mode: str('edge') }),
  c('Shape', 'Shape', [[2, 3, 4]], { start: int(1) }),
  c('Gather', 'Gather', [[3, 4], i64([2, 0])], { axis: int(1) }),
  c('ConstantOfShape', 'ConstantOfShape', [i64([2, 3])], { value: { kind: 'tensor', value: f32([1], [1.5]) } }),
  c('Constant', 'Constant', [], { value: { kind: 'tensor', value: f32([2], [3, 4]) } }),
  c('ReduceSum', 'ReduceSum', [[2, 3, 4], i64([0, 2])], { keepdims: int(0) }),
  c('ReduceMean', 'ReduceMean', [[2, 3, 4]], { axes: ints([1]) }),
  c('ReduceMax', 'ReduceMax', [[2, 3, 4]], { axes: ints([-1]), keepdims: int(0) }),
  c('GlobalAveragePool', 'GlobalAveragePool', [[2, 3, 4, 5]]),
  c('Gemm', 'Gemm', [[4, 3], [5, 4], [5]], { transA: int(1), transB: int(1), alpha: float(0.5), beta: float(2) }),
  c('MatMul', 'MatMul', [[2, 3, 4], [4, 2]]),
  { ...c('FusedMatMul transA', 'FusedMatMul', [[2, 4, 3], [4, 5]], { transA: int(1), alpha: float(0.5) }), domain: 'com.microsoft' },
  { ...c('FusedMatMul transB', 'FusedMatMul', [[3, 4], [2, 5, 4]], { transB: int(1) }), domain: 'com.microsoft' },
  c('Conv', 'Conv', [[2, 3, 7, 7], [4, 3, 3, 3], [4]], { strides: ints([2, 2]), pads: ints([1, 0, 1, 2]) }),
  c('Conv depthwise', 'Conv', [[1, 4, 6, 6], [4, 1, 3, 3]], { group: int(4), pads: ints([1, 1, 1, 1]) }),
  c('Conv dilated grouped', 'Conv', [[1, 4, 7, 7], [6, 2, 3, 3]], { group: int(2), dilations: ints([2, 1]) }),
  c('ConvTranspose', 'ConvTranspose', [[1, 4, 4, 4], [4, 3, 3, 3], [3]], { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), output_padding: ints([1, 0]) }),
  c('ConvTranspose grouped', 'ConvTranspose', [[2, 4, 3, 3], [4, 1, 3, 3]], { group: int(4), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) }),
  c('MaxPool', 'MaxPool', [[2, 3, 7, 7]], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) }),
  c('AveragePool', 'AveragePool', [[2, 3, 6, 6]], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) }),
  c('AveragePool count_include_pad', 'AveragePool', [[1, 2, 5, 5]], { kernel_shape: ints([2, 2]), pads: ints([1, 1, 1, 1]), count_include_pad: int(1) }),
  c('BatchNormalization', 'BatchNormalization', [[2, 3, 4, 4], [3], [3], [3], { dims: [3], range: [0.5, 2] }], { epsilon: float(1e-3) }),
  c('Resize linear half_pixel', 'Resize', [[1, 2, 5, 7], null, f32([4], [1, 1, 2.4, 0.6])], { mode: str('linear') }),
  c('Resize linear sizes', 'Resize', [[1, 2, 9, 9], null, null, i64([1, 2, 4, 6])], { mode: str('linear') }),
  c('Resize linear align_corners', 'Resize', [[1, 1, 4, 5], null, null, i64([1, 1, 7, 3])], {
    mode: str('linear'),
    coordinate_transformation_mode: str('align_corners'),
  }),
  c('Resize nearest', 'Resize', [[1, 2, 4, 5], null, f32([4], [1, 1, 2, 1.5])], {}),
  c('Resize nearest asymmetric floor', 'Resize', [[1, 1, 6, 6], null, null, i64([1, 1, 4, 9])], {
    coordinate_transformation_mode: str('asymmetric'),
    nearest_mode: str('floor'),
  }),
];

function build(k: Case, seed: number): { b: GraphBuilder; feeds: Record<string, Tensor>; outs: string[] } {
  const b = new GraphBuilder(k.name);
  const feeds: Record<string, Tensor> = {};
  const inputs = k.inputs.map((spec, i) => {
    if (spec === null) {
      return '';
    }
    if ('data' in spec) {
      return b.constant(spec, `c${i}`);
    }
    const [dims, range] = Array.isArray(spec) ? [spec, [-1, 1] as const] : [spec.dims, spec.range];
    feeds[`in${i}`] = randomTensor(dims, seed * 31 + i, range[0], range[1]);
    return b.input(`in${i}`, 'float32', dims);
  });
  const outs = b.node(k.op, inputs, k.attrs ?? {}, k.outputs ?? 1, k.domain);
  outs.forEach((o) => {
    b.output(o);
  });
  return { b, feeds, outs };
}

describe('float64 reference kernels agree with ONNX Runtime', () => {
  it.each(CASES.map((k, i) => [k.name, k, i] as const))('%s', async (_name, k, i) => {
    const { b, feeds, outs } = build(k, i + 1);
    const graph = b.build();
    const ref = evaluateGraph(graph, feeds);
    const ort = await runOrt(graph, feeds);
    for (const o of outs) {
      const want = ref[o]!;
      const got = ort[o]!;
      expect(got.dims).toEqual(want.dims);
      expect(b.info(o).shape).toEqual(want.dims);
      const w = toFloat64(want);
      const g = toFloat64(got);
      const worst = Math.max(0, ...Array.from(w, (v, j) => Math.abs(v - (g[j] ?? NaN)) / (1 + Math.abs(v))));
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('covers every op in the registry', () => {
    const covered = new Set(CASES.map((k) => k.op));
    // The NCHWc domain's ops are covered in ../nchwc.test.ts (their shapes follow the block size).
    expect(RULES.filter((r) => r.domain === undefined).map((r) => r.op).filter((op) => !covered.has(op))).toEqual([]);
  });
});

describe('depthwise weight gradient formulations', () => {
  it('the tap sum, the N*C-group conv and the C-group conv agree', async () => {
    const makers = [depthwiseWeightGradTaps, depthwiseWeightGradGroupedConv, depthwiseWeightGradChannelConv];
    const results = await Promise.all(
      makers.map(async (make) => {
        const b = new GraphBuilder('dw');
        const x = b.input('x', 'float32', [2, 3, 7, 7]);
        const dy = b.input('dy', 'float32', [2, 3, 4, 4]);
        const g = convGeometry({ group: int(3), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) }, [7, 7], [3, 3]);
        b.output(b.named(make(b, x, dy, g, { x: [2, 3, 7, 7], w: [3, 1, 3, 3], y: [2, 3, 4, 4] }), 'dw'));
        const out = await runOrt(b.build(), { x: randomTensor([2, 3, 7, 7], 1), dy: randomTensor([2, 3, 4, 4], 2) });
        return toFloat64(out.dw!);
      }),
    );
    for (const r of results.slice(1)) {
      r.forEach((v, i) => {
        expect(v).toBeCloseTo(results[0]![i]!, 4);
      });
    }
  });
});
