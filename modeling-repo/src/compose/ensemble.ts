import { GraphBuilder, type Graph, type ValueInfo } from '../graph/index.js';
import { embedGraph } from './embed.js';
import { IMAGE, PROBABILITIES } from '../contract/index.js';

/**
 * Several classifiers in one graph: every member reads the same `image` input and the graph's
 * `probabilities` is the mean of theirs, so an ensemble keeps the model contract (one input, one
 * output, standard ops) and the service needs no change to serve it.
 */

function contractOf(graph: Graph, index: number): { input: ValueInfo; output: ValueInfo } {
  const input = graph.inputs.find((v) => v.name === IMAGE);
  const output = graph.outputs.find((v) => v.name === PROBABILITIES);
  if (input === undefined || output === undefined) {
    throw new Error(`ensemble member ${index + 1} has no input "${IMAGE}" or no output "${PROBABILITIES}"`);
  }
  return { input, output };
}

function sameDims(a: readonly (number | string)[], b: readonly (number | string)[]): boolean {
  return a.length === b.length && a.every((d, i) => typeof d === 'string' ? typeof b[i] === 'string' : d === b[i]);
}

/** The members' graphs averaged in one graph; every member must take the same input and give the same output shape. */
export function averageModels(members: readonly Graph[]): Graph {
  const first = members[0];
  if (first === undefined) throw new Error('an ensemble needs at least one member');
  const reference = contractOf(first, 0);
  members.forEach((graph, index) => {
    const { input, output } = contractOf(graph, index);
    if (input.dtype !== reference.input.dtype || !sameDims(input.shape, reference.input.shape) || !sameDims(output.shape, reference.output.shape)) {
      throw new Error(`ensemble member ${index + 1} takes ${input.dtype} [${input.shape.join(', ')}] and gives [${output.shape.join(', ')}], ` +
        `member 1 takes ${reference.input.dtype} [${reference.input.shape.join(', ')}] and gives [${reference.output.shape.join(', ')}]`);
    }
  });
  const b = new GraphBuilder('planet-ensemble');
  b.input(IMAGE, reference.input.dtype, reference.input.shape);
  const outputs = members.map((graph, index) => embedGraph(b, graph, `member${index + 1}/`, { [IMAGE]: IMAGE })[PROBABILITIES] ?? '');
  let sum = outputs[0] ?? '';
  for (const next of outputs.slice(1)) sum = b.op('Add', [sum, next]);
  b.addNode({ op: 'Div', inputs: [sum, b.scalar(members.length)], outputs: [PROBABILITIES], attrs: {} });
  b.output(PROBABILITIES);
  const built = b.build();
  return { ...built, outputs: built.outputs.map((o) => ({ ...o, shape: [...reference.output.shape] })) };
}
