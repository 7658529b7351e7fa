/**
 * @jest-environment ./test/support/ort-environment.ts
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { GraphBuilder } from './builder.js';
import { evaluateGraph } from './evaluate.js';
import { gradcheck, randomTensor, runOrt } from '../../test/support/gradcheck.js';
import { attr, type Attrs, type Graph, type Tensor } from './ir.js';
import { lowerToNchwc } from './nchwc-lowering.js';
import { BLOCK_ATTR, blockSizeProbe, NCHWC_DOMAIN, PROBE_CHANNELS } from './ops/nchwc-layout.js';
import { RULES } from './registry.js';
import { makeTensor, toFloat64 } from './tensor.js';

/**
 * ONNX Runtime's NCHWc block size here, asked the way the pipeline asks (a ReorderInput of 4
 * channels pads them to one block); 0 when this build has no NCHWc kernels.
 */
async function probeBlock(): Promise<number> {
  try {
    const out = await runOrt(blockSizeProbe(), { x: makeTensor('float32', [1, PROBE_CHANNELS, 1, 1], [1, 2, 3, 4]) });
    return out.y?.dims[1] ?? 0;
  } catch {
    return 0;
  }
}

let B = 0;
beforeAll(async () => {
  B = await probeBlock();
  if (B === 0) {
    console.log('nchwc tests skipped: this ONNX Runtime build has no NCHWc kernels (x86-64 with AVX2 or AVX-512 has them)');
  }
});

const ints = (value: number[]): Attrs[string] => attr.ints(value);
const block = (): Attrs => ({ [BLOCK_ATTR]: attr.int(B) });

interface RefCase {
  readonly name: string;
  readonly op: string;
  /** Input dims as functions of the block size. */
  readonly inputs: (b: number) => number[][];
  readonly attrs: (b: number) => Attrs;
}

const REF_CASES: RefCase[] = [
  { name: 'ReorderInput, channels padded to a block', op: 'ReorderInput', inputs: (b) => [[2, b + 4, 3, 5]], attrs: () => ({}) },
  { name: 'ReorderInput from NHWC', op: 'ReorderInput', inputs: (b) => [[2, 3, 5, b]], attrs: () => ({ channels_last: attr.int(1) }) },
  { name: 'ReorderOutput, padding dropped', op: 'ReorderOutput', inputs: (b) => [[2, 2 * b, 3, 3]], attrs: (b) => ({ channels: attr.int(b + 4) }) },
  { name: 'ReorderOutput to NHWC', op: 'ReorderOutput', inputs: (b) => [[2, b, 3, 4]], attrs: (b) => ({ channels: attr.int(b), channels_last: attr.int(1) }) },
  {
    name: 'NchwcConv dense 3x3 stride 2, bias, Clip',
    op: 'Conv',
    inputs: (b) => [[2, 2 * b, 7, 7], [b, 2 * b, 3, 3], [b]],
    attrs: () => ({ kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), activation: attr.string('Clip'), activation_params: attr.floats([0, 0.5]) }),
  },
  {
    name: 'NchwcConv depthwise, Relu',
    op: 'Conv',
    inputs: (b) => [[2, 2 * b, 6, 6], [2 * b, 1, 3, 3], [2 * b]],
    attrs: (b) => ({ kernel_shape: ints([3, 3]), pads: ints([1, 0, 1, 2]), group: attr.int(2 * b), activation: attr.string('Relu') }),
  },
  {
    name: 'NchwcConv over a plain 3-channel input',
    op: 'Conv',
    inputs: (b) => [[2, 3, 9, 9], [b, 3, 3, 3]],
    attrs: () => ({ kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) }),
  },
  {
    name: 'NchwcConv 1x1 with Sum',
    op: 'Conv',
    inputs: (b) => [[1, b, 4, 4], [2 * b, b, 1, 1], [2 * b], [1, 2 * b, 4, 4]],
    attrs: () => ({ kernel_shape: ints([1, 1]) }),
  },
];

function refGraph(k: RefCase, seed: number): { graph: Graph; feeds: Record<string, Tensor> } {
  const b = new GraphBuilder(k.name);
  const feeds: Record<string, Tensor> = {};
  const names = k.inputs(B).map((dims, i) => {
    feeds[`in${i}`] = randomTensor(dims, seed * 17 + i);
    return b.input(`in${i}`, 'float32', dims);
  });
  b.output(b.op(k.op, names, { ...k.attrs(B), ...block() }, NCHWC_DOMAIN));
  return { graph: b.build(), feeds };
}

