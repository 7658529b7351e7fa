/**
 * One benchmark measurement, run inside its own process by bench/run.ts: build the graph,
 * create the session, warm up, then time `steps` runs.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { backboneGraph, buildClassifier, selectTrainable } from '../src/backbone/index.js';
import { toOnnxBytes } from '../src/onnx/index.js';
import { gatherParams, initialState } from '../src/train/flat-params.js';
import { nchwcBlockSize, trainingStepOptions } from '../src/train/session.js';
import { buildTrainingGraph } from '../src/train/training-graph.js';
import { installPlainConvGrad } from './formulations/install.js';
import { summarizeProfile, type OpTime } from './profile.js';

export interface MeasureRequest {
  readonly mode: 'infer' | 'train';
  readonly model: string;
  readonly size: number;
  readonly batch: number;
  readonly threads: number;
  readonly steps: number;
  readonly profile: boolean;
  /** Conv gradient formulation of plain graphs: the registry's (fast) or the plain one of conv-grad.ts. */
  readonly convGrad: 'fast' | 'plain';
  /** Training graph on ONNX Runtime's NCHWc kernels, or the plain NCHW one. */
  readonly kernels: 'nchwc' | 'plain';
  /** Let idle intra-op threads spin (ONNX Runtime's default); off helps on a busy machine. */
  readonly spin: boolean;
}

export interface Measurement {
  readonly mode: 'infer' | 'train';
  readonly size: number;
  readonly imagesPerSecond: number;
  readonly msPerBatch: number;
  readonly buildMs: number;
  readonly sessionMs: number;
  readonly peakRssBytes: number;
  readonly losses?: number[];
  readonly profileFile?: string;
  /** From the profile of a training step: kernel time per phase and the five slowest op types. */
  readonly breakdown?: { readonly phases: Readonly<Record<string, number>>; readonly top: readonly OpTime[] };
}

const TOP_OPS = 5;

const CLASSES = 17;
const WARMUP = 2;

function sessionOptions(request: MeasureRequest, memoryPattern = true): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: request.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // As the pipeline's training sessions (src/train/session.ts trainingStepOptions).
    ...(memoryPattern ? {} : { enableMemPattern: false }),
    enableProfiling: request.profile,
    profileFilePrefix: join(tmpdir(), `bench-${request.mode}-${request.size}`),
    extra: { session: { intra_op: { allow_spinning: request.spin ? '1' : '0' } } },
  };
}

/** Peak resident set size of this process (Linux reports maxRSS in KiB). */
function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function syntheticBatch(request: MeasureRequest): { image: ort.Tensor; target: ort.Tensor } {
  const { batch, size } = request;
  const pixels = Uint8Array.from({ length: batch * size * size * 3 }, (_, i) => (i * 2654435761) >>> 24);
  const labels = Float32Array.from({ length: batch * CLASSES }, (_, i) => ((i * 7) % 5 === 0 ? 1 : 0));
  return { image: new ort.Tensor('uint8', pixels, [batch, size, size, 3]), target: new ort.Tensor('float32', labels, [batch, CLASSES]) };
}

async function timeRuns(count: number, run: () => Promise<void>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) {
    await run();
  }
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    await run();
  }
  return (performance.now() - start) / count;
}

function finishProfile(session: ort.InferenceSession, request: MeasureRequest): string | undefined {
  if (!request.profile) {
    return undefined;
  }
  session.endProfiling();
  // ONNX Runtime appends a timestamp to the prefix: the newest matching file is this run's.
  const prefix = `bench-${request.mode}-${request.size}`;
  const files = readdirSync(tmpdir()).filter((f) => f.startsWith(prefix) && f.endsWith('.json')).map((f) => join(tmpdir(), f));
  return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

export async function measure(request: MeasureRequest): Promise<Measurement> {
  if (request.convGrad === 'plain') {
    installPlainConvGrad();
  }
  const started = performance.now();
  const backbone = backboneGraph(readFileSync(request.model), 'onnx', request.size, request.model);
  const classifier = buildClassifier(backbone, { inputSize: request.size, trainSize: request.size, classes: CLASSES, seed: 1, batch: request.batch });
  const { image, target } = syntheticBatch(request);
  const base = { mode: request.mode, size: request.size };
  if (request.mode === 'infer') {
    const bytes = toOnnxBytes(classifier.graph);
    const buildMs = performance.now() - started;
    const t0 = performance.now();
    const session = await ort.InferenceSession.create(bytes, sessionOptions(request));
    const sessionMs = performance.now() - t0;
    const ms = await timeRuns(request.steps, async () => { await session.run({ image }); });
    return { ...base, imagesPerSecond: (1000 * request.batch) / ms, msPerBatch: ms, buildMs, sessionMs, peakRssBytes: peakRss(), profileFile: finishProfile(session, request) };
  }
  const trainable = selectTrainable(classifier.params, 'all');
  const nchwcBlock = request.kernels === 'nchwc' ? await nchwcBlockSize() : 0;
  if (request.kernels === 'nchwc' && nchwcBlock === 0) {
    throw new Error('kernels=nchwc: this ONNX Runtime build has no NCHWc kernels');
  }
  const { graph, layout, intermediateBytes } = buildTrainingGraph(classifier.graph, {
    batch: request.batch, trainable,
    optimizer: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-4 }, lrMultipliers: { backbone: 0.1, head: 1 },
    nchwcBlock,
  });
  const bytes = toOnnxBytes(graph);
  const buildMs = performance.now() - started;
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(bytes, sessionOptions(request, trainingStepOptions(intermediateBytes).memoryPattern));
  const sessionMs = performance.now() - t0;
  // Two state buffers used in turn: each step writes its result into the one it did not read.
  let state = new ort.Tensor('float32', initialState(gatherParams(classifier.graph, layout)), [3 * layout.size]);
  let spare = new ort.Tensor('float32', new Float32Array(3 * layout.size), [3 * layout.size]);
  const lr = new ort.Tensor('float32', Float32Array.of(1e-3), []);
  const losses: number[] = [];
  let step = 0;
  const ms = await timeRuns(request.steps, async () => {
    step += 1;
    const out = await session.run(
      { state, image, target, lr, step: new ort.Tensor('float32', Float32Array.of(step), []) },
      { state_out: spare, loss: null, logits: null },
    );
    losses.push((out.loss?.data as Float32Array)[0] ?? NaN);
    [state, spare] = [spare, state];
  });
  const profileFile = finishProfile(session, request);
  const summary = profileFile === undefined ? undefined : summarizeProfile(profileFile);
  const breakdown = summary === undefined ? undefined : { phases: summary.phases, top: summary.byType.slice(0, TOP_OPS) };
  return { ...base, imagesPerSecond: (1000 * request.batch) / ms, msPerBatch: ms, buildMs, sessionMs, peakRssBytes: peakRss(), losses, profileFile, breakdown };
}
