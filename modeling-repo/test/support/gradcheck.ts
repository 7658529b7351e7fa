/**
 * Gradient checking: the analytic gradients of a generated ONNX graph, run by ONNX Runtime in
 * float32, against central finite differences of the float64 reference evaluator. The loss is a
 * fixed random weighting of the checked output, so every output element matters.
 */
import * as ort from 'onnxruntime-node';
import { toOnnxBytes } from '../../src/onnx/index.js';
import { differentiate } from '../../src/graph/autodiff.js';
import type { GraphBuilder } from '../../src/graph/builder.js';
import type { Graph, Tensor } from '../../src/graph/ir.js';
import { evaluateGraph } from '../../src/graph/evaluate.js';
import { staticShape } from '../../src/graph/shape.js';
import { makeTensor, toFloat64 } from '../../src/graph/tensor.js';

const DEFAULT_STEP = 1e-4;
const DEFAULT_MAX_COORDS = 24;
const DEFAULT_SEED = 1234;
/** Numerical gradients below this fraction of the largest one are compared absolutely. */
const RELATIVE_FLOOR = 1e-2;
const TINY = 1e-8;
const LCG_A = 1664525;
const LCG_C = 1013904223;
const TWO_32 = 2 ** 32;

/** A small seeded generator: tests and checks must not depend on a global RNG. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, LCG_A) + LCG_C) >>> 0;
    return s / TWO_32;
  };
}

/** A float32 tensor of uniform values in [lo, hi) from a seeded generator. */
export function randomTensor(dims: readonly number[], seed: number, lo = -1, hi = 1): Tensor {
  const rand = seededRandom(seed);
  const n = dims.reduce((a, d) => a * d, 1);
  return makeTensor('float32', dims, Float64Array.from({ length: n }, () => lo + (hi - lo) * rand()));
}

function toOrt(t: Tensor): ort.Tensor {
  const dims = [...t.dims];
  if (t.data instanceof Float64Array) {
    return new ort.Tensor('float32', Float32Array.from(t.data), dims);
  }
  if (t.data instanceof Float32Array || t.data instanceof BigInt64Array || t.data instanceof Int32Array) {
    return new ort.Tensor(t.data, dims);
  }
  return new ort.Tensor(t.dtype === 'bool' ? 'bool' : 'uint8', t.data, dims);
}

function fromOrt(t: ort.Tensor): Tensor {
  const data = t.data;
  if (data instanceof Float32Array) {
    return { dtype: 'float32', dims: [...t.dims], data };
  }
  if (data instanceof Float64Array) {
    return { dtype: 'float64', dims: [...t.dims], data };
  }
  if (data instanceof BigInt64Array) {
    return { dtype: 'int64', dims: [...t.dims], data };
  }
  if (data instanceof Int32Array) {
    return { dtype: 'int32', dims: [...t.dims], data };
  }
  if (data instanceof Uint8Array) {
    return { dtype: t.type === 'bool' ? 'bool' : 'uint8', dims: [...t.dims], data };
  }
  throw new Error(`unsupported ONNX Runtime output type ${t.type}`);
}

/** Runs a graph with onnxruntime-node on the CPU and returns its outputs. */
export async function runOrt(graph: Graph, feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(toOnnxBytes(graph), { graphOptimizationLevel: 'all' });
  try {
    const input: Record<string, ort.Tensor> = {};
    for (const v of graph.inputs) {
      const t = feeds[v.name];
      if (t !== undefined) {
        input[v.name] = toOrt(t);
      }
    }
    const result = await session.run(input);
    return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, fromOrt(v)]));
  } finally {
    await session.release();
  }
}

export interface GradCheckOptions {
  readonly step?: number;
  /** Coordinates checked per input (all when the input is smaller). */
  readonly maxCoords?: number;
  readonly seed?: number;
}

