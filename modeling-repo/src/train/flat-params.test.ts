import { describe, expect, it } from '@jest/globals';
import type { Graph } from '../graph/index.js';
import { bakeParams, decayMaskVector, flatLayout, gatherParams, initialState, lrScaleVector, paramsOf } from './flat-params.js';

const graph: Graph = {
  name: 'g',
  inputs: [],
  outputs: [],
  nodes: [],
  initializers: new Map([
    ['conv.weight', { dtype: 'float32', dims: [2, 1, 1, 2], data: Float32Array.of(1, 2, 3, 4) }],
    ['conv.bias', { dtype: 'float32', dims: [2], data: Float32Array.of(5, 6) }],
    ['head.weight', { dtype: 'float32', dims: [1, 2], data: Float32Array.of(7, 8) }],
    ['shape', { dtype: 'int64', dims: [1], data: BigInt64Array.of(4n) }],
  ]),
};

describe('flat parameter layout', () => {
  const layout = flatLayout(graph, [
    { name: 'conv.weight', group: 'backbone', kind: 'weight' },
    { name: 'conv.bias', group: 'backbone', kind: 'bias' },
    { name: 'head.weight', group: 'head' },
  ]);

  it('places parameters back to back in the given order', () => {
    expect(layout.size).toBe(8);
    expect(layout.slots.map((s) => [s.name, s.offset, s.size, s.decay])).toEqual([
      ['conv.weight', 0, 4, true], ['conv.bias', 4, 2, false], ['head.weight', 6, 2, true],
    ]);
    expect(Array.from(gatherParams(graph, layout))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('makes the state with zero moments, and per-value rate and decay vectors', () => {
    const state = initialState(gatherParams(graph, layout));
    expect(Array.from(state)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, ...Array<number>(16).fill(0)]);
    expect(Array.from(paramsOf(state, layout))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(lrScaleVector(layout, { backbone: 0.1, head: 1 }))).toEqual([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1, 1].map(Math.fround));
    expect(Array.from(decayMaskVector(layout))).toEqual([1, 1, 1, 1, 0, 0, 1, 1]);
  });

  it('bakes trained values into a copy of the graph', () => {
    const baked = bakeParams(graph, ['conv.bias', 'head.weight'], Float32Array.of(-5, -6, -7, -8));
    expect(Array.from(baked.initializers.get('conv.bias')?.data as Float32Array)).toEqual([-5, -6]);
    expect(Array.from(baked.initializers.get('head.weight')?.data as Float32Array)).toEqual([-7, -8]);
    expect(baked.initializers.get('head.weight')?.dims).toEqual([1, 2]);
    expect(Array.from(graph.initializers.get('conv.bias')?.data as Float32Array)).toEqual([5, 6]);
  });

  it('names the problem with a bad parameter list or state', () => {
    expect(() => flatLayout(graph, ['missing'])).toThrow('parameter "missing" is not an initializer of graph "g"');
    expect(() => flatLayout(graph, ['shape'])).toThrow('parameter "shape" is int64');
    expect(() => flatLayout(graph, ['conv.bias', 'conv.bias'])).toThrow('listed twice');
    expect(() => paramsOf(new Float32Array(5), layout)).toThrow('state has 5 values; expected 24');
  });
});
