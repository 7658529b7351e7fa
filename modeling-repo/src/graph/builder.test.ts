import { describe, expect, it } from '@jest/globals';
import { GraphBuilder } from './builder.js';
import { evaluateGraph } from './evaluate.js';
import { foldBatchNorm } from './fold-batchnorm.js';
import { getRule, registry, RULES } from './registry.js';
import { makeTensor, toFloat64 } from './tensor.js';

describe('GraphBuilder', () => {
  it('infers static shapes and dtypes for every value', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', 'float32', ['N', 3, 8, 8]);
    const w = b.initializer('w', makeTensor('float32', [4, 3, 3, 3], new Float32Array(108)));
    const y = b.op('Conv', [x, w], { strides: { kind: 'ints', value: [2, 2] }, pads: { kind: 'ints', value: [1, 1, 1, 1] } });
    expect(b.info(y)).toEqual({ name: y, dtype: 'float32', shape: ['N', 4, 4, 4] });
    const f = b.op('Flatten', [b.op('GlobalAveragePool', [y])]);
    expect(b.info(f).shape).toEqual(['N', 4]);
    const mask = b.op('Greater', [f, b.scalar(0)]);
    expect(b.info(mask).dtype).toBe('bool');
  });

  it('names the op for an unknown op, and the value for an unknown input', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', 'float32', [2]);
    expect(() => b.op('NoSuchOp', [x])).toThrow(/no rule for op "NoSuchOp"/);
    expect(() => b.op('Relu', ['missing'])).toThrow(/Relu: input "missing"/);
    expect(() => b.info('nothing')).toThrow(/unknown value "nothing"/);
    expect(() => b.op('Add', [x, b.input('y', 'float32', [3])])).toThrow(/Add.*do not broadcast/);
  });

  it('gives fresh unique names and shares repeated constants', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', 'float32', [2]);
    const names = [b.op('Relu', [x]), b.op('Relu', [x]), b.fresh('relu'), b.fresh('relu')];
    expect(new Set(names).size).toBe(4);
    expect(b.scalar(1)).toBe(b.scalar(1));
    expect(b.scalar(1)).not.toBe(b.scalar(1, 'int64'));
    expect(b.int64s([1, 2])).toBe(b.int64s([1, 2]));
    expect(() => b.input('x', 'float32', [2])).toThrow(/defined twice/);
  });

  it('folds small int values so computed shapes stay known', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', 'float32', [2, 3, 4]);
    const shape = b.op('Shape', [x]);
    const tail = b.op('Slice', [shape, b.int64s([1]), b.int64s([3])]);
    const target = b.op('Concat', [b.int64s([-1]), tail], { axis: { kind: 'int', value: 0 } });
    expect(toFloat64(b.valueOf(target)!)).toEqual(Float64Array.from([-1, 3, 4]));
    expect(b.info(b.op('Reshape', [x, target])).shape).toEqual([2, 3, 4]);
  });

  it('builds in topological order, prunes unused nodes, and continues a graph with from()', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', 'float32', [2]);
    const unused = b.op('Exp', [x]);
    const y = b.op('Relu', [b.op('Neg', [x])]);
    b.output(y);
    const pruned = b.build();
    expect(pruned.nodes.map((n) => n.op)).toEqual(['Neg', 'Relu']);
    expect(b.build({ prune: false }).nodes.map((n) => n.outputs[0])).toContain(unused);
    const c = GraphBuilder.from({ ...pruned, nodes: [...pruned.nodes].reverse() });
    expect(c.nodes.map((n) => n.op)).toEqual(['Neg', 'Relu']);
    c.removeOutputs();
    c.output(c.named(c.op('Sigmoid', [y]), 'prob'));
    const out = evaluateGraph(c.build(), { x: makeTensor('float32', [2], [-1, 2]) });
    expect(Array.from(toFloat64(out.prob!))).toEqual([1 / (1 + Math.exp(-1)), 0.5]);
  });
});

describe('registry', () => {
  it('has exactly one rule per op, each with shape inference and a reference kernel', () => {
    expect(registry.size).toBe(RULES.length);
    for (const rule of RULES) {
      expect(typeof rule.infer).toBe('function');
      expect(typeof rule.evaluate).toBe('function');
    }
  });

  it('names a missing op', () => {
    expect(() => getRule('LSTM')).toThrow(/no rule for op "LSTM"/);
  });

  it('has gradient rules for the ops training graphs differentiate', () => {
    const required = ['Conv', 'BatchNormalization', 'Relu', 'Clip', 'HardSigmoid', 'HardSwish', 'Add', 'Sub', 'Mul', 'Div',
      'GlobalAveragePool', 'ReduceMean', 'ReduceSum', 'Flatten', 'Reshape', 'Transpose', 'Gemm', 'MatMul', 'MaxPool',
      'AveragePool', 'Concat', 'Sigmoid', 'Pad', 'Identity', 'Cast', 'Slice'];
    expect(required.filter((op) => getRule(op).grad === null)).toEqual([]);
    expect(getRule('Softmax').grad).toBeNull();
    expect(getRule('Resize').grad).toBeNull();
  });
});

describe('foldBatchNorm', () => {
  it('folds BatchNormalization into the conv before it without changing the output', () => {
    const b = new GraphBuilder('bn');
    const x = b.input('x', 'float32', [1, 2, 4, 4]);
    const w = b.initializer('w', makeTensor('float32', [3, 2, 3, 3], Array.from({ length: 54 }, (_, i) => Math.sin(i))));
    const conv = b.op('Conv', [x, w], { pads: { kind: 'ints', value: [1, 1, 1, 1] } });
    const t = (v: number[]): string => b.constant(makeTensor('float32', [3], v));
    const y = b.op('BatchNormalization', [conv, t([1, 2, 0.5]), t([0.1, -0.2, 0.3]), t([0.5, 0, -1]), t([1, 4, 0.25])]);
    b.output(y);
    const graph = b.build();
    const folded = foldBatchNorm(graph);
    expect(folded.nodes.map((n) => n.op)).toEqual(['Conv']);
    const feed = { x: makeTensor('float32', [1, 2, 4, 4], Array.from({ length: 32 }, (_, i) => Math.cos(i))) };
    const want = toFloat64(evaluateGraph(graph, feed)[y]!);
    const got = toFloat64(evaluateGraph(folded, feed)[y]!);
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 5);
    });
  });
});
