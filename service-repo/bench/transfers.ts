/**
 * Host-device transfer times of one inference batch on a GPU execution provider (ORT_DEVICE=webgpu):
 * what `src/inference/inference-worker.ts` moves per run, the batch's S x S x 3 uint8 pixels up and its
 * [N, 17] float32 probabilities down (as flat tensors: the bytes are what cost). Each direction runs a one-Identity session on the same device,
 * its output kept on the GPU (upload) or brought back to the host (download), timed apart from the
 * model so that the transfer share of a batch is visible.
 */
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import type { OrtDevice } from '../src/config/index.js';

const { onnx } = onnxProto;
const OPSET = 17;
const IR_VERSION = 8;
const REPEATS = 20;

/** x -> Identity -> y, for one element type and shape. */
function identityModel(elemType: number, dims: readonly number[]): Uint8Array {
  const type = { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } };
  const graph: onnxProto.onnx.IGraphProto = {
    name: 'transfer',
    node: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
    input: [{ name: 'x', type }],
    output: [{ name: 'y', type }],
  };
  const model = onnx.ModelProto.create({ irVersion: IR_VERSION, opsetImport: [{ domain: '', version: OPSET }], graph });
  return onnx.ModelProto.encode(model).finish();
}

async function session(bytes: Uint8Array, device: OrtDevice, location: 'gpu-buffer' | 'cpu'): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { executionProviders: [device], preferredOutputLocation: location });
}

async function medianMs(run: () => Promise<void>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

export interface BatchTransfers {
  /** The batch's pixels, host to GPU, ms (median). */
  readonly uploadMs: number;
  /** Its probabilities, GPU to host, ms (median). */
  readonly downloadMs: number;
}

/** Transfer times of one batch: `batch` images of `imageBytes` bytes up, `batch * labels` floats down. */
export async function batchTransfers(device: OrtDevice, batch: number, imageBytes: number, labels: number): Promise<BatchTransfers> {
  const F = onnx.TensorProto.DataType;
  const pixels = [batch * imageBytes];
  const probabilities = [batch * labels];
  const up = await session(identityModel(F.UINT8, pixels), device, 'gpu-buffer');
  const upFloats = await session(identityModel(F.FLOAT, probabilities), device, 'gpu-buffer');
  const down = await session(identityModel(F.FLOAT, probabilities), device, 'cpu');
  const image = new ort.Tensor('uint8', new Uint8Array(batch * imageBytes), pixels);
  const uploadMs = await medianMs(async () => { (await up.run({ x: image })).y?.dispose(); });
  const onGpu = (await upFloats.run({ x: new ort.Tensor('float32', new Float32Array(batch * labels), probabilities) })).y;
  if (onGpu === undefined) throw new Error('the upload session returned no tensor');
  const downloadMs = await medianMs(async () => { await down.run({ x: onGpu }); });
  onGpu.dispose();
  for (const s of [up, upFloats, down]) await s.release();
  return { uploadMs, downloadMs };
}
