import { makeTensor, type Graph, type Node, type Tensor } from '../../graph/index.js';

/**
 * WebGPU guarantees a shader only 8 storage buffers (lavapipe offers 16), and ONNX Runtime's
 * WebGPU kernels bind every input and output of a node as one: the training step's Split of the
 * parameters into 150+ tensors, and the Concat of their gradients, fail there with "Too many
 * storage buffers in shader". Nodes of more buffers than this are rewritten into smaller ones.
 * (No Sum to rewrite: the graph core has no Sum op, gradients accumulate with Add, which that
 * provider runs on the GPU; its verbose log places every node of the step on WebGPU.)
 */
export const MAX_BUFFERS = 8;

interface Rewriter {
  readonly nodes: Node[];
  readonly initializers: Map<string, Tensor>;
  fresh(hint: string): string;
}

function int64s(r: Rewriter, values: readonly number[]): string {
  const name = r.fresh('ints');
  r.initializers.set(name, makeTensor('int64', [values.length], values));
  return name;
}

/** Split with known sizes -> one Slice per output (each binds two buffers). */
function splitToSlices(r: Rewriter, node: Node): boolean {
  const sizes = r.initializers.get(node.inputs[1] ?? '');
  const data = node.inputs[0];
  if (sizes === undefined || data === undefined) return false;
  const axis = node.attrs.axis?.kind === 'int' ? node.attrs.axis.value : 0;
  const axes = int64s(r, [axis]);
  let start = 0;
  for (const [i, output] of node.outputs.entries()) {
    const end = start + Number(sizes.data[i]);
    r.nodes.push({ op: 'Slice', inputs: [data, int64s(r, [start]), int64s(r, [end]), axes], outputs: [output], attrs: {}, name: `${node.name ?? output}/slice_${i}` });
    start = end;
  }
  return true;
}

/** A Concat of many inputs -> a tree of Concats of at most MAX_BUFFERS - 1 inputs each. */
function tree(r: Rewriter, node: Node): boolean {
  let level = [...node.inputs];
  let round = 0;
  while (level.length > MAX_BUFFERS - 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += MAX_BUFFERS - 1) {
      const out = r.fresh(`${node.outputs[0] ?? 'tree'}/part`);
      r.nodes.push({ ...node, inputs: level.slice(i, i + MAX_BUFFERS - 1), outputs: [out], name: `${node.name ?? out}/part_${round}_${i}` });
      next.push(out);
    }
    level = next;
    round += 1;
  }
  r.nodes.push({ ...node, inputs: level });
  return true;
}

function rewrite(r: Rewriter, node: Node): boolean {
  if (node.domain !== undefined || node.inputs.length + node.outputs.length <= MAX_BUFFERS) return false;
  if (node.op === 'Split') return splitToSlices(r, node);
  if (node.op === 'Concat') return tree(r, node);
  return false;
}

/** The graph with every node the WebGPU provider cannot bind rewritten into ones it can (same values out). */
export function forWebgpu(graph: Graph): Graph {
  const used = new Set([...graph.initializers.keys(), ...graph.nodes.flatMap((n) => [...n.inputs, ...n.outputs])]);
  let counter = 0;
  const r: Rewriter = {
    nodes: [],
    initializers: new Map(graph.initializers),
    fresh: (hint) => {
      let name = `webgpu/${hint}`;
      while (used.has(name)) name = `webgpu/${hint}_${String(counter++)}`;
      used.add(name);
      return name;
    },
  };
  for (const node of graph.nodes) {
    if (!rewrite(r, node)) r.nodes.push(node);
  }
  // A rewritten Split leaves its sizes behind: keep only what some node still reads.
  const read = new Set(r.nodes.flatMap((n) => n.inputs));
  const initializers = new Map([...r.initializers].filter(([name]) => read.has(name) || graph.outputs.some((o) => o.name === name)));
  return { ...graph, nodes: r.nodes, initializers };
}

