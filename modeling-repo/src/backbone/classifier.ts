import { IMAGE, LOGITS, PROBABILITIES } from '../contract/index.js';
import { attr, GraphBuilder, type Dim, type Graph, type Node, type Tensor } from '../graph/index.js';
import { createRng, deriveSeed } from '../util/index.js';
import { standardNormal } from './init.js';
import { assignBlocks, type ParamInfo } from './blocks.js';

/**
 * Turns an image backbone into the Planet classifier: uint8 NHWC chips in, preprocessing inside
 * the graph, the backbone up to its pooled features, and a new linear head.
 *
 *   image uint8 [N,S,S,3] -> Cast -> Transpose NCHW -> Resize to T (bilinear) -> x/127.5 - 1
 *     -> backbone -> GlobalAveragePool [N,F,1,1] -> Flatten -> Gemm (F -> classes) = logits
 *     -> Sigmoid = probabilities
 */

export interface ClassifierOptions {
  /** Side S of the uint8 input images. */
  readonly inputSize: number;
  /** Side T the backbone sees; the graph resizes S to T (bilinear) when they differ. */
  readonly trainSize: number;
  readonly classes: number;
  /** Seeds the head's initial weights. */
  readonly seed: number;
  /** Batch dimension of `image`: a number for training graphs, a name (default 'N') for export. */
  readonly batch?: Dim;
}

export interface Classifier {
  /** Input `image`; outputs `logits` and `probabilities`, both [N, classes]. */
  readonly graph: Graph;
  /** Every parameter that can train, in graph order, with its block and group. */
  readonly params: readonly ParamInfo[];
  /** Number of backbone blocks; the head's block is this number. */
  readonly backboneBlocks: number;
  readonly featureSize: number;
}

export type { ParamInfo } from './blocks.js';

const FLOAT = 1;
const NHWC_TO_NCHW = [0, 3, 1, 2];
const PIXEL_HALF_RANGE = 127.5;
/** Standard deviation of the head's initial weights: small, so early logits stay near 0. */
const HEAD_INIT_STD = 0.01;
const HEAD_SEED_PURPOSE = 17;

/** The backbone's image input: its one graph input that is not an initializer. */
function backboneInput(backbone: Graph): string {
  const inputs = backbone.inputs.filter((v) => !backbone.initializers.has(v.name));
  const first = inputs[0];
  if (inputs.length !== 1 || first === undefined) {
    throw new Error(`backbone graph "${backbone.name}" has ${inputs.length} non-constant inputs; expected one image input`);
  }
  return first.name;
}

/** The last GlobalAveragePool: its output is the image feature vector (before any classifier). */
function featureNode(backbone: Graph): Node {
  const pools = backbone.nodes.filter((n) => n.op === 'GlobalAveragePool');
  const last = pools.at(-1);
  if (last === undefined) {
    throw new Error(`backbone graph "${backbone.name}" has no GlobalAveragePool node, so its pooled features cannot be found`);
  }
  return last;
}

/** The nodes needed to compute `output`, in their original (topological) order. */
function ancestors(nodes: readonly Node[], output: string): Node[] {
  const producer = new Map<string, Node>();
  for (const n of nodes) {
    for (const o of n.outputs) {
      producer.set(o, n);
    }
  }
  const needed = new Set<Node>();
  const stack = [output];
  for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
    const n = producer.get(name);
    if (n !== undefined && !needed.has(n)) {
      needed.add(n);
      stack.push(...n.inputs.filter((i) => i !== ''));
    }
  }
  return nodes.filter((n) => needed.has(n));
}

/**
 * Float32 scale that makes ONNX Resize produce exactly `to` from `from`: Resize computes
 * floor(from * scale), so a scale that rounds just below to/from would lose a pixel.
 */
export function resizeScale(from: number, to: number): number {
  const bits = new Uint32Array(1);
  const value = new Float32Array(bits.buffer);
  // The runtime multiplies in float32; step to the next float32 up until the product reaches `to`.
  let scale = to / from;
  value[0] = scale;
  scale = value[0];
  // Shape inference multiplies in float64: both products must reach `to`.
  while (Math.floor(Math.fround(from * scale)) < to || Math.floor(from * scale) < to) {
    bits[0] = (bits[0] ?? 0) + 1;
    scale = value[0];
  }
  return scale;
}

