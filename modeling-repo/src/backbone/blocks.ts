import type { Graph, Node } from '../graph/index.js';

/**
 * Groups a classifier's parameters into blocks from the graph's structure, not its names, so
 * `trainable: last_k` means the same for an ONNX or a TFLite import of one network.
 *
 * The rule follows the inverted-residual design: the first conv is the stem (block 0); after it,
 * a block ends at each *linear* conv (one whose output feeds no activation: the projection
 * that closes a bottleneck, before its residual Add); convs after the last such end (the final
 * 1x1 expansion) form the last backbone block. Parameters after the pooled features belong
 * to the head. For MobileNetV2: stem, 17 inverted-residual blocks, final conv = 19 blocks.
 */

export interface ParamInfo {
  readonly name: string;
  readonly dims: readonly number[];
  /** 0 for the stem ... backboneBlocks - 1; the head's params have block = backboneBlocks. */
  readonly block: number;
  readonly group: 'backbone' | 'head';
  /** Weights get weight decay; biases do not. */
  readonly kind: 'weight' | 'bias';
}

const ACTIVATIONS = new Set(['Relu', 'Clip', 'HardSwish', 'HardSigmoid', 'Sigmoid', 'LeakyRelu', 'Elu', 'Selu', 'Tanh', 'Softplus', 'PRelu']);
const PARAMETRIC = new Set(['Conv', 'Gemm', 'MatMul']);
const WEIGHT_INPUT = 1;
const BIAS_INPUT = 2;

function consumersOf(nodes: readonly Node[]): Map<string, Node[]> {
  const consumers = new Map<string, Node[]>();
  for (const n of nodes) {
    for (const i of n.inputs) {
      consumers.set(i, [...(consumers.get(i) ?? []), n]);
    }
  }
  return consumers;
}

/** Float initializers read as weight (input 1) or bias (input 2) of a Conv, Gemm or MatMul. */
function paramsOf(graph: Graph, node: Node): { name: string; dims: readonly number[]; kind: ParamInfo['kind'] }[] {
  if (!PARAMETRIC.has(node.op)) {
    return [];
  }
  const out: { name: string; dims: readonly number[]; kind: ParamInfo['kind'] }[] = [];
  for (const index of [WEIGHT_INPUT, BIAS_INPUT]) {
    const name = node.inputs[index];
    const tensor = name === undefined ? undefined : graph.initializers.get(name);
    if (name !== undefined && tensor?.dtype === 'float32') {
      out.push({ name, dims: tensor.dims, kind: index === WEIGHT_INPUT ? 'weight' : 'bias' });
    }
  }
  return out;
}

function isLinear(node: Node, consumers: Map<string, Node[]>): boolean {
  const users = consumers.get(node.outputs[0] ?? '') ?? [];
  return !users.some((u) => ACTIVATIONS.has(u.op));
}

/** Assigns every parameter its block; returns them in graph order with the backbone block count. */
export function assignBlocks(graph: Graph): { params: ParamInfo[]; blocks: number } {
  const consumers = consumersOf(graph.nodes);
  const lastPool = graph.nodes.findLastIndex((n) => n.op === 'GlobalAveragePool');
  const params: ParamInfo[] = [];
  const seen = new Set<string>();
  let block = 0;
  let convs = 0;
  graph.nodes.forEach((node, index) => {
    const head = lastPool >= 0 && index > lastPool;
    for (const p of paramsOf(graph, node).filter((q) => !seen.has(q.name))) {
      seen.add(p.name);
      params.push({ ...p, block: head ? -1 : block, group: head ? 'head' : 'backbone' });
    }
    if (node.op === 'Conv' && !head) {
      convs += 1;
      if (convs === 1 || isLinear(node, consumers)) {
        block += 1;
      }
    }
  });
  // A trailing linear conv closes a block that nothing follows; do not count an empty block.
  const blocks = Math.max(0, ...params.filter((p) => p.group === 'backbone').map((p) => p.block)) + 1;
  return { params: params.map((p) => (p.group === 'head' ? { ...p, block: blocks } : p)), blocks };
}

export type Trainable = 'head' | 'last_k' | 'all';

/** The parameters that train under `trainable` (the head always does), in graph order. */
export function selectTrainable(params: readonly ParamInfo[], trainable: Trainable, lastK = 0, backboneBlocks?: number): ParamInfo[] {
  const blocks = backboneBlocks ?? Math.max(0, ...params.filter((p) => p.group === 'backbone').map((p) => p.block + 1));
  const firstTrained = trainable === 'all' ? 0 : trainable === 'head' ? blocks : blocks - lastK;
  return params.filter((p) => p.group === 'head' || p.block >= firstTrained);
}
