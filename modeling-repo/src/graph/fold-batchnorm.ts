/**
 * Folds inference-mode BatchNormalization into the Conv that feeds it: with s = scale / sqrt(var + eps),
 * W' = W * s (per output channel) and b' = (b - mean) * s + B. The frozen statistics disappear from
 * the graph, so fine-tuning trains the folded conv weights directly (and runs one op instead of two).
 */
import { floatAttr } from './attrs.js';
import type { Graph, Node, Tensor } from './ir.js';
import { makeTensor, toFloat64 } from './tensor.js';

const DEFAULT_EPSILON = 1e-5;

interface Fold {
  readonly conv: Node;
  readonly bn: Node;
}

function consumers(graph: Graph): Map<string, number> {
  const count = new Map<string, number>();
  for (const n of graph.nodes) {
    for (const i of n.inputs) {
      count.set(i, (count.get(i) ?? 0) + 1);
    }
  }
  for (const o of graph.outputs) {
    count.set(o.name, (count.get(o.name) ?? 0) + 1);
  }
  return count;
}

function foldable(graph: Graph): Fold[] {
  const producer = new Map(graph.nodes.flatMap((n) => n.outputs.map((o): [string, Node] => [o, n])));
  const uses = consumers(graph);
  const isInit = (name: string | undefined): boolean => name === undefined || name === '' || graph.initializers.has(name);
  return graph.nodes.flatMap((bn) => {
    const conv = producer.get(bn.inputs[0] ?? '');
    const ok =
      bn.op === 'BatchNormalization' &&
      bn.outputs.length === 1 &&
      conv?.op === 'Conv' &&
      uses.get(conv.outputs[0] ?? '') === 1 &&
      bn.inputs.slice(1).every((i) => graph.initializers.has(i)) &&
      isInit(conv.inputs[1]) &&
      isInit(conv.inputs[2]);
    return ok ? [{ conv, bn }] : [];
  });
}

function tensor(graph: Graph, name: string | undefined): Float64Array | undefined {
  const t = name === undefined || name === '' ? undefined : graph.initializers.get(name);
  return t === undefined ? undefined : toFloat64(t);
}

function folded(graph: Graph, f: Fold): { weight: Tensor; bias: Tensor } {
  const w = graph.initializers.get(f.conv.inputs[1] ?? '');
  if (w === undefined) {
    throw new Error(`foldBatchNorm: conv weight "${f.conv.inputs[1] ?? ''}" is not an initializer`);
  }
  const [scale, beta, mean, variance] = [1, 2, 3, 4].map((i) => tensor(graph, f.bn.inputs[i]) ?? new Float64Array());
  const eps = floatAttr(f.bn.attrs, 'epsilon', DEFAULT_EPSILON);
  const cout = w.dims[0] ?? 1;
  const s = Float64Array.from({ length: cout }, (_, c) => (scale?.[c] ?? 1) / Math.sqrt((variance?.[c] ?? 1) + eps));
  const per = w.data.length / cout;
  const wv = toFloat64(w).map((v, i) => v * (s[Math.floor(i / per)] ?? 1));
  const b0 = tensor(graph, f.conv.inputs[2]) ?? new Float64Array(cout);
  const bv = Float64Array.from({ length: cout }, (_, c) => ((b0[c] ?? 0) - (mean?.[c] ?? 0)) * (s[c] ?? 1) + (beta?.[c] ?? 0));
  return { weight: makeTensor(w.dtype, w.dims, wv), bias: makeTensor(w.dtype, [cout], bv) };
}

export function foldBatchNorm(graph: Graph): Graph {
  const folds = foldable(graph);
  const inits = new Map(graph.initializers);
  const replace = new Map<Node, Node | null>();
  for (const f of folds) {
    const { weight, bias } = folded(graph, f);
    const base = f.bn.outputs[0] ?? 'bn';
    inits.set(`${base}_folded_weight`, weight);
    inits.set(`${base}_folded_bias`, bias);
    replace.set(f.conv, { ...f.conv, inputs: [f.conv.inputs[0] ?? '', `${base}_folded_weight`, `${base}_folded_bias`], outputs: [base] });
    replace.set(f.bn, null);
  }
  const nodes = graph.nodes.flatMap((n) => {
    const r = replace.get(n);
    if (r === undefined) {
      return [n];
    }
    return r === null ? [] : [r];
  });
  const used = new Set(nodes.flatMap((n) => n.inputs));
  const initializers = new Map([...inits].filter(([name]) => used.has(name) || graph.outputs.some((o) => o.name === name)));
  return { ...graph, nodes, initializers };
}
