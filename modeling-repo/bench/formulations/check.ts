/**
 * `npx tsx bench/formulations/check.ts`: the registry's (fast) Conv gradients against the plain ones,
 * on the layer kinds MobileNetV2 has (ONNX Runtime, float32), and their time per layer.
 */
import ort from 'onnxruntime-node';
import { attr, differentiate, GraphBuilder, registry, type OpRule } from '../../src/graph/index.js';
import { toOnnxBytes } from '../../src/onnx/index.js';
import { convGrad } from '../../src/graph/ops/conv-grad.js';

interface Layer { name: string; x: number[]; w: number[]; stride: number; pads: number[]; group: number }

const layers: Layer[] = [
  { name: 'depthwise 3x3/1 96x16x16', x: [32, 96, 16, 16], w: [96, 1, 3, 3], stride: 1, pads: [1, 1, 1, 1], group: 96 },
  { name: 'depthwise 3x3/2 (TF pads) 144x16x16', x: [32, 144, 16, 16], w: [144, 1, 3, 3], stride: 2, pads: [0, 0, 1, 1], group: 144 },
  { name: 'depthwise 3x3/1 960x2x2', x: [32, 960, 2, 2], w: [960, 1, 3, 3], stride: 1, pads: [1, 1, 1, 1], group: 960 },
  { name: 'pointwise 32->16 32x32', x: [32, 32, 32, 32], w: [16, 32, 1, 1], stride: 1, pads: [0, 0, 0, 0], group: 1 },
  { name: 'pointwise 320->1280 2x2', x: [32, 320, 2, 2], w: [1280, 320, 1, 1], stride: 1, pads: [0, 0, 0, 0], group: 1 },
  { name: 'dense 3x3/1 8->16 16x16', x: [4, 8, 16, 16], w: [16, 8, 3, 3], stride: 1, pads: [1, 1, 1, 1], group: 1 },
];

function noise(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return (s / 2 ** 32) * 2 - 1; });
}

async function gradients(layer: Layer, fast: boolean, wrt: string[] = ['x', 'w', 'bias']): Promise<{ out: Record<string, Float32Array>; ms: number }> {
  const rules = registry as Map<string, OpRule>;
  const original = rules.get('Conv')!;
  if (!fast) rules.set('Conv', { ...original, grad: convGrad });
  try {
    const b = new GraphBuilder('layer');
    b.input('x', 'float32', layer.x);
    b.input('w', 'float32', layer.w);
    b.input('bias', 'float32', [layer.w[0]!]);
    const y = b.op('Conv', ['x', 'w', 'bias'], { kernel_shape: attr.ints(layer.w.slice(2)), strides: attr.ints([layer.stride, layer.stride]), pads: attr.ints(layer.pads), group: attr.int(layer.group) });
    const weights = b.input('dy', 'float32', b.info(y).shape);
    const loss = b.op('ReduceSum', [b.op('Mul', [y, weights])], { keepdims: attr.int(0) });
    const grads = differentiate(b, loss, wrt);
    for (const [k, g] of grads) b.output(b.named(g, `d_${k}`));
    const graph = b.build();
    const session = await ort.InferenceSession.create(toOnnxBytes(graph), { graphOptimizationLevel: 'all', intraOpNumThreads: 2 });
    const size = (d: readonly (number | string)[]): number => d.reduce<number>((a, v) => a * Number(v), 1);
    const feeds = {
      x: new ort.Tensor('float32', noise(size(layer.x), 1), layer.x),
      w: new ort.Tensor('float32', noise(size(layer.w), 2), layer.w),
      bias: new ort.Tensor('float32', noise(layer.w[0]!, 3), [layer.w[0]!]),
      dy: new ort.Tensor('float32', noise(size(b.info(y).shape), 4), b.info(y).shape as number[]),
    };
    await session.run(feeds);
    const t = performance.now();
    const reps = 10;
    let r: ort.InferenceSession.ReturnType = {};
    for (let i = 0; i < reps; i++) r = await session.run(feeds);
    const ms = (performance.now() - t) / reps;
    await session.release();
    return { out: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.data as Float32Array])), ms };
  } finally {
    rules.set('Conv', original);
  }
}

for (const layer of layers) {
  const a = await gradients(layer, false);
  const b = await gradients(layer, true);
  const diffs = Object.keys(a.out).map((k) => {
    const x = a.out[k]!, y = b.out[k]!;
    const scale = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const worst = x.reduce((m, v, i) => Math.max(m, Math.abs(v - (y[i] ?? NaN))), 0);
    return `${k} ${(worst / scale).toExponential(1)}`;
  });
  const parts: string[] = [];
  for (const wrt of ['x', 'w']) {
    const r1 = await gradients(layer, false, [wrt]);
    const f1 = await gradients(layer, true, [wrt]);
    const r2 = await gradients(layer, false, [wrt]);
    const f2 = await gradients(layer, true, [wrt]);
    parts.push(`d${wrt}: ${Math.min(r1.ms, r2.ms).toFixed(1)} -> ${Math.min(f1.ms, f2.ms).toFixed(1)} ms`);
  }
  console.log(`${layer.name.padEnd(40)} ${parts.join('   ')}`);
  console.log(`${layer.name.padEnd(40)} plain ${a.ms.toFixed(1).padStart(7)} ms  fast ${b.ms.toFixed(1).padStart(7)} ms  rel.diff ${diffs.join(', ')}`);
}