describe('NCHWc reference kernels agree with ONNX Runtime', () => {
  it.each(REF_CASES.map((k, i) => [k.name, k, i] as const))('%s', async (_name, k, i) => {
    if (B === 0) return;
    const { graph, feeds } = refGraph(k, i + 1);
    const out = graph.outputs[0]?.name ?? '';
    const want = evaluateGraph(graph, feeds)[out]!;
    const got = (await runOrt(graph, feeds))[out]!;
    expect(got.dims).toEqual(want.dims);
    expect(graph.outputs[0]?.shape).toEqual(want.dims);
    const w = toFloat64(want);
    const g = toFloat64(got);
    expect(Math.max(...Array.from(w, (v, j) => Math.abs(v - (g[j] ?? NaN)) / (1 + Math.abs(v))))).toBeLessThan(1e-5);
  });

  it('covers every op of the NCHWc domain', () => {
    const ops = RULES.filter((r) => r.domain === NCHWC_DOMAIN).map((r) => r.op);
    expect(ops.filter((op) => !REF_CASES.some((k) => k.op === op))).toEqual([]);
  });
});

interface ConvLayer {
  readonly cin: (b: number) => number;
  readonly cout: (b: number) => number;
  readonly kernel: number;
  readonly stride: number;
  readonly group?: 'depthwise';
  readonly dilation?: number;
  readonly activation?: 'relu' | 'relu6';
}

interface GradCase {
  readonly name: string;
  readonly size: number;
  readonly layers: readonly ConvLayer[];
  /** Adds the first layer's input to the residual path (shapes permitting). */
  readonly residual?: boolean;
}

/** A plain NCHW graph of convs whose inputs are the image and every filter and bias. */
function plainStack(c: GradCase, feeds: Record<string, Tensor>, block = B): Graph {
  const plain = new GraphBuilder(c.name);
  let seed = 0;
  const input = (name: string, dims: number[], lo = -1, hi = 1): string => {
    seed += 1;
    feeds[name] = randomTensor(dims, seed * 7919, lo, hi);
    return plain.input(name, 'float32', dims);
  };
  let x = input('x', [2, c.layers[0]?.cin(block) ?? 1, c.size, c.size]);
  const first = x;
  c.layers.forEach((l, i) => {
    const [cin, cout] = [l.cin(block), l.cout(block)];
    const group = l.group === 'depthwise' ? cin : 1;
    const w = input(`w${i}`, [cout, cin / group, l.kernel, l.kernel], -0.5, 0.5);
    const bias = input(`b${i}`, [cout], 1, 2);
    const pad = ((l.kernel - 1) / 2) * (l.dilation ?? 1);
    x = plain.op('Conv', [x, w, bias], {
      kernel_shape: ints([l.kernel, l.kernel]), strides: ints([l.stride, l.stride]), pads: ints([pad, pad, pad, pad]),
      dilations: ints([l.dilation ?? 1, l.dilation ?? 1]), group: attr.int(group),
    });
    if (l.activation === 'relu') x = plain.op('Relu', [x]);
    if (l.activation === 'relu6') x = plain.op('Clip', [x, plain.scalar(0), plain.scalar(6)]);
  });
  if (c.residual === true) x = plain.op('Add', [x, first]);
  plain.output(plain.named(plain.op('Mul', [x, plain.scalar(1)]), 'out'));
  return plain.build();
}

/** The same stack lowered onto NCHWc, in a builder ready for gradcheck. */
function convStack(c: GradCase, feeds: Record<string, Tensor>): { b: GraphBuilder; out: string; wrt: string[] } {
  const lowered = lowerToNchwc(plainStack(c, feeds), { block: B });
  return { b: GraphBuilder.from(lowered), out: 'out', wrt: Object.keys(feeds) };
}

const same = (k: number) => (b: number): number => k * b;
const GRAD_CASES: GradCase[] = [
  { name: '1x1 over blocked input, bias, ReLU6 fused', size: 4, layers: [{ cin: same(2), cout: same(1), kernel: 1, stride: 1, activation: 'relu6' }] },
  { name: '1x1 widening (the other GEMM orientation)', size: 3, layers: [{ cin: same(1), cout: same(3), kernel: 1, stride: 1 }] },
  { name: '1x1 narrowing over a wide map (weight gradient per image), bias', size: 8, layers: [{ cin: same(2), cout: same(1), kernel: 1, stride: 1, activation: 'relu6' }] },
  { name: '1x1 widening over a wide map (weight gradient per image)', size: 8, layers: [{ cin: same(1), cout: same(2), kernel: 1, stride: 1 }] },
  { name: 'depthwise 3x3 stride 1, ReLU fused, residual', size: 5, residual: true, layers: [{ cin: same(1), cout: same(1), kernel: 3, stride: 1, group: 'depthwise', activation: 'relu' }] },
  { name: 'depthwise 3x3 stride 2 (zero-stuffed dy)', size: 7, layers: [{ cin: same(1), cout: same(1), kernel: 3, stride: 2, group: 'depthwise', activation: 'relu6' }] },
  { name: 'depthwise dilated (plain fallback)', size: 6, layers: [{ cin: same(1), cout: same(1), kernel: 3, stride: 1, group: 'depthwise', dilation: 2 }] },
  { name: 'dense 3x3 stride 1 (flipped dense filter)', size: 5, layers: [{ cin: same(1), cout: same(1), kernel: 3, stride: 1, activation: 'relu' }] },
  { name: 'dense 3x3 stride 2', size: 6, layers: [{ cin: same(1), cout: same(2), kernel: 3, stride: 2 }] },
  { name: 'first layer over plain 3-channel input', size: 8, layers: [{ cin: () => 3, cout: same(1), kernel: 3, stride: 2, activation: 'relu6' }] },
  {
    name: 'channels padded to the block (12 -> 20 -> depthwise)',
    size: 4,
    layers: [
      { cin: () => 12, cout: () => 20, kernel: 1, stride: 1, activation: 'relu6' },
      { cin: () => 20, cout: () => 20, kernel: 3, stride: 1, group: 'depthwise' },
    ],
  },
  {
    name: 'inverted residual block (expand, depthwise, project, add)',
    size: 4,
    residual: true,
    layers: [
      { cin: same(1), cout: same(3), kernel: 1, stride: 1, activation: 'relu6' },
      { cin: same(3), cout: same(3), kernel: 3, stride: 1, group: 'depthwise', activation: 'relu6' },
      { cin: same(3), cout: same(1), kernel: 1, stride: 1 },
    ],
  },
];

