/**
 * @jest-environment ./test/support/ort-environment.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { GraphBuilder } from '../graph/builder.js';
import { evaluateGraph } from '../graph/evaluate.js';
import { randomTensor, runOrt } from '../../test/support/gradcheck.js';
import { hasRule } from '../graph/registry.js';
import { makeTensor, toFloat64 } from '../graph/tensor.js';
import { onnx } from './proto.js';
import { fromOnnxBytes, readOnnxModel, toOnnxBytes } from './index.js';

// Default: ../shared/backbones beside the repository root (tests run from modeling-repo/).
const BACKBONES_DIR = process.env.BACKBONES_DIR ?? resolve(process.cwd(), '../../shared/backbones');
const MOBILENET = join(BACKBONES_DIR, 'mobilenet_v2_1.0_224_imagenet.onnx');
const maybe = existsSync(MOBILENET) ? it : it.skip;
if (!existsSync(MOBILENET)) {
  console.log(`skipping MobileNetV2 import checks: ${MOBILENET} not found (set BACKBONES_DIR)`);
}

function smallGraph(): GraphBuilder {
  const b = new GraphBuilder('small');
  const x = b.input('x', 'float32', ['N', 3]);
  const w = b.initializer('w', makeTensor('float32', [4, 3], Array.from({ length: 12 }, (_, i) => i / 10)));
  const z = b.op('Gemm', [x, w, b.constant(makeTensor('float32', [4], [1, 2, 3, 4]))], { transB: { kind: 'int', value: 1 } });
  b.output(b.named(b.op('Clip', [z, b.scalar(0), b.scalar(2)]), 'y'));
  return b;
}

describe('ONNX serialization', () => {
  it('round-trips a graph: nodes, attributes of every kind, initializers, symbolic dims', () => {
    const b = smallGraph();
    const t = makeTensor('int64', [2], [3, -4]);
    const attrs = {
      i: { kind: 'int', value: 7 },
      f: { kind: 'float', value: 0.5 },
      is: { kind: 'ints', value: [1, -2] },
      fs: { kind: 'floats', value: [0.25, 2] },
      s: { kind: 'string', value: 'linear' },
      t: { kind: 'tensor', value: t },
    } as const;
    const graph = { ...b.build(), nodes: [...b.build().nodes, { op: 'Identity', inputs: ['y'], outputs: ['z'], attrs }] };
    const back = readOnnxModel(toOnnxBytes(graph, { metadata: { source: 'test' }, producer: 'p' }));
    expect(back.opset).toBe(17);
    expect(back.metadata).toEqual({ source: 'test' });
    expect(back.graph.inputs).toEqual(graph.inputs);
    expect(back.graph.outputs).toEqual(graph.outputs);
    expect(back.graph.nodes.map((n) => [n.op, n.inputs, n.outputs])).toEqual(graph.nodes.map((n) => [n.op, n.inputs, n.outputs]));
    const last = back.graph.nodes.at(-1)!;
    expect({ ...last.attrs, t: undefined }).toEqual({ ...attrs, t: undefined });
    expect(last.attrs.t).toEqual({ kind: 'tensor', value: { dtype: 'int64', dims: [2], data: BigInt64Array.from([3n, -4n]) } });
    expect([...back.graph.initializers.keys()].sort()).toEqual([...graph.initializers.keys()].sort());
    expect(back.graph.initializers.get('w')).toEqual(graph.initializers.get('w'));
  });

  it('reads typed-field tensors and Constant nodes', () => {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'typed',
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } }],
        output: [{ name: 'y', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } }],
        initializer: [{ name: 'a', dims: [2], dataType: 1, floatData: [1.5, -2] }],
        node: [
          { opType: 'Constant', output: ['k'], attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { dims: [1], dataType: 7, int64Data: [2] } }] },
          { opType: 'Add', input: ['x', 'a'], output: ['y'] },
        ],
      },
    });
    const graph = fromOnnxBytes(onnx.ModelProto.encode(model).finish());
    expect(toFloat64(graph.initializers.get('a')!)).toEqual(Float64Array.from([1.5, -2]));
    expect(graph.initializers.get('k')?.data).toEqual(BigInt64Array.from([2n]));
    expect(graph.nodes.map((n) => n.op)).toEqual(['Add']);
  });

  it('runs a built graph in onnxruntime-node with the same result as the reference evaluator', async () => {
    const graph = smallGraph().build();
    const feeds = { x: randomTensor([5, 3], 3) };
    const got = toFloat64((await runOrt(graph, feeds)).y!);
    const want = toFloat64(evaluateGraph(graph, feeds).y!);
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 5);
    });
  });

  maybe('imports MobileNetV2: every op has a rule and shapes infer at 64x64 with a fixed batch', async () => {
    const graph = fromOnnxBytes(readFileSync(MOBILENET));
    expect(graph.nodes.length).toBeGreaterThan(100);
    expect(graph.nodes.map((n) => n.op).filter((op) => !hasRule(op))).toEqual([]);
    const b = GraphBuilder.from({ ...graph, inputs: graph.inputs.map((v) => ({ ...v, shape: [2, 3, 64, 64] })) });
    const out = graph.outputs[0]!.name;
    expect(b.info(out).shape).toEqual([2, 1001]);
    const pool = graph.nodes.find((n) => n.op === 'GlobalAveragePool')!;
    expect(b.info(pool.outputs[0]!).shape).toEqual([2, 1280, 1, 1]);
    const probs = (await runOrt(b.build(), { input: randomTensor([2, 3, 64, 64], 9) }))[out]!;
    expect(probs.dims).toEqual([2, 1001]);
  });
});