function addPreprocessing(b: GraphBuilder, options: ClassifierOptions, into: string): void {
  const { inputSize: s, trainSize: t } = options;
  b.input(IMAGE, 'uint8', [options.batch ?? 'N', s, s, 3]);
  const asFloat = b.op('Cast', [IMAGE], { to: attr.int(FLOAT) });
  let x = b.op('Transpose', [asFloat], { perm: attr.ints(NHWC_TO_NCHW) });
  if (t !== s) {
    const scale = resizeScale(s, t);
    const scales = b.constant({ dtype: 'float32', dims: [4], data: Float32Array.of(1, 1, scale, scale) }, 'pre/scales');
    x = b.op('Resize', [x, '', scales], {
      mode: attr.string('linear'),
      coordinate_transformation_mode: attr.string('half_pixel'),
    });
  }
  // MobileNetV2's training input range: [0, 255] -> [-1, 1].
  const scaled = b.op('Div', [x, b.scalar(PIXEL_HALF_RANGE)]);
  b.addNode({ op: 'Sub', inputs: [scaled, b.scalar(1)], outputs: [into], attrs: {} });
}


/** Seeded N(0, 0.01^2) weights and zero bias: the new head starts near "every tag 50 %". */
export function headInit(features: number, classes: number, seed: number): { weight: Tensor; bias: Tensor } {
  const rng = createRng(deriveSeed(seed, HEAD_SEED_PURPOSE));
  const weight = Float32Array.from({ length: features * classes }, () => HEAD_INIT_STD * standardNormal(rng.next));
  return {
    weight: { dtype: 'float32', dims: [classes, features], data: weight },
    bias: { dtype: 'float32', dims: [classes], data: new Float32Array(classes) },
  };
}

function addHead(b: GraphBuilder, pooled: string, options: ClassifierOptions): number {
  const flat = b.op('Flatten', [pooled], { axis: attr.int(1) });
  const featureDim = b.info(flat).shape[1];
  if (typeof featureDim !== 'number') {
    throw new Error(`backbone features have no static size (shape [${b.info(flat).shape.join(',')}])`);
  }
  const { weight, bias } = headInit(featureDim, options.classes, options.seed);
  b.initializer('head.weight', weight);
  b.initializer('head.bias', bias);
  b.addNode({ op: 'Gemm', name: 'head', inputs: [flat, 'head.weight', 'head.bias'], outputs: [LOGITS], attrs: { transB: attr.int(1) } });
  b.addNode({ op: 'Sigmoid', inputs: [LOGITS], outputs: [PROBABILITIES], attrs: {} });
  b.output(LOGITS);
  b.output(PROBABILITIES);
  return featureDim;
}

/** Builds the classifier graph from a float backbone (ONNX with BatchNorm folded, or imported TFLite). */
export function buildClassifier(backbone: Graph, options: ClassifierOptions): Classifier {
  const source = backboneInput(backbone);
  const pool = featureNode(backbone);
  const kept = ancestors(backbone.nodes, pool.outputs[0] ?? '');
  const b = new GraphBuilder('planet-classifier');
  const used = new Set(kept.flatMap((n) => n.inputs));
  // Initializers first, so that the names the builder makes up later cannot collide with them.
  for (const [name, tensor] of backbone.initializers) {
    if (used.has(name)) {
      b.initializer(name, tensor);
    }
  }
  const x = 'pre/normalized';
  addPreprocessing(b, options, x);
  const rename = (v: string): string => (v === source ? x : v);
  for (const node of kept) {
    b.addNode({ ...node, inputs: node.inputs.map(rename), outputs: node.outputs.map(rename) });
  }
  const featureSize = addHead(b, pool.outputs[0] ?? '', options);
  const built = b.build();
  // Shape inference may lose the batch dimension's name through pooling and Gemm; restore it.
  const outputs = built.outputs.map((o) => ({ ...o, shape: [options.batch ?? 'N', options.classes] }));
  const graph: Graph = { ...built, outputs };
  const { params, blocks } = assignBlocks(graph);
  return { graph, params, backboneBlocks: blocks, featureSize };
}