describe('NCHWc gradients against finite differences', () => {
  const worst: { name: string; rel: number }[] = [];
  it.each(GRAD_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    if (B === 0) return;
    const feeds: Record<string, Tensor> = {};
    const { b, out, wrt } = convStack(c, feeds);
    // Every conv is on the NCHWc kernels (its gradient may still use plain ops).
    expect(b.nodes.filter((n) => n.domain === undefined && n.op === 'Conv')).toEqual([]);
    const result = await gradcheck(b, out, wrt, feeds, { maxCoords: 24 });
    worst.push({ name: c.name, rel: result.worst.relError });
    expect(result.worst.relError).toBeLessThan(1e-3);
  });

  it('covers every NCHWc op with a gradient rule', () => {
    if (B === 0) return;
    const used = new Set<string>();
    for (const c of GRAD_CASES) {
      convStack(c, {}).b.nodes.forEach((n) => used.add(`${n.domain ?? ''}:${n.op}`));
    }
    const rules = RULES.filter((r) => r.domain === NCHWC_DOMAIN && r.grad !== null).map((r) => `${r.domain ?? ''}:${r.op}`);
    expect(rules.filter((k) => !used.has(k))).toEqual([]);
    const overall = worst.reduce((w, e) => (e.rel > w.rel ? e : w), { name: 'none', rel: 0 });
    console.log(`NCHWc gradcheck (block ${B}): ${worst.length} cases, worst relative error ${overall.rel.toExponential(2)} (${overall.name})`);
  });
});

describe('lowerToNchwc at block sizes 8 and 16 (float64 reference kernels, no ONNX Runtime)', () => {
  const cases = GRAD_CASES.filter((c) => c.layers.length > 1 || c.residual === true);
  it.each([8, 16].flatMap((block) => cases.map((c) => [block, c.name, c] as const)))('block %i: %s', (block, _name, c) => {
    const feeds: Record<string, Tensor> = {};
    const plain = plainStack(c, feeds, block);
    const lowered = lowerToNchwc(plain, { block });
    expect(lowered.nodes.filter((n) => n.domain === undefined && n.op === 'Conv')).toEqual([]);
    const want = toFloat64(evaluateGraph(plain, feeds).out!);
    const got = toFloat64(evaluateGraph(lowered, feeds).out!);
    expect(Math.max(...Array.from(want, (v, i) => Math.abs(v - (got[i] ?? NaN))))).toBeLessThan(1e-9);
  });
});

describe('lowerToNchwc', () => {
  it('computes what the plain graph computes, with the convs and activations on NCHWc kernels', async () => {
    if (B === 0) return;
    const feeds: Record<string, Tensor> = {};
    const c = GRAD_CASES.at(-1)!;
    const { b } = convStack(c, feeds);
    const lowered = b.build();
    expect(lowered.nodes.filter((n) => (n.domain ?? '') === '' && ['Conv', 'Clip', 'Relu'].includes(n.op))).toEqual([]);
    expect(lowered.outputs.map((o) => o.name)).toEqual(['out']);
    const [a, z] = await Promise.all([runOrt(lowered, feeds), runOrt(plainStack(c, {}), feeds)]);
    const av = toFloat64(a.out!);
    const zv = toFloat64(z.out!);
    expect(Math.max(...Array.from(av, (v, i) => Math.abs(v - (zv[i] ?? NaN))))).toBeLessThan(1e-5);
  });

  it('leaves graphs without NCHWc-able convs as they were', () => {
    const b = new GraphBuilder('grouped');
    const x = b.input('x', 'float32', [1, 6, 4, 4]);
    const w = b.input('w', 'float32', [6, 3, 3, 3]);
    b.output(b.op('Conv', [x, w], { group: attr.int(2), pads: ints([1, 1, 1, 1]) }));
    const graph = b.build();
    expect(lowerToNchwc(graph, { block: 8 }).nodes.map((n) => n.op)).toEqual(['Conv']);
  });
});

