/**
 * @jest-environment ./test/support/ort-environment.ts
 */
import { describe, expect, it } from '@jest/globals';
import { randomTensor, runOrt } from '../../test/support/gradcheck.js';
import { GraphBuilder } from './builder.js';
import { attr } from './ir.js';
import { toFloat64 } from './tensor.js';
import { MAX_IDENTITY_SIDE, transposeByMatMul } from './transpose-by-matmul.js';

function transposes(): GraphBuilder {
  const b = new GraphBuilder('t');
  const x = b.input('x', 'float32', [5, 16, 40]);
  const y = b.input('y', 'float32', [40, 9]);
  const z = b.input('z', 'float32', [3, 40, 40]);
  b.output(b.named(b.op('Transpose', [x], { perm: attr.ints([0, 2, 1]) }), 'batched'));
  b.output(b.named(b.op('Transpose', [y], { perm: attr.ints([1, 0]) }), 'matrix'));
  b.output(b.named(b.op('Transpose', [x], { perm: attr.ints([1, 0, 2]) }), 'outer'));
  b.output(b.named(b.op('Transpose', [z], { perm: attr.ints([0, 2, 1]) }), 'wide'));
  return b;
}

describe('transposeByMatMul', () => {
  it('rewrites only last-two-axes swaps with a short side, and gives the same values bit for bit', async () => {
    const graph = transposes().build();
    const rewritten = transposeByMatMul(graph);
    const ops = rewritten.nodes.map((n) => n.op);
    expect(ops.filter((op) => op === 'FusedMatMul')).toHaveLength(2);
    // The axis swap that keeps the last axis, and one whose sides both exceed the identity limit, stay.
    expect(ops.filter((op) => op === 'Transpose')).toHaveLength(2);
    expect(Math.min(40, 40)).toBeGreaterThan(MAX_IDENTITY_SIDE);
    const feeds = { x: randomTensor([5, 16, 40], 1), y: randomTensor([40, 9], 2), z: randomTensor([3, 40, 40], 3) };
    const [want, got] = await Promise.all([runOrt(graph, feeds), runOrt(rewritten, feeds)]);
    for (const name of ['batched', 'matrix', 'outer', 'wide']) {
      expect(got[name]?.dims).toEqual(want[name]?.dims);
      expect(Array.from(toFloat64(got[name]!))).toEqual(Array.from(toFloat64(want[name]!)));
    }
  });
});
