/**
 * What handing a training state back to JavaScript costs: onnxruntime-node copies every output
 * into a fresh ArrayBuffer, pre-allocated outputs included. A graph of three Negs over [P] values
 * (MobileNetV2's P by default) is run with its three [P] outputs fetched into pre-allocated
 * arrays, and again with only their sums fetched: the difference is the copy.
 *
 *   npx tsx bench/output-copy.ts [P] [runs]
 *
 * src/train/multi-step.ts is why the training step runs several steps per session.run.
 */
import ort from 'onnxruntime-node';
import type { Graph } from '../src/graph/index.js';
import { toOnnxBytes } from '../src/onnx/index.js';

/** About MobileNetV2 1.0 with the 17-tag head. */
const MOBILENET_PARAMS = 2_240_000;
const RUNS = 40;
const THREADS = 2;
const PARTS = ['a', 'b', 'c'] as const;

const count = Number(process.argv[2] ?? MOBILENET_PARAMS);
const runs = Number(process.argv[3] ?? RUNS);

function graph(fetchValues: boolean): Graph {
  const values = PARTS.map((p) => ({ op: 'Neg', inputs: ['x'], outputs: [p], attrs: {} }));
  const sums = PARTS.map((p) => ({ op: 'ReduceSum', inputs: [p], outputs: [`${p}_sum`], attrs: {} }));
  return {
    name: fetchValues ? 'values' : 'sums',
    inputs: [{ name: 'x', dtype: 'float32', shape: [count] }],
    outputs: PARTS.map((p) => (fetchValues ? { name: p, dtype: 'float32', shape: [count] } : { name: `${p}_sum`, dtype: 'float32', shape: [1] })),
    nodes: fetchValues ? values : [...values, ...sums],
    initializers: new Map(),
  };
}

async function timeGraph(fetchValues: boolean): Promise<number[]> {
  const session = await ort.InferenceSession.create(toOnnxBytes(graph(fetchValues)), { intraOpNumThreads: THREADS });
  const x = new ort.Tensor('float32', new Float32Array(count).fill(1), [count]);
  const fetches = Object.fromEntries(PARTS.map((p) => [p, new ort.Tensor('float32', new Float32Array(count), [count])]));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await (fetchValues ? session.run({ x }, fetches) : session.run({ x }));
    times.push(performance.now() - started);
  }
  await session.release();
  return times.sort((p, q) => p - q);
}

const line = (label: string, t: readonly number[]): string =>
  `${label}: min ${(t[0] ?? 0).toFixed(2)} ms, median ${(t[Math.floor(t.length / 2)] ?? 0).toFixed(2)} ms, max ${(t.at(-1) ?? 0).toFixed(2)} ms`;

// Alternated, so that both see the same machine.
for (let round = 0; round < 2; round++) {
  console.log(line(`3 x [${String(count)}] outputs into pre-allocated arrays`, await timeGraph(true)));
  console.log(line('their 3 sums only                  ', await timeGraph(false)));
}
