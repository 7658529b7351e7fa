/**
 * One benchmark measurement, run inside its own process by bench/run.ts: build the training
 * graph, create its session, warm up, read the peak RSS, then time training runs and inference
 * batches of the same classifier in turn.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { backboneGraph, buildClassifier, selectTrainable } from '../src/backbone/index.js';
import type { Graph } from '../src/graph/index.js';
import { toOnnxBytes } from '../src/onnx/index.js';
import { gatherParams, initialState } from '../src/train/flat-params.js';
import { nchwcBlockSize, trainingStepOptions } from '../src/train/session.js';
import { IMAGES, LOSSES, LRS, multiStepModel, STEPS, TARGETS } from '../src/train/multi-step.js';
import { joinArrays, stateFeeds, stateFetches } from '../src/train/state-io.js';
import { buildTrainingGraph, STATE_INPUTS, STATE_OUTPUTS } from '../src/train/training-graph.js';
import { deviceOptions, forDevice, transferTimes, type BenchDevice, type TransferTimes } from './device.js';
import { installPlainConvGrad } from './formulations/install.js';
import { summarizeProfile, type OpTime } from './profile.js';

export interface MeasureRequest {
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
  /** Execution provider (absent: cpu). On webgpu the training state stays on the GPU between steps. */
  readonly device?: BenchDevice;
  /** Training steps per session.run on the CPU, as train.stepsPerRun (src/train/multi-step.ts); absent: 1. */
  readonly stepsPerRun?: number;
}

export interface Measurement {
  readonly size: number;
  /** The training step's images/s and ms per batch of `batch`. */
  readonly imagesPerSecond: number;
  readonly msPerBatch: number;
  /** Inference of the same classifier, timed in the same rounds as the steps (absent when profiling). */
  readonly inference?: { readonly imagesPerSecond: number; readonly msPerBatch: number };
  readonly buildMs: number;
  readonly sessionMs: number;
  /** Peak RSS of the process once the training session has run, before the inference session exists. */
  readonly peakRssBytes: number;
  readonly losses?: number[];
  readonly profileFile?: string;
  /** From the profile of a training step: kernel time per phase and the five slowest op types. */
  readonly breakdown?: { readonly phases: Readonly<Record<string, number>>; readonly top: readonly OpTime[] };
  /** device=webgpu training: host-device transfers of a step (measured apart from the timed steps). */
  readonly transfers?: TransferTimes;
}

const TOP_OPS = 5;

const CLASSES = 17;
const WARMUP = 2;
/** Inference batches timed per training step asked for (as the PyTorch reference: 3 x steps). */
const INFER_RUNS_PER_STEP = 3;

/** Where ONNX Runtime writes a session's profile (it appends a timestamp). */
const profilePrefix = (mode: 'infer' | 'train', size: number): string => `bench-${mode}-${String(size)}`;

