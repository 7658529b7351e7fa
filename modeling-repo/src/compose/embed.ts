import type { GraphBuilder, Graph } from '../graph/index.js';

/**
 * Copies a whole graph into a builder under a name prefix, so that several models (or one model
 * over several views of its input) can live in one ONNX graph without their value names
 * colliding. `inputs` maps the embedded graph's input names to values of the builder; the
 * result maps its output names to their (prefixed) names in the builder.
 */
export function embedGraph(
  b: GraphBuilder, graph: Graph, prefix: string, inputs: Readonly<Record<string, string>>,
): Record<string, string> {
  const rename = (name: string): string => (name === '' ? '' : (inputs[name] ?? `${prefix}${name}`));
  for (const input of graph.inputs) {
    if (!graph.initializers.has(input.name) && inputs[input.name] === undefined) {
      throw new Error(`graph "${graph.name}": input "${input.name}" is not connected`);
    }
  }
  for (const [name, tensor] of graph.initializers) b.initializer(rename(name), tensor);
  for (const node of graph.nodes) {
    b.addNode({
      ...node,
      inputs: node.inputs.map(rename),
      outputs: node.outputs.map(rename),
      ...(node.name === undefined ? {} : { name: `${prefix}${node.name}` }),
    });
  }
  return Object.fromEntries(graph.outputs.map((output) => [output.name, rename(output.name)]));
}
