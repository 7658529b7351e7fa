import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../graph/index.js';
import { toOnnxBytes } from '../../onnx/index.js';

const X = 'x';

/** A one-Identity graph: run on the WebGPU provider, it moves a tensor between host and GPU. */
function identityGraph(): Uint8Array {
  const b = new GraphBuilder('gpu_copy');
  b.input(X, 'float32', ['N']);
  b.output(b.op('Identity', [X]));
  return toOnnxBytes(b.build());
}

/**
 * Moves flat float32 tensors between the host and the GPU. onnxruntime-node cannot create a GPU
 * buffer from JavaScript, nor read one (`getData()` on a gpu-buffer tensor aborts the process),
 * so both directions run an Identity session on the same WebGPU device: its output stays on the
 * GPU (upload) or comes back to the host (download). Tensors on the GPU are shared by every
 * session of the process, so the result feeds the training and evaluation sessions directly.
 */
export class GpuTransfer {
  private constructor(
    private readonly up: ort.InferenceSession,
    private readonly down: ort.InferenceSession,
    private readonly output: string,
  ) {}

  static async create(options: ort.InferenceSession.SessionOptions): Promise<GpuTransfer> {
    const bytes = identityGraph();
    const up = await ort.InferenceSession.create(bytes, { ...options, preferredOutputLocation: 'gpu-buffer' });
    const down = await ort.InferenceSession.create(bytes, { ...options, preferredOutputLocation: 'cpu' });
    return new GpuTransfer(up, down, up.outputNames[0] ?? '');
  }

  /** A GPU copy of `values`; the caller disposes it. */
  async upload(values: Float32Array): Promise<ort.Tensor> {
    const out = await this.up.run({ [X]: new ort.Tensor('float32', values, [values.length]) });
    return this.pick(out);
  }

  /** The values of a float32 GPU tensor, on the host. */
  async download(tensor: ort.Tensor): Promise<Float32Array> {
    const data = this.pick(await this.down.run({ [X]: tensor })).data;
    if (!(data instanceof Float32Array)) throw new Error('GPU download returned no float32 data');
    return data;
  }

  private pick(out: ort.InferenceSession.ReturnType): ort.Tensor {
    const tensor = out[this.output];
    if (tensor === undefined) throw new Error('GPU copy session returned no tensor');
    return tensor;
  }

  async close(): Promise<void> {
    await this.up.release();
    await this.down.release();
  }
}
