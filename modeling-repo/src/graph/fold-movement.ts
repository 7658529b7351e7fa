/**
 * Folds chains of Reshape and Transpose nodes into the cheapest equivalent: nothing (a Reshape)
 * when the chain moves no element, one 2-d Transpose when it is one, and otherwise the chain as it
 * was. Generated training graphs are full of such chains: a filter is reordered into ONNX Runtime's
 * blocked layout for the forward pass, its gradient is computed in that layout and reordered back
 * by the Transpose rule, and the two cancel once the gradient's own reordering is taken into
 * account. ONNX Runtime's optimizer does not see through the Reshapes in between; this pass
 * evaluates each chain on element indices, so what it keeps is exactly what the chain computes.
 */
import { GraphBuilder } from './builder.js';
import { numel, type Graph, type Node, type Tensor } from './ir.js';
import { permute } from './ops/nchwc-layout.js';
import { getRule } from './registry.js';
import { isStatic } from './shape.js';
import { makeTensor, toFloat64 } from './tensor.js';

const MOVEMENT = new Set(['Reshape', 'Transpose']);
/** Largest chain source evaluated on indices: filter-sized (MobileNetV2's largest is 409,600). */
const MAX_EVALUATED = 2_097_152;

interface Chain {
  readonly nodes: readonly Node[];
  /** The first `kept` nodes produce values read elsewhere too: they stay. */
  readonly kept: number;
  readonly source: string;
  readonly output: string;
}

function isMovement(n: Node | undefined): n is Node {
  return n !== undefined && (n.domain ?? '') === '' && MOVEMENT.has(n.op);
}

class Folder {
  private readonly producer = new Map<string, Node>();
  private readonly uses = new Map<string, number>();
  private readonly consumer = new Map<string, Node>();
  private readonly b: GraphBuilder;

  constructor(private readonly graph: Graph) {
    this.b = GraphBuilder.from(graph);
    for (const n of graph.nodes) {
      n.outputs.forEach((o) => this.producer.set(o, n));
      n.inputs.forEach((i) => {
        this.uses.set(i, (this.uses.get(i) ?? 0) + 1);
        this.consumer.set(i, n);
      });
    }
    graph.outputs.forEach((o) => this.uses.set(o.name, (this.uses.get(o.name) ?? 0) + 1));
  }

  /**
   * Maximal chains: each ends at a movement node whose output is not read by one movement node,
   * and reaches back through every movement node before it, also those whose output has other
   * readers (a filter's blocked form feeds its conv and its flipped form): such a value stays
   * computed for them, and the rest of the chain may still fold into one op from further back.
   */
  chains(): Chain[] {
    const inner = (name: string): boolean => this.uses.get(name) === 1 && isMovement(this.consumerOf(name));
    return this.graph.nodes.filter((n) => isMovement(n) && !inner(n.outputs[0] ?? '')).flatMap((end) => {
      const nodes = [end];
      for (let p = this.producer.get(nodes[0]?.inputs[0] ?? ''); isMovement(p); p = this.producer.get(p.inputs[0] ?? '')) {
        nodes.unshift(p);
      }
      const shared = nodes.slice(0, -1).map((n) => !inner(n.outputs[0] ?? '')).lastIndexOf(true);
      const first = nodes[0];
      const worthALook = nodes.length > 1 || cost(nodes, this.dimsOf) > nodes.length;
      return worthALook && first !== undefined ? [{ nodes, kept: shared + 1, source: first.inputs[0] ?? '', output: end.outputs[0] ?? '' }] : [];
    });
  }

  private readonly dimsOf = (name: string): readonly number[] => staticDims(this.b.info(name).shape);

  /** The reader of a value read once (callers check the count). */
  private consumerOf(name: string): Node | undefined {
    return this.consumer.get(name);
  }

