/**
 * Measures the three formulations of the depthwise Conv weight gradient in src/graph/ops/conv-grad.ts
 * on MobileNetV2-sized layers with ONNX Runtime's CPU provider: the sum over kernel taps (Slice * dy,
 * ReduceSum), one Conv with N*C groups (what the plain rule uses), and one Conv with C groups of N
 * channels (what the registry's rule, conv-grad-fast.ts, uses for maps of up to 16 pixels).
 * Run: `npx tsx bench/depthwise.ts`.
 */
import * as ort from 'onnxruntime-node';
import { toOnnxBytes } from '../src/onnx/index.js';
import { GraphBuilder } from '../src/graph/index.js';
import { convGeometry } from '../src/graph/kernels/conv.js';
import type { ConvGradShapes } from '../src/graph/ops/conv-grad.js';
import { depthwiseWeightGradChannelConv, depthwiseWeightGradGroupedConv, depthwiseWeightGradTaps } from '../src/graph/ops/conv-grad.js';

const BATCH = 32;
const KERNEL = 3;
const RUNS = 3;
/** [map size, channels, stride] of depthwise layers as they occur in MobileNetV2 at 64 and 128 px. */
const LAYERS: readonly (readonly [number, number, number])[] = [
  [32, 96, 2],
  [16, 144, 1],
  [8, 384, 1],
  [4, 960, 1],
  [64, 96, 2],
  [32, 144, 1],
  [16, 384, 1],
  [8, 960, 1],
];

type Formulation = typeof depthwiseWeightGradTaps;

function graphFor(size: number, c: number, stride: number, make: Formulation): Uint8Array {
  const b = new GraphBuilder('dw_grad');
  const out = Math.ceil(size / stride);
  const x = b.input('x', 'float32', [BATCH, c, size, size]);
  const dy = b.input('dy', 'float32', [BATCH, c, out, out]);
  const attrs = { group: { kind: 'int', value: c }, strides: { kind: 'ints', value: [stride, stride] }, pads: { kind: 'ints', value: [1, 1, 1, 1] } } as const;
  const g = convGeometry(attrs, [size, size], [KERNEL, KERNEL]);
  const s: ConvGradShapes = { x: [BATCH, c, size, size], w: [c, 1, KERNEL, KERNEL], y: [BATCH, c, out, out] };
  b.output(make(b, x, dy, g, s));
  return toOnnxBytes(b.build());
}

async function timeIt(bytes: Uint8Array, size: number, c: number, stride: number): Promise<number> {
  const session = await ort.InferenceSession.create(bytes);
  const out = Math.ceil(size / stride);
  const feeds = {
    x: new ort.Tensor('float32', new Float32Array(BATCH * c * size * size).fill(0.5), [BATCH, c, size, size]),
    dy: new ort.Tensor('float32', new Float32Array(BATCH * c * out * out).fill(0.25), [BATCH, c, out, out]),
  };
  await session.run(feeds);
  const start = performance.now();
  for (let i = 0; i < RUNS; i++) {
    await session.run(feeds);
  }
  await session.release();
  return (performance.now() - start) / RUNS;
}

async function main(): Promise<void> {
  console.log('depthwise 3x3 weight gradient, batch 32, ms per run (taps, N*C-group conv, C-group conv)');
  for (const [size, c, stride] of LAYERS) {
    const taps = await timeIt(graphFor(size, c, stride, depthwiseWeightGradTaps), size, c, stride);
    const grouped = await timeIt(graphFor(size, c, stride, depthwiseWeightGradGroupedConv), size, c, stride);
    const channel = await timeIt(graphFor(size, c, stride, depthwiseWeightGradChannelConv), size, c, stride);
    console.log(`${size}x${size} C=${c} stride ${stride}: taps ${taps.toFixed(1)} ms, N*C-group conv ${grouped.toFixed(1)} ms, C-group conv ${channel.toFixed(1)} ms`);
  }
}

await main();
