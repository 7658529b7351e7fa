/**
 * GraphBuilder: the one way graphs are made and extended. Every value it hands out has a static
 * dtype and shape (inferred through the op registry as nodes are added), nodes are kept in the
 * order they were added (which is topological, since a node's inputs must already exist), and
 * `build()` returns an immutable `Graph` pruned to what its outputs need.
 */
import type { Attrs, DType, Dim, Graph, Node, Tensor, ValueInfo } from './ir.js';
import { numel } from './ir.js';
import type { InferInput } from './ops/op-rule.js';
import { getRule } from './registry.js';
import { showShape } from './shape.js';
import { makeTensor } from './tensor.js';
import { toposort } from './toposort.js';

/** Small int values are folded at build time so Reshape/Expand shapes computed by ops stay known. */
const MAX_FOLDED_ELEMENTS = 64;

export interface BuildOptions {
  /** Drop nodes and initializers the outputs do not need (default true). */
  readonly prune?: boolean;
}

export class GraphBuilder {
  readonly name: string;
  private readonly inputs: ValueInfo[] = [];
  private readonly inits = new Map<string, Tensor>();
  private readonly nodeList: Node[] = [];
  private readonly infos = new Map<string, ValueInfo>();
  private readonly values = new Map<string, Tensor>();
  private readonly producers = new Map<string, Node>();
  private readonly outputNames: string[] = [];
  private readonly constCache = new Map<string, string>();
  private readonly reserved = new Set<string>();
  private counter = 0;

  /**
   * `prefix` starts every fresh name, so a graph built here can later be merged into another
   * builder's graph (GraphBuilder.from, or node by node) without name clashes.
   */
  constructor(name: string, private readonly prefix = '') {
    this.name = name;
  }

  /** Continues an existing graph: its inputs, initializers, nodes and outputs are kept as they are. */
  static from(graph: Graph): GraphBuilder {
    const b = new GraphBuilder(graph.name);
    for (const v of graph.inputs) {
      b.input(v.name, v.dtype, v.shape);
    }
    for (const [name, t] of graph.initializers) {
      b.initializer(name, t);
    }
    for (const node of toposort(graph.nodes, new Set([...graph.inputs.map((v) => v.name), ...graph.initializers.keys()]))) {
      b.addNode(node);
    }
    for (const v of graph.outputs) {
      b.output(v.name);
    }
    return b;
  }

  /** Nodes added so far, in topological order. */
  get nodes(): readonly Node[] {
    return this.nodeList;
  }

  get graphInputs(): readonly ValueInfo[] {
    return this.inputs;
  }

  get outputs(): readonly string[] {
    return this.outputNames;
  }

  get initializers(): ReadonlyMap<string, Tensor> {
    return this.inits;
  }

  /** A name not used yet in this graph, starting with `prefix`. */
  fresh(hint: string): string {
    const prefix = `${this.prefix}${hint}`;
    let name = prefix;
    while (this.infos.has(name) || this.reserved.has(name)) {
      this.counter += 1;
      name = `${prefix}_${this.counter}`;
    }
    // Reserved so that two fresh() calls before either name is used never collide.
    this.reserved.add(name);
    return name;
  }

  input(name: string, dtype: DType, shape: readonly Dim[]): string {
    this.claim(name);
    const info: ValueInfo = { name, dtype, shape: [...shape] };
    this.inputs.push(info);
    this.infos.set(name, info);
    return name;
  }

  initializer(name: string, tensor: Tensor): string {
    this.claim(name);
    if (tensor.data.length !== numel(tensor.dims)) {
      throw new Error(`initializer "${name}": ${tensor.data.length} values for shape ${showShape(tensor.dims)}`);
    }
    this.inits.set(name, tensor);
    this.infos.set(name, { name, dtype: tensor.dtype, shape: [...tensor.dims] });
    this.values.set(name, tensor);
    return name;
  }

  /** Adds `tensor` as an initializer under a fresh name (`hint` prefixes it). */
  constant(tensor: Tensor, hint = 'const'): string {
    return this.initializer(this.fresh(hint), tensor);
  }

  /** A 0-d constant, shared between uses of the same value and dtype. */
  scalar(value: number, dtype: DType = 'float32'): string {
    return this.cached(`${dtype}:${value}`, () => makeTensor(dtype, [], [value]), 'scalar');
  }

  /** A 1-d int64 constant (shapes, axes, pads), shared between identical uses. */
  int64s(values: readonly number[]): string {
    return this.cached(`int64s:${values.join(',')}`, () => makeTensor('int64', [values.length], values), 'ints');
  }

  /** Adds a node with fresh output names; returns them. Unknown ops and bad inputs throw naming the op. */
  node(op: string, inputs: readonly string[], attrs: Attrs = {}, outputCount = 1, domain?: string): string[] {
    const outputs = Array.from({ length: outputCount }, () => this.fresh(op.toLowerCase()));
    return this.addNode(domain === undefined ? { op, inputs, outputs, attrs } : { op, domain, inputs, outputs, attrs });
  }