  /** Source index of every output element: the chain run on the indices 0..n-1. */
  netOrder(chain: Chain): Float64Array | null {
    const dims = this.b.info(chain.source).shape;
    if (!isStatic(dims)) {
      return null;
    }
    if (numel(dims) > MAX_EVALUATED) {
      // Activation-sized chains (plain Conv gradients transpose x and dy) are never a pure
      // 2-d transpose, and evaluating them would cost hundreds of MB at graph build.
      return null;
    }
    if (chain.nodes.every((n) => n.op === 'Reshape')) {
      // Reshapes alone never move an element.
      return Float64Array.from({ length: numel(dims) }, (_, i) => i);
    }
    let value: Tensor = makeTensor('float64', dims, Float64Array.from({ length: numel(dims) }, (_, i) => i));
    for (const n of chain.nodes) {
      const rest = n.inputs.slice(1).map((i) => this.b.valueOf(i));
      if (rest.some((t) => t === undefined)) {
        return null;
      }
      value = getRule(n.op).evaluate([value, ...rest], n.attrs)[0] ?? value;
    }
    return toFloat64(value);
  }

  replacement(chain: Chain, order: Float64Array): { nodes: Node[]; cost: number } | null {
    const out = this.b.info(chain.output).shape.map(Number);
    if (order.every((v, i) => v === i)) {
      return { nodes: [{ op: 'Reshape', inputs: [chain.source, this.b.int64s(out)], outputs: [chain.output], attrs: {} }], cost: 1 };
    }
    const axes = axisPermutation(order);
    if (axes === null) {
      return null;
    }
    // permute() reduces the permutation to its lowest rank (2-d when it is a matrix transpose).
    const sub = new GraphBuilder(`${chain.output}/fold`, `${chain.output}/`);
    sub.input(chain.source, 'float32', axes.sourceDims);
    permute(sub, chain.source, axes.sourceDims, axes.perm, out);
    const built = sub.nodes.map((n) => ({ ...n, inputs: n.inputs.map((i) => this.constant(sub, i)) }));
    const last = built.at(-1);
    if (last === undefined) {
      return null;
    }
    const subDims = (name: string): readonly number[] => staticDims(sub.info(name).shape);
    return { nodes: [...built.slice(0, -1), { ...last, outputs: [chain.output] }], cost: cost(sub.nodes, subDims) };
  }

  /** A constant of the sub-builder (Reshape shapes) as a constant of the graph's builder. */
  private constant(sub: GraphBuilder, name: string): string {
    const value = sub.valueOf(name);
    return value !== undefined && sub.initializers.has(name) ? this.b.int64s(Array.from(toFloat64(value))) : name;
  }

  run(): Graph {
    const replaced = new Map<Node, Node[]>();
    for (const chain of this.chains()) {
      const order = this.netOrder(chain);
      const found = order === null ? null : this.replacement(chain, order);
      const removed = chain.nodes.slice(chain.kept);
      if (found !== null && found.cost < cost(removed, this.dimsOf)) {
        removed.forEach((n, i) => replaced.set(n, i === removed.length - 1 ? found.nodes : []));
      }
    }
    const initializers = new Map(this.graph.initializers);
    for (const name of this.b.initializers.keys()) {
      const t = this.b.valueOf(name);
      if (t !== undefined && !initializers.has(name)) {
        initializers.set(name, t);
      }
    }
    const nodes = this.graph.nodes.flatMap((n) => replaced.get(n) ?? [n]);
    const used = new Set(nodes.flatMap((n) => n.inputs));
    graphOutputs(this.graph).forEach((o) => used.add(o));
    return { ...this.graph, nodes, initializers: new Map([...initializers].filter(([name]) => used.has(name))) };
  }
}

/**
 * What ONNX Runtime's Transpose costs, in units of a Reshape (nearly free), as measured on
 * filter-sized tensors (410k values, 2 threads): a matrix transpose is its fast kernel (0.15 ms); a
 * permutation that moves one axis runs one matrix transpose per outer block (0.5 ms for 160
 * blocks, 7 ms for 6,400 blocks of 8x8); anything else is the generic element-wise kernel (3 ms).
 */
