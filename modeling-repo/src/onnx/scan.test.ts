/**
 * @jest-environment ./test/support/ort-environment.ts
 */
import { describe, expect, it } from '@jest/globals';
import ort from 'onnxruntime-node';
import { GraphBuilder } from '../graph/builder.js';
import { renameValues } from '../graph/rename.js';
import type { Graph } from '../graph/ir.js';
import { toScanOnnxBytes, type ScanSpec } from './scan.js';

/** body: s_next = s * 2 + u, y = s_next summed; scanned u [3], carried s [3]. */
function body(): Graph {
  const b = new GraphBuilder('acc');
  const s = b.input('s', 'float32', [3]);
  const u = b.input('u', 'float32', [3]);
  const next = b.named(b.op('Add', [b.op('Mul', [s, b.scalar(2)]), u]), 's_next');
  b.output(next);
  b.output(b.named(b.op('ReduceSum', [next, b.int64s([0])], { keepdims: { kind: 'int', value: 0 } }), 'y'));
  return b.build();
}

const SPEC: ScanSpec = {
  stateIn: [{ body: 's', outer: 'start' }],
  stateOut: [{ body: 's_next', outer: 'end' }],
  scanIn: [{ body: 'u', outer: 'us' }],
  scanOut: [{ body: 'y', outer: 'ys' }],
  trips: 'M',
};

describe('toScanOnnxBytes', () => {
  it('runs the body once per slice in ONNX Runtime, carrying the state, for any trip count', async () => {
    const session = await ort.InferenceSession.create(toScanOnnxBytes(body(), SPEC));
    for (const trips of [1, 4]) {
      const us = Float32Array.from({ length: 3 * trips }, (_, i) => i);
      const out = await session.run({ start: new ort.Tensor('float32', Float32Array.of(1, 0, -1), [3]), us: new ort.Tensor('float32', us, [trips, 3]) });
      let s = [1, 0, -1];
      const ys: number[] = [];
      for (let t = 0; t < trips; t++) {
        s = s.map((v, i) => v * 2 + (us[t * 3 + i] ?? 0));
        ys.push(s.reduce((a, v) => a + v, 0));
      }
      expect(Array.from(out.end?.data as Float32Array)).toEqual(s);
      expect(Array.from(out.ys?.data as Float32Array)).toEqual(ys);
      expect(out.ys?.dims).toEqual([trips]);
    }
    await session.release();
  });

  it('names the problem when the spec does not fit the body', () => {
    expect(() => toScanOnnxBytes(body(), { ...SPEC, scanIn: [] })).toThrow(/unbound: u/);
    expect(() => toScanOnnxBytes(body(), { ...SPEC, stateOut: [] })).toThrow(/1 carried inputs but 0 carried outputs/);
    expect(() => toScanOnnxBytes(body(), { ...SPEC, stateIn: [{ body: 's', outer: 's_next' }] })).toThrow(/outer value "s_next" has the name of a body value/);
    expect(() => toScanOnnxBytes(body(), { ...SPEC, scanOut: [{ body: 'nope', outer: 'ys' }] })).toThrow(/"nope" is not a body output/);
  });
});

describe('renameValues', () => {
  it('renames inputs, outputs and node values, and refuses a name that is taken', () => {
    const renamed = renameValues(body(), new Map([['s', 'state'], ['y', 'total']]));
    expect(renamed.inputs.map((v) => v.name)).toEqual(['state', 'u']);
    expect(renamed.outputs.map((v) => v.name)).toEqual(['s_next', 'total']);
    expect(renamed.nodes.flatMap((n) => [...n.inputs, ...n.outputs])).not.toContain('s');
    expect(() => renameValues(body(), new Map([['s', 'u']]))).toThrow(/"u" is already a value/);
  });
});
