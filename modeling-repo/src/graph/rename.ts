import type { Graph } from './ir.js';

/**
 * The graph with values renamed by `names` (old name -> new name; names not in it stay): graph
 * inputs and outputs, initializers and every node's inputs and outputs. A new name that is already
 * a value of the graph would merge two values, so it is refused.
 */
export function renameValues(graph: Graph, names: ReadonlyMap<string, string>): Graph {
  const existing = new Set([...graph.inputs.map((v) => v.name), ...graph.initializers.keys(), ...graph.nodes.flatMap((n) => n.outputs)]);
  for (const [from, to] of names) {
    if (existing.has(to) && !names.has(to)) {
      throw new Error(`renameValues: "${from}" -> "${to}": "${to}" is already a value of graph "${graph.name}"`);
    }
  }
  const to = (name: string): string => names.get(name) ?? name;
  return {
    ...graph,
    inputs: graph.inputs.map((v) => ({ ...v, name: to(v.name) })),
    outputs: graph.outputs.map((v) => ({ ...v, name: to(v.name) })),
    initializers: new Map([...graph.initializers].map(([name, t]) => [to(name), t])),
    nodes: graph.nodes.map((n) => ({ ...n, inputs: n.inputs.map((name) => (name === '' ? name : to(name))), outputs: n.outputs.map(to) })),
  };
}