const MATRIX_TRANSPOSE_COST = 2;
const SINGLE_AXIS_COST = 4;
const OUTER_BLOCKS_PER_UNIT = 256;
const GENERIC_TRANSPOSE_COST = 20;

function transposeCost(perm: readonly number[], dims: readonly number[]): number {
  if (perm.length <= 2) {
    return MATRIX_TRANSPOSE_COST;
  }
  const moved = singleAxisMove(perm);
  if (moved === null) {
    return GENERIC_TRANSPOSE_COST;
  }
  const outer = dims.slice(0, Math.min(moved.from, moved.to)).reduce((a, d) => a * d, 1);
  return Math.min(GENERIC_TRANSPOSE_COST, SINGLE_AXIS_COST + outer / OUTER_BLOCKS_PER_UNIT);
}

/** The axis a permutation moves, when it moves only one (the others keep their order). */
function singleAxisMove(perm: readonly number[]): { from: number; to: number } | null {
  for (let to = 0; to < perm.length; to++) {
    const from = perm[to] ?? 0;
    const rest = perm.filter((_, i) => i !== to);
    if (from !== to && rest.every((a, i) => i === 0 || a > (rest[i - 1] ?? 0))) {
      return { from, to };
    }
  }
  return null;
}

/** What nodes cost to run: Transposes by transposeCost, every other node one unit. */
function cost(nodes: readonly Node[], dimsOf: (name: string) => readonly number[]): number {
  return nodes.reduce((sum, n) => {
    const perm = n.op === 'Transpose' && n.attrs.perm?.kind === 'ints' ? n.attrs.perm.value : null;
    return sum + (perm === null ? 1 : transposeCost(perm, dimsOf(n.inputs[0] ?? '')));
  }, 0);
}

/**
 * The axes of a pure axis permutation, read off the source index of every output element: from
 * the innermost output axis outwards, each axis is a run of equal source steps. Null when the
 * order is not a permutation of the axes of one row-major source (the caller keeps the chain).
 */
function axisPermutation(order: Float64Array): { sourceDims: number[]; perm: number[] } | null {
  const axes: { size: number; stride: number }[] = [];
  let span = 1;
  while (span < order.length) {
    const stride = (order[span] ?? 0) - (order[0] ?? 0);
    let size = 1;
    while (span * size < order.length && (order[span * size] ?? 0) - (order[0] ?? 0) === size * stride) {
      size += 1;
    }
    axes.unshift({ size, stride });
    span *= size;
  }
  // Innermost source axis first: strides must be products of the sizes inside them.
  const bySource = [...axes].sort((a, b) => a.stride - b.stride);
  let expected = 1;
  for (const a of bySource) {
    if (a.stride !== expected) {
      return null;
    }
    expected *= a.size;
  }
  const check = (i: number): number => {
    let rest = i;
    let at = 0;
    for (let k = axes.length - 1; k >= 0; k--) {
      const a = axes[k] ?? { size: 1, stride: 0 };
      at += (rest % a.size) * a.stride;
      rest = Math.floor(rest / a.size);
    }
    return at;
  };
  if (!order.every((v, i) => v === check(i))) {
    return null;
  }
  const sourceAxes = [...bySource].reverse();
  return { sourceDims: sourceAxes.map((a) => a.size), perm: axes.map((a) => sourceAxes.indexOf(a)) };
}

/** Static dims, or [] (costed as rank 0) when a dimension is symbolic. */
function staticDims(shape: readonly (number | string)[]): readonly number[] {
  return shape.every((d) => typeof d === 'number') ? shape.map(Number) : [];
}

function graphOutputs(graph: Graph): string[] {
  return graph.outputs.map((o) => o.name);
}

/** The graph with every Reshape/Transpose chain reduced to what it actually moves. */
export function foldMovementChains(graph: Graph): Graph {
  return new Folder(graph).run();
}
