/**
 * What a benchmark child does differently on device=webgpu: the step's state and logits stay in
 * GPU buffers and the state is fed back, as the pipeline's GpuStepRunner does, and the time the
 * step spends moving its host inputs to the GPU (and the loss back) is measured apart.
 */
import ort from 'onnxruntime-node';
import { GraphBuilder, type Graph } from '../src/graph/index.js';
import { toOnnxBytes } from '../src/onnx/index.js';
import { WEBGPU_STEP_OUTPUTS } from '../src/train/device/engines.js';
import { GpuTransfer } from '../src/train/device/transfer.js';
import { forWebgpu } from '../src/train/device/webgpu-rewrite.js';

export type BenchDevice = 'cpu' | 'webgpu';

/** Session options of a benchmark session on `device` (training steps keep their state on a GPU). */
export function deviceOptions(device: BenchDevice, mode: 'infer' | 'train'): ort.InferenceSession.SessionOptions {
  if (device === 'cpu') return { executionProviders: ['cpu'] };
  return { executionProviders: ['webgpu'], ...(mode === 'train' ? { preferredOutputLocation: WEBGPU_STEP_OUTPUTS } : {}) };
}

/** The graph as the pipeline runs it on `device` (nodes too wide for WebGPU's shaders split up). */
export function forDevice(request: { readonly device?: BenchDevice }, graph: Graph): Graph {
  return request.device === 'webgpu' ? forWebgpu(graph) : graph;
}

/** A graph that copies a step's host inputs to the GPU, which is what the step does before it runs. */
function uploadGraph(): Uint8Array {
  const b = new GraphBuilder('upload_batch');
  b.input('image', 'uint8', ['N', 'S', 'S', 3]);
  b.input('target', 'float32', ['N', 'C']);
  b.output(b.op('Identity', ['image']));
  b.output(b.op('Identity', ['target']));
  return toOnnxBytes(b.build());
}

export interface TransferTimes {
  /** Uploading one batch (images and targets) and reading back the loss, ms per step. */
  readonly stepMs: number;
  /** Reading the whole state back to the host (once per epoch in training), ms. */
  readonly stateReadMs: number;
}

async function timeMs(count: number, run: () => Promise<void>): Promise<number> {
  await run();
  const start = performance.now();
  for (let i = 0; i < count; i++) await run();
  return (performance.now() - start) / count;
}

/** Host-device transfer times of a training step on the WebGPU provider. */
export async function transferTimes(feeds: { image: ort.Tensor; target: ort.Tensor }, state: Float32Array, repeats: number): Promise<TransferTimes> {
  const upload = await ort.InferenceSession.create(uploadGraph(), { executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer' });
  const transfer = await GpuTransfer.create({ executionProviders: ['webgpu'] });
  const loss = await transfer.upload(Float32Array.of(0));
  const onGpu = await transfer.upload(state);
  const stepMs = await timeMs(repeats, async () => {
    const out = await upload.run(feeds);
    for (const tensor of Object.values(out)) tensor.dispose();
    await transfer.download(loss);
  });
  const stateReadMs = await timeMs(repeats, async () => { await transfer.download(onGpu); });
  loss.dispose();
  onGpu.dispose();
  await upload.release();
  await transfer.close();
  return { stepMs, stateReadMs };
}
