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
import { getRule } from './registry.js';
import { isStatic } from './shape.js';
import { makeTensor, toFloat64 } from './tensor.js';

const MOVEMENT = new Set(['Reshape', 'Transpose']);
/** Largest chain source evaluated on indices: filter-sized (MobileNetV2's largest is 409,600). */
const MAX_EVALUATED = 2_097_152;
/** Weight of a generic (rank > 2) Transpose against one node of a chain; see `cost`. */
const GENERIC_TRANSPOSE_COST = 10;

interface Chain {
  readonly nodes: readonly Node[];
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

  /** Maximal chains: each ends at a movement node whose output is not read by one movement node. */
  chains(): Chain[] {
    const inner = (name: string): boolean => this.uses.get(name) === 1 && isMovement(this.consumerOf(name));
    return this.graph.nodes.filter((n) => isMovement(n) && !inner(n.outputs[0] ?? '')).flatMap((end) => {
      const nodes = [end];
      for (let p = this.producer.get(nodes[0]?.inputs[0] ?? ''); isMovement(p) && inner(p.outputs[0] ?? ''); p = this.producer.get(p.inputs[0] ?? '')) {
        nodes.unshift(p);
      }
      const first = nodes[0];
      const worthALook = nodes.length > 1 || cost(nodes) > nodes.length;
      return worthALook && first !== undefined ? [{ nodes, source: first.inputs[0] ?? '', output: end.outputs[0] ?? '' }] : [];
    });
  }

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

  replacement(chain: Chain, order: Float64Array): Node[] | null {
    const out = this.b.info(chain.output).shape.map(Number);
    if (order.every((v, i) => v === i)) {
      return [{ op: 'Reshape', inputs: [chain.source, this.b.int64s(out)], outputs: [chain.output], attrs: {} }];
    }
    const cols = order[1] ?? 0;
    const rows = order.length / cols;
    const isTranspose2d = Number.isInteger(rows) && order.every((v, i) => v === (i % rows) * cols + Math.floor(i / rows));
    if (!isTranspose2d) {
      return null;
    }
    const matrix = this.b.fresh(`${chain.output}/matrix`);
    const moved = this.b.fresh(`${chain.output}/transposed`);
    return [
      { op: 'Reshape', inputs: [chain.source, this.b.int64s([rows, cols])], outputs: [matrix], attrs: {} },
      { op: 'Transpose', inputs: [matrix], outputs: [moved], attrs: { perm: { kind: 'ints', value: [1, 0] } } },
      { op: 'Reshape', inputs: [moved, this.b.int64s(out)], outputs: [chain.output], attrs: {} },
    ];
  }

  run(): Graph {
    const replaced = new Map<Node, Node[]>();
    for (const chain of this.chains()) {
      const order = this.netOrder(chain);
      const nodes = order === null ? null : this.replacement(chain, order);
      if (nodes !== null && cost(nodes) < cost(chain.nodes)) {
        chain.nodes.forEach((n, i) => replaced.set(n, i === chain.nodes.length - 1 ? nodes : []));
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
 * What a chain costs to run: a Transpose of rank above 2 is ONNX Runtime's slow generic kernel
 * (3x a 2-d one on filters), a Reshape is nearly free.
 */
function cost(nodes: readonly Node[]): number {
  const generic = nodes.filter((n) => n.op === 'Transpose' && (n.attrs.perm?.kind === 'ints' ? n.attrs.perm.value.length : 0) > 2).length;
  return GENERIC_TRANSPOSE_COST * generic + nodes.length;
}

function graphOutputs(graph: Graph): string[] {
  return graph.outputs.map((o) => o.name);
}

/** The graph with every Reshape/Transpose chain reduced to what it actually moves. */
export function foldMovementChains(graph: Graph): Graph {
  return new Folder(graph).run();
}
