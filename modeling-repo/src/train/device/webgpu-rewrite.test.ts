/**
 * @jest-environment ./test/support/ort-environment.ts
 */
import { describe, expect, it } from '@jest/globals';
import * as ort from 'onnxruntime-node';
import { attr, GraphBuilder, type Graph } from '../../graph/index.js';
import { toOnnxBytes } from '../../onnx/index.js';
import { forWebgpu, MAX_BUFFERS } from './webgpu-rewrite.js';

const PIECES = 20;

/** x [N] split into 20 uneven pieces, each doubled, concatenated back and added to x: 2x + x. */
function wideGraph(): Graph {
  const b = new GraphBuilder('wide');
  const sizes = Array.from({ length: PIECES }, (_, i) => i + 1);
  const n = sizes.reduce((a, c) => a + c, 0);
  b.input('x', 'float32', [n]);
  const pieces = b.node('Split', ['x', b.int64s(sizes)], { axis: attr.int(0) }, PIECES);
  const doubled = pieces.map((p) => b.op('Add', [p, p]));
  const back = b.op('Concat', doubled, { axis: attr.int(0) });
  b.output(b.op('Add', [back, 'x']));
  return b.build();
}

async function runCpu(graph: Graph, x: Float32Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(toOnnxBytes(graph));
  const out = await session.run({ x: new ort.Tensor('float32', x, [x.length]) });
  await session.release();
  return out[graph.outputs[0]!.name]!.data as Float32Array;
}

describe('forWebgpu', () => {
  it('rewrites wide Split and Concat nodes into ones of at most MAX_BUFFERS buffers, with the same values', async () => {
    const graph = wideGraph();
    const rewritten = forWebgpu(graph);
    expect(graph.nodes.some((n) => n.inputs.length + n.outputs.length > MAX_BUFFERS)).toBe(true);
    expect(rewritten.nodes.every((n) => n.inputs.length + n.outputs.length <= MAX_BUFFERS)).toBe(true);
    expect(rewritten.nodes.filter((n) => n.op === 'Slice')).toHaveLength(PIECES);
    const x = Float32Array.from({ length: graph.inputs[0]!.shape[0] as number }, (_, i) => i * 0.5 - 7);
    const expected = Array.from(x, (v) => 3 * v);
    expect(Array.from(await runCpu(rewritten, x))).toEqual(expected);
    expect(Array.from(await runCpu(graph, x))).toEqual(expected);
  });

  it('leaves narrow graphs as they are', () => {
    const b = new GraphBuilder('narrow');
    b.input('x', 'float32', [4]);
    b.output(b.op('Concat', ['x', 'x'], { axis: attr.int(0) }));
    const graph = b.build();
    expect(forWebgpu(graph).nodes).toEqual(graph.nodes);
  });
});
