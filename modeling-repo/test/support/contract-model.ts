import { attr, GraphBuilder, type Graph } from '../../src/graph/index.js';
import { createRng } from '../../src/util/random.js';

/**
 * A tiny classifier with the bundle's contract (uint8 [N, S, S, 3] in, 17 sigmoid probabilities
 * out) for tests: every pixel feeds a seeded random linear layer, so it is sensitive to flips
 * and rotations, unlike a pooled model.
 */
export function tinyContractModel(side: number, seed: number, classes = 17): Graph {
  const b = new GraphBuilder('tiny-contract');
  b.input('image', 'uint8', ['N', side, side, 3]);
  const rng = createRng(seed);
  const features = side * side * 3;
  const SCALE = 0.02;
  const CENTRE = 0.5;
  const weight = Float32Array.from({ length: classes * features }, () => (rng.next() - CENTRE) * SCALE);
  const bias = Float32Array.from({ length: classes }, () => rng.next() - CENTRE);
  b.initializer('w', { dtype: 'float32', dims: [classes, features], data: weight });
  b.initializer('b', { dtype: 'float32', dims: [classes], data: bias });
  const x = b.op('Cast', ['image'], { to: attr.int(1) });
  const flat = b.op('Flatten', [x], { axis: attr.int(1) });
  const logits = b.op('Gemm', [flat, 'w', 'b'], { transB: attr.int(1) });
  b.addNode({ op: 'Sigmoid', inputs: [logits], outputs: ['probabilities'], attrs: {} });
  b.output('probabilities');
  const built = b.build();
  return { ...built, outputs: built.outputs.map((o) => ({ ...o, shape: ['N', classes] })) };
}
