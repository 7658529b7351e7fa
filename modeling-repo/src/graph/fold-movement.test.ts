import { describe, expect, it } from '@jest/globals';
import { GraphBuilder } from './builder.js';
import { evaluateGraph } from './evaluate.js';
import { foldMovementChains } from './fold-movement.js';
import { randomTensor } from '../../test/support/gradcheck.js';
import { attr, type Attrs, type Graph } from './ir.js';
import { toFloat64 } from './tensor.js';

const perm = (value: number[]): Attrs => ({ perm: attr.ints(value) });

function outputsAgree(a: Graph, b: Graph, dims: number[]): void {
  const feeds = { x: randomTensor(dims, 3) };
  const [ra, rb] = [evaluateGraph(a, feeds), evaluateGraph(b, feeds)];
  for (const o of a.outputs) {
    expect(rb[o.name]?.dims).toEqual(ra[o.name]?.dims);
    expect(Array.from(toFloat64(rb[o.name]!))).toEqual(Array.from(toFloat64(ra[o.name]!)));
  }
}

describe('foldMovementChains', () => {
  it('folds a reorder and its inverse (with Reshapes between) into one Reshape', () => {
    const b = new GraphBuilder('inverse');
    const x = b.input('x', 'float32', [4, 6]);
    const blocked = b.op('Transpose', [b.op('Reshape', [x, b.int64s([2, 2, 3, 2])])], perm([0, 2, 3, 1]));
    const back = b.op('Transpose', [b.op('Reshape', [blocked, b.int64s([2, 3, 2, 2])])], perm([0, 3, 1, 2]));
    b.output(b.named(b.op('Reshape', [back, b.int64s([24])]), 'y'));
    const graph = b.build();
    const folded = foldMovementChains(graph);
    expect(folded.nodes.map((n) => n.op)).toEqual(['Reshape', 'Identity']);
    outputsAgree(graph, folded, [4, 6]);
  });

  it('turns a chain that is a matrix transpose into one 2-d Transpose', () => {
    const b = new GraphBuilder('matrix');
    const x = b.input('x', 'float32', [2, 3, 4]);
    const t = b.op('Transpose', [b.op('Reshape', [x, b.int64s([6, 2, 2])])], perm([1, 2, 0]));
    b.output(b.named(b.op('Reshape', [t, b.int64s([4, 6])]), 'y'));
    const graph = b.build();
    const folded = foldMovementChains(graph);
    expect(folded.nodes.map((n) => n.op)).toEqual(['Reshape', 'Transpose', 'Reshape', 'Identity']);
    expect(folded.nodes[1]?.attrs.perm).toEqual(attr.ints([1, 0]));
    outputsAgree(graph, folded, [2, 3, 4]);
  });

  it('keeps values read twice for their other readers, and folds the chain past them from further back', () => {
    const b = new GraphBuilder('shared');
    const x = b.input('x', 'float32', [2, 3, 4]);
    const t = b.op('Transpose', [x], perm([1, 0, 2]));
    const u = b.op('Transpose', [t], perm([0, 2, 1]));
    b.output(b.named(b.op('Reshape', [u, b.int64s([24])]), 'y'));
    b.output(b.named(b.op('Exp', [t]), 'z'));
    const graph = b.build();
    const folded = foldMovementChains(graph);
    // t still feeds Exp; y is x moved by one matrix transpose ([2, 12] -> [12, 2]), not two 3-d ones.
    const transposes = folded.nodes.filter((n) => n.op === 'Transpose').map((n) => n.attrs.perm);
    expect(transposes).toEqual([attr.ints([1, 0, 2]), attr.ints([1, 0])]);
    outputsAgree(graph, folded, [2, 3, 4]);
  });

  it('folds a chain of generic Transposes into one Transpose of the lowest rank', () => {
    const b = new GraphBuilder('generic');
    const x = b.input('x', 'float32', [2, 3, 4, 5]);
    const t = b.op('Transpose', [x], perm([1, 0, 2, 3]));
    const u = b.op('Transpose', [b.op('Reshape', [t, b.int64s([3, 2, 20])])], perm([0, 2, 1]));
    b.output(b.named(b.op('Reshape', [u, b.int64s([120])]), 'y'));
    const graph = b.build();
    const folded = foldMovementChains(graph);
    // Net: [2, 3, 20] -> [3, 20, 2], one 2-d transpose of [2, 60].
    expect(folded.nodes.filter((n) => n.op === 'Transpose').map((n) => n.attrs.perm)).toEqual([attr.ints([1, 0])]);
    outputsAgree(graph, folded, [2, 3, 4, 5]);
  });

  it('keeps a chain when one Transpose would cost as much', () => {
    const b = new GraphBuilder('kept');
    const x = b.input('x', 'float32', [2, 3, 4]);
    const t = b.op('Transpose', [x], perm([1, 0, 2]));
    b.output(b.named(b.op('Reshape', [t, b.int64s([24])]), 'y'));
    const graph = b.build();
    const folded = foldMovementChains(graph);
    expect(folded.nodes.map((n) => n.op)).toEqual(graph.nodes.map((n) => n.op));
    outputsAgree(graph, folded, [2, 3, 4]);
  });
});