  /** A single-output node (of `domain`, the standard one when absent); returns its output name. */
  op(op: string, inputs: readonly string[], attrs: Attrs = {}, domain?: string): string {
    const [out] = this.node(op, inputs, attrs, 1, domain);
    if (out === undefined) {
      throw new Error(`${op}: produced no output`);
    }
    return out;
  }

  /** Adds a node whose output names are given (importers, named outputs). */
  addNode(node: Node): string[] {
    const rule = getRule(node.op, node.domain);
    const ins = node.inputs.map((name) => (name === '' ? undefined : this.inferInput(name, node.op)));
    let inferred;
    try {
      inferred = rule.infer(ins, node.attrs);
    } catch (error) {
      throw new Error(`${node.op} -> ${node.outputs.join(',')}: ${(error as Error).message}`, { cause: error });
    }
    if (inferred.length < node.outputs.length) {
      throw new Error(`${node.op}: gives ${inferred.length} outputs, ${node.outputs.length} requested`);
    }
    node.outputs.forEach((name, i) => {
      const out = inferred[i];
      if (name === '' || out === undefined) {
        return;
      }
      this.claim(name);
      this.infos.set(name, { name, dtype: out.dtype, shape: [...out.shape] });
      this.producers.set(name, node);
      if (out.value !== undefined) {
        this.values.set(name, out.value);
      }
    });
    this.nodeList.push(node);
    this.foldSmallInts(node, ins);
    return [...node.outputs];
  }

  /** Makes `value` available under `name` (an Identity node), e.g. to give a graph output its name. */
  named(value: string, name: string): string {
    const [out] = this.addNode({ op: 'Identity', inputs: [value], outputs: [name], attrs: {} });
    return out ?? name;
  }

  /** Type and static shape of a value; throws naming the value when it does not exist. */
  info(name: string): ValueInfo {
    const v = this.infos.get(name);
    if (v === undefined) {
      throw new Error(`unknown value "${name}" in graph "${this.name}"`);
    }
    return v;
  }

  has(name: string): boolean {
    return this.infos.has(name);
  }

  /** The value of a constant (initializer or folded small int value), if known. */
  valueOf(name: string): Tensor | undefined {
    return this.values.get(name);
  }

  /** The node that produces `name`, if any (graph inputs and initializers have none). */
  producer(name: string): Node | undefined {
    return this.producers.get(name);
  }

  output(name: string): void {
    this.info(name);
    if (!this.outputNames.includes(name)) {
      this.outputNames.push(name);
    }
  }

  removeOutputs(): void {
    this.outputNames.length = 0;
  }

  build(options: BuildOptions = {}): Graph {
    const prune = options.prune ?? true;
    const nodes = prune ? this.neededNodes() : [...this.nodeList];
    const used = new Set(nodes.flatMap((n) => n.inputs));
    for (const o of this.outputNames) {
      used.add(o);
    }
    const initializers = new Map([...this.inits].filter(([name]) => !prune || used.has(name)));
    return {
      name: this.name,
      inputs: this.inputs.map((v) => ({ ...v, shape: [...v.shape] })),
      outputs: this.outputNames.map((name) => this.info(name)),
      nodes,
      initializers,
    };
  }

  private neededNodes(): Node[] {
    const needed = new Set<Node>();
    const stack = [...this.outputNames];
    for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
      const node = this.producers.get(name);
      if (node !== undefined && !needed.has(node)) {
        needed.add(node);
        stack.push(...node.inputs.filter((i) => i !== ''));
      }
    }
    return this.nodeList.filter((n) => needed.has(n));
  }

  private inferInput(name: string, op: string): InferInput {
    const v = this.infos.get(name);
    if (v === undefined) {
      throw new Error(`${op}: input "${name}" is not a value of graph "${this.name}"`);
    }
    const value = this.values.get(name);
    return value === undefined ? v : { ...v, value };
  }

  private foldSmallInts(node: Node, ins: readonly (InferInput | undefined)[]): void {
    const outs = node.outputs.map((o) => this.infos.get(o));
    const foldable = outs.every((o) => o !== undefined && (o.dtype === 'int64' || o.dtype === 'int32'));
    if (!foldable || node.outputs.some((o) => this.values.has(o))) {
      return;
    }
    const known = ins.map((i) => i?.value);
    if (known.some((t, i) => t === undefined && ins[i] !== undefined)) {
      return;
    }
    if (known.some((t) => t !== undefined && t.data.length > MAX_FOLDED_ELEMENTS)) {
      return;
    }
    const results = getRule(node.op, node.domain).evaluate(known, node.attrs);
    node.outputs.forEach((name, i) => {
      const t = results[i];
      if (t !== undefined && t.data.length <= MAX_FOLDED_ELEMENTS) {
        this.values.set(name, t);
      }
    });
  }

  private claim(name: string): void {
    if (name === '') {
      throw new Error('a value needs a non-empty name');
    }
    if (this.infos.has(name)) {
      throw new Error(`value "${name}" is defined twice in graph "${this.name}"`);
    }
  }

  private cached(key: string, make: () => Tensor, hint: string): string {
    const hit = this.constCache.get(key);
    if (hit !== undefined) {
      return hit;
    }
    const name = this.constant(make(), hint);
    this.constCache.set(key, name);
    return name;
  }
}
