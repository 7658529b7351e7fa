import type * as ort from 'onnxruntime-node';
import type { Device } from '../../config/index.js';
import { LOGITS } from '../../contract/index.js';
import type { Graph } from '../../graph/index.js';
import { toOnnxBytes } from '../../onnx/index.js';
import { Evaluator } from '../evaluator.js';
import { createSession, type SessionOptions } from '../session.js';
import { multiStepModel } from '../multi-step.js';
import { StepRunner, type StepInput, type StepsResult } from '../step-runner.js';
import { STATE_OUTPUTS } from '../training-graph.js';
import { GpuStepRunner } from './gpu-step-runner.js';
import { GpuTransfer } from './transfer.js';
import { forWebgpu } from './webgpu-rewrite.js';

/**
 * What the training loop needs of a step runner: `run` takes up to `stepsPerRun` steps at once
 * (the loop's chunk of batches); `hostState` reads a returned state's values where they live elsewhere.
 */
export interface StepEngine {
  readonly stepsPerRun: number;
  run(state: Float32Array, steps: readonly StepInput[]): Promise<StepsResult>;
  hostState?(state: Float32Array): Promise<Float32Array>;
  close(): Promise<void>;
}

/** What the loop and the run need of an evaluator. */
export type EvalEngine = Pick<Evaluator, 'predict' | 'close'>;

export interface DeviceEngines {
  readonly runner: StepEngine;
  readonly evaluator: EvalEngine;
  close(): Promise<void>;
}

export interface EngineRequest {
  readonly device: Device;
  readonly threads: number;
  readonly stepGraph: Graph;
  readonly evalGraph: Graph;
  /** Session options of the step beyond device and threads (trainingStepOptions). */
  readonly stepOptions: Pick<SessionOptions, 'memoryPattern'>;
  readonly inputSize: number;
  readonly evalBatch: number;
  /** Training steps per session.run on the CPU (train.stepsPerRun; see multi-step.ts). */
  readonly stepsPerRun: number;
}

/** The WebGPU provider, with the step's new state kept on the GPU (fed back as the next step's input). */
export const WEBGPU_STEP_OUTPUTS: ort.InferenceSession.SessionOptions['preferredOutputLocation'] = {
  ...Object.fromEntries(STATE_OUTPUTS.map((name) => [name, 'gpu-buffer' as const])), [LOGITS]: 'gpu-buffer',
};

async function webgpuEngines(request: EngineRequest): Promise<DeviceEngines> {
  const base = { device: request.device, threads: request.threads };
  const step = await createSession(toOnnxBytes(forWebgpu(request.stepGraph)), { ...base, ...request.stepOptions, preferredOutputLocation: WEBGPU_STEP_OUTPUTS });
  const evalSession = await createSession(toOnnxBytes(forWebgpu(request.evalGraph)), base);
  const transfer = await GpuTransfer.create({ executionProviders: ['webgpu'] });
  const runner = new GpuStepRunner(step, transfer, request.inputSize);
  const evaluator = new Evaluator(evalSession, request.evalBatch, {
    place: (params) => transfer.upload(params),
    release: (tensor) => { tensor.dispose(); },
  });
  return {
    runner, evaluator,
    close: async () => { await runner.close(); await evaluator.close(); await transfer.close(); },
  };
}

/**
 * The step runner and evaluator for the configured device. On the CPU (and CUDA) the state is a
 * host array passed through each run of `stepsPerRun` steps; on WebGPU it stays in GPU memory
 * between steps.
 */
export async function createEngines(request: EngineRequest): Promise<DeviceEngines> {
  if (request.device === 'webgpu') return webgpuEngines(request);
  const base = { device: request.device, threads: request.threads };
  const step = await createSession(multiStepModel(request.stepGraph), { ...base, ...request.stepOptions });
  const evalSession = await createSession(toOnnxBytes(request.evalGraph), base);
  const runner = new StepRunner(step, request.inputSize, request.stepsPerRun);
  const evaluator = new Evaluator(evalSession, request.evalBatch);
  return { runner, evaluator, close: async () => { await runner.close(); await evaluator.close(); } };
}
