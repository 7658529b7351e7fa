import { attr, GraphBuilder, type Graph } from '../graph/index.js';
import { embedGraph } from './embed.js';
import { IMAGE, PROBABILITIES } from '../contract/index.js';

/**
 * Test-time augmentation inside the exported graph: the model runs on the eight symmetries of
 * the square (the dihedral group D4, the same transforms training augments with) of every chip
 * and returns the mean of the eight probability vectors. The graph keeps the model contract:
 * input `image` uint8 [N, S, S, 3], output `probabilities` float32 [N, classes].
 *
 *   image -> {x, flip rows, flip columns, both} x {as is, transposed}  (Gather, Transpose)
 *         -> Concat [8N, S, S, 3] -> classifier -> [8N, C] -> Reshape [8, N, C] -> ReduceMean
 */

export const TTA_VIEWS = 8;
const ROW_AXIS = 1;
const COLUMN_AXIS = 2;
const SWAP_ROWS_AND_COLUMNS = [0, 2, 1, 3];

function squareSide(graph: Graph): number {
  const input = graph.inputs.find((v) => v.name === IMAGE);
  const [, rows, columns, channels] = input?.shape ?? [];
  if (typeof rows !== 'number' || rows !== columns || channels !== 3) {
    throw new Error(`test-time augmentation needs an input "${IMAGE}" of shape [N, S, S, 3], got [${(input?.shape ?? []).join(', ')}]`);
  }
  return rows;
}

function classesOf(graph: Graph): number {
  const output = graph.outputs.find((v) => v.name === PROBABILITIES);
  const classes = output?.shape[1];
  if (typeof classes !== 'number') throw new Error(`the model has no output "${PROBABILITIES}" of shape [N, classes]`);
  return classes;
}

/** The eight views of `image` (NHWC): flips are Gathers with reversed indices, the rest transposes. */
export function dihedralViews(b: GraphBuilder, image: string, side: number): string[] {
  const reversed = b.constant({ dtype: 'int64', dims: [side], data: BigInt64Array.from({ length: side }, (_, i) => BigInt(side - 1 - i)) }, 'tta/reversed');
  const flip = (x: string, axis: number): string => b.op('Gather', [x, reversed], { axis: attr.int(axis) });
  const rows = flip(image, ROW_AXIS);
  const flips = [image, rows, flip(image, COLUMN_AXIS), flip(rows, COLUMN_AXIS)];
  const transposed = flips.map((x) => b.op('Transpose', [x], { perm: attr.ints(SWAP_ROWS_AND_COLUMNS) }));
  return [...flips, ...transposed];
}

/** Wraps a classifier graph (input `image`, output `probabilities`) in eight-view test-time augmentation. */
export function withTestTimeAugmentation(graph: Graph): Graph {
  const side = squareSide(graph);
  const classes = classesOf(graph);
  const input = graph.inputs.find((v) => v.name === IMAGE);
  const b = new GraphBuilder(graph.name);
  b.input(IMAGE, 'uint8', input?.shape ?? []);
  const stacked = b.op('Concat', dihedralViews(b, IMAGE, side), { axis: attr.int(0) });
  const outputs = embedGraph(b, graph, 'tta/', { [IMAGE]: stacked });
  const perView = b.op('Reshape', [outputs[PROBABILITIES] ?? '', b.int64s([TTA_VIEWS, -1, classes])]);
  b.addNode({ op: 'ReduceMean', inputs: [perView], outputs: [PROBABILITIES], attrs: { axes: attr.ints([0]), keepdims: attr.int(0) } });
  b.output(PROBABILITIES);
  const built = b.build();
  const batch = input?.shape[0] ?? 'N';
  return { ...built, outputs: built.outputs.map((o) => ({ ...o, shape: [batch, classes] })) };
}