export interface GradCheckEntry {
  readonly input: string;
  readonly index: number;
  readonly analytic: number;
  readonly numeric: number;
  readonly relError: number;
}

export interface GradCheckResult {
  readonly worst: GradCheckEntry;
  readonly checked: number;
  readonly entries: readonly GradCheckEntry[];
}

/** Adds loss = sum(output * W) with a fixed random W; returns the loss value name. */
export function weightedSumLoss(b: GraphBuilder, output: string, seed: number): string {
  const shape = staticShape(b.info(output).shape, 'gradcheck output');
  const weights = b.constant(randomTensor(shape, seed), 'loss_weights');
  return b.op('ReduceSum', [b.op('Mul', [output, weights])], { keepdims: { kind: 'int', value: 0 } });
}

function coords(size: number, max: number, seed: number): number[] {
  if (size <= max) {
    return Array.from({ length: size }, (_, i) => i);
  }
  const rand = seededRandom(seed);
  return Array.from({ length: max }, () => Math.floor(rand() * size));
}

function lossAt(graph: Graph, feeds: Readonly<Record<string, Tensor>>, loss: string): number {
  return toFloat64(evaluateGraph(graph, feeds)[loss] ?? makeTensor('float64', [], [NaN]))[0] ?? NaN;
}

interface Forward {
  readonly graph: Graph;
  readonly feeds: Readonly<Record<string, Tensor>>;
  readonly loss: string;
}

function numericGrad({ graph, feeds, loss }: Forward, input: string, index: number, h: number): number {
  const base = feeds[input];
  if (base === undefined) {
    throw new Error(`gradcheck: no feed for "${input}"`);
  }
  const values = Float64Array.from(toFloat64(base));
  const at = (delta: number): number => {
    const v = Float64Array.from(values);
    v[index] = (v[index] ?? 0) + delta;
    return lossAt(graph, { ...feeds, [input]: makeTensor('float64', base.dims, v) }, loss);
  };
  return (at(h) - at(-h)) / (2 * h);
}

/**
 * Differentiates `output` (through a weighted-sum loss) with respect to graph inputs `wrt`,
 * runs the generated graph in ONNX Runtime, and compares with finite differences in float64.
 * The builder receives the loss and backward nodes; its outputs are replaced.
 */
export async function gradcheck(
  b: GraphBuilder,
  output: string,
  wrt: readonly string[],
  feeds: Readonly<Record<string, Tensor>>,
  options: GradCheckOptions = {},
): Promise<GradCheckResult> {
  const seed = options.seed ?? DEFAULT_SEED;
  const loss = weightedSumLoss(b, output, seed);
  b.removeOutputs();
  b.output(loss);
  const forward = b.build();
  const grads = differentiate(b, loss, wrt);
  for (const g of grads.values()) {
    b.output(g);
  }
  const ortOut = await runOrt(b.build(), feeds);
  const entries: GradCheckEntry[] = [];
  for (const input of wrt) {
    const analytic = toFloat64(ortOut[grads.get(input) ?? ''] ?? makeTensor('float64', [], [NaN]));
    const picked = coords(analytic.length, options.maxCoords ?? DEFAULT_MAX_COORDS, seed + entries.length);
    const numeric = picked.map((i) => numericGrad({ graph: forward, feeds, loss }, input, i, options.step ?? DEFAULT_STEP));
    const scale = Math.max(...numeric.map(Math.abs), ...Array.from(analytic, Math.abs)) * RELATIVE_FLOOR;
    picked.forEach((index, k) => {
      const a = analytic[index] ?? NaN;
      const n = numeric[k] ?? NaN;
      entries.push({ input, index, analytic: a, numeric: n, relError: Math.abs(a - n) / Math.max(Math.abs(n), scale, TINY) });
    });
  }
  const worst = entries.reduce((w, e) => (Number.isNaN(e.relError) || e.relError > w.relError ? e : w));
  return { worst, checked: entries.length, entries };
}