function sessionOptions(request: MeasureRequest, mode: 'infer' | 'train', memoryPattern = true): ort.InferenceSession.SessionOptions {
  return {
    ...deviceOptions(request.device ?? 'cpu', mode),
    graphOptimizationLevel: 'all',
    intraOpNumThreads: request.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // As the pipeline's training sessions (src/train/session.ts trainingStepOptions).
    ...(memoryPattern ? {} : { enableMemPattern: false }),
    enableProfiling: request.profile,
    profileFilePrefix: join(tmpdir(), profilePrefix(mode, request.size)),
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

function finishProfile(session: ort.InferenceSession, request: MeasureRequest): string | undefined {
  if (!request.profile) {
    return undefined;
  }
  session.endProfiling();
  // Only the training session is profiled; the newest file with its prefix is this run's.
  const prefix = profilePrefix('train', request.size);
  const files = readdirSync(tmpdir()).filter((f) => f.startsWith(prefix) && f.endsWith('.json')).map((f) => join(tmpdir(), f));
  return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/** NCHWc block of the training graph: 0 for plain graphs; NCHWc needs the CPU and its kernels. */
async function blockFor(request: MeasureRequest): Promise<number> {
  if (request.kernels !== 'nchwc') return 0;
  if ((request.device ?? 'cpu') !== 'cpu') throw new Error('kernels=nchwc runs ONNX Runtime\'s CPU kernels: use --kernels=plain with --device=webgpu');
  const block = await nchwcBlockSize();
  if (block === 0) throw new Error('kernels=nchwc: this ONNX Runtime build has no NCHWc kernels');
  return block;
}

export async function measure(request: MeasureRequest): Promise<Measurement> {
  if (request.convGrad === 'plain') {
    installPlainConvGrad();
  }
  const started = performance.now();
  const backbone = backboneGraph(readFileSync(request.model), 'onnx', request.size, request.model);
  const classifier = buildClassifier(backbone, { inputSize: request.size, trainSize: request.size, classes: CLASSES, seed: 1, batch: request.batch });
  const { image, target } = syntheticBatch(request);
  const trainable = selectTrainable(classifier.params, 'all');
  const gpu = (request.device ?? 'cpu') === 'webgpu';
  const nchwcBlock = await blockFor(request);
  const { graph, layout, intermediateBytes } = buildTrainingGraph(classifier.graph, {
    batch: request.batch, trainable,
    optimizer: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-4 }, lrMultipliers: { backbone: 0.1, head: 1 },
    nchwcBlock,
  });
  // The CPU runs the pipeline's multi-step model; webgpu the single step, its state kept on the GPU.
  const bytes = gpu ? toOnnxBytes(forDevice(request, graph)) : multiStepModel(graph);
  const buildMs = performance.now() - started;
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(bytes, sessionOptions(request, 'train', trainingStepOptions(intermediateBytes).memoryPattern));
  const sessionMs = performance.now() - t0;
  const initial = initialState(gatherParams(classifier.graph, layout));
  const steps = gpu ? gpuSteps(session, { image, target }, initial) : cpuSteps(session, request, { image, target }, initial);
  const units = gpu ? request.steps : Math.max(2, Math.ceil(request.steps / steps.perRun));
  // The peak RSS is read before the inference session exists, after the warm-up and as many runs
  // again as will be timed: the training session's own peak, in its steady state (the state's
  // output buffers of past runs included, as a training loop holds them until they are collected).
  await repeat(WARMUP + units, steps.run);
  const peakRssBytes = peakRss();
  const infer = request.profile ? undefined : await inferenceRun(request, classifier.graph, image);
  const timed = await inTurn({ train: steps.run, units, infer, inferRuns: INFER_RUNS_PER_STEP * request.steps });
  steps.release();
  const transfers = gpu ? await transferTimes({ image, target }, initial, request.steps) : undefined;
  const profileFile = finishProfile(session, request);
  const summary = profileFile === undefined ? undefined : summarizeProfile(profileFile);
  const breakdown = summary === undefined ? undefined : { phases: summary.phases, top: summary.byType.slice(0, TOP_OPS) };
  const msPerBatch = timed.trainMs / steps.perRun;
  const inference = timed.inferMs === undefined ? undefined : { imagesPerSecond: (1000 * request.batch) / timed.inferMs, msPerBatch: timed.inferMs };
  return {
    size: request.size, imagesPerSecond: (1000 * request.batch) / msPerBatch, msPerBatch, inference,
    buildMs, sessionMs, peakRssBytes, losses: steps.losses, profileFile, breakdown, transfers,
  };
}

/** Inference runs of the classifier on the batch: a session of its own, warmed up. */
async function inferenceRun(request: MeasureRequest, classifier: Graph, image: ort.Tensor): Promise<() => Promise<void>> {
  const session = await ort.InferenceSession.create(toOnnxBytes(forDevice(request, classifier)), sessionOptions(request, 'infer'));
  const run = async (): Promise<void> => { await session.run({ image }); };
  await repeat(WARMUP, run);
  return run;
}

interface InTurn {
  /** One timed training unit (a session.run of one or several steps). */
  readonly train: () => Promise<void>;
  readonly units: number;
  readonly infer: (() => Promise<void>) | undefined;
  /** Inference batches in all, spread over the rounds. */
  readonly inferRuns: number;
}

/**
 * Training units and inference batches in turn, each round one training unit and its share of
 * the inference batches: the machine's speed drifts within seconds, and timing both in the same
 * rounds makes their ratio compare the same moments. Times in ms per unit and per batch.
 */
async function inTurn({ train, units, infer, inferRuns }: InTurn): Promise<{ trainMs: number; inferMs?: number }> {
  const perRound = Math.max(1, Math.ceil(inferRuns / units));
  let trainMs = 0;
  let inferMs = 0;
  for (let round = 0; round < units; round++) {
    trainMs += await elapsed(train);
    if (infer !== undefined) inferMs += await elapsed(() => repeat(perRound, infer));
  }
  return { trainMs: trainMs / units, ...(infer === undefined ? {} : { inferMs: inferMs / (units * perRound) }) };
}

async function elapsed(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function repeat(count: number, run: () => Promise<void>): Promise<void> {
  for (let i = 0; i < count; i++) {
    await run();
  }
}

interface StepRuns {
  /** One session.run: `perRun` training steps. */
  readonly run: () => Promise<void>;
  readonly perRun: number;
  readonly losses: number[];
  readonly release: () => void;
}
type HostBatch = ReturnType<typeof syntheticBatch>;

const stepTensor = (step: number): ort.Tensor => new ort.Tensor('float32', Float32Array.of(step), []);
const LR_VALUE = 1e-3;
const LR = new ort.Tensor('float32', Float32Array.of(LR_VALUE), []);

/** The scanned inputs of `m` steps on one batch, numbered from `first` (multi-step.ts). */
function scannedBatch({ image, target }: HostBatch, m: number, first: number): Record<string, ort.Tensor> {
  const repeated = <T extends Uint8Array | Float32Array>(data: T, make: (n: number) => T): T => joinArrays(Array.from({ length: m }, () => data), make);
  return {
    [IMAGES]: new ort.Tensor('uint8', repeated(image.data as Uint8Array, (n) => new Uint8Array(n)), [m, ...image.dims]),
    [TARGETS]: new ort.Tensor('float32', repeated(target.data as Float32Array, (n) => new Float32Array(n)), [m, ...target.dims]),
    [LRS]: new ort.Tensor('float32', new Float32Array(m).fill(LR_VALUE), [m]),
    [STEPS]: new ort.Tensor('float32', Float32Array.from({ length: m }, (_, i) => first + i), [m]),
  };
}

/** Runs of `stepsPerRun` steps of the multi-step model, as the pipeline runs them on the CPU. */
function cpuSteps(session: ort.InferenceSession, request: MeasureRequest, batch: HostBatch, initial: Float32Array): StepRuns {
  const m = Math.max(1, request.stepsPerRun ?? 1);
  // Two state buffers used in turn: each run writes its result into the one it did not read.
  let state: Float32Array = initial;
  let spare: Float32Array = new Float32Array(initial.length);
  const losses: number[] = [];
  let step = 1;
  const run = async (): Promise<void> => {
    const out = await session.run({ ...stateFeeds(state), ...scannedBatch(batch, m, step) }, { ...stateFetches(spare), [LOSSES]: null });
    losses.push(...(out[LOSSES]?.data as Float32Array));
    step += m;
    [state, spare] = [spare, state];
  };
  return { run, perRun: m, losses, release: () => undefined };
}

/** Steps with the state in a GPU buffer fed back each step; only the loss comes to the host. */
function gpuSteps(session: ort.InferenceSession, { image, target }: HostBatch, initial: Float32Array): StepRuns {
  let state: ort.Tensor[] = Object.values(stateFeeds(initial));
  const losses: number[] = [];
  let step = 0;
  const release = (): void => { for (const t of state) if (t.location === 'gpu-buffer') t.dispose(); };
  const run = async (): Promise<void> => {
    step += 1;
    const feeds = Object.fromEntries(STATE_INPUTS.map((name, i) => [name, state[i]!]));
    const out = await session.run({ ...feeds, image, target, lr: LR, step: stepTensor(step) });
    out.logits?.dispose();
    release();
    state = STATE_OUTPUTS.map((name) => out[name]!);
    losses.push((out.loss?.data as Float32Array)[0] ?? NaN);
  };
  return { run, perRun: 1, losses, release };
}
