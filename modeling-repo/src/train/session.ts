import * as ort from 'onnxruntime-node';
import type { Device, Kernels } from '../config/index.js';
import { blockSizeProbe, PROBE_CHANNELS } from '../graph/index.js';
import { toOnnxBytes } from '../onnx/index.js';


/** Raised when the configured execution provider cannot run here; the message says what to do. */
export class DeviceError extends Error {
  override readonly name = 'DeviceError';
}

const HINTS: Readonly<Record<Device, string>> = {
  cpu: 'the CPU provider is always bundled with onnxruntime-node',
  webgpu: 'device=webgpu needs a GPU with Vulkan drivers (set VK_DRIVER_FILES to the driver ICD on NVIDIA); use device=cpu otherwise',
  cuda: 'device=cuda needs ONNX Runtime\'s CUDA provider files, which onnxruntime-node downloads at install (install scripts are off in .npmrc): `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node --ignore-scripts=false` (CUDA 12 and cuDNN 9 installed), or use device=cpu',
};

/** Checks that onnxruntime-node was built with the provider, before any graph is built for it. */
export function assertDeviceAvailable(device: Device): void {
  // CUDA is listed but not bundled: whether its libraries are installed shows when the session starts.
  if (!ort.listSupportedBackends().some((entry) => entry.name === device)) {
    throw new DeviceError(`execution provider "${device}" is not in this onnxruntime-node build: ${HINTS[device]}`);
  }
}

export interface SessionOptions {
  readonly device: Device;
  /** Intra-op threads; 0 leaves the runtime's default (one per core). */
  readonly threads: number;
  /** ONNX Runtime's memory pattern (default on; see trainingStepOptions). */
  readonly memoryPattern?: boolean;
  /** Where outputs land (GPU providers: 'gpu-buffer' keeps them on the device, see device/engines.ts). */
  readonly preferredOutputLocation?: ort.InferenceSession.SessionOptions['preferredOutputLocation'];
}

/**
 * ONNX Runtime's memory pattern reuses little memory in a training step: its block is about the
 * sum of all the step's values (1.6 GiB for MobileNetV2 at 128 px) where its arena alone peaks
 * at half that. With the pattern, steps ran about 12 % faster (64 px: 146-167 vs 129-147 img/s).
 * So it is on while that sum fits in this budget, and off above.
 */
export const MEMORY_PATTERN_BUDGET_BYTES = 1_073_741_824;

/** Session options of a training step whose values add up to `intermediateBytes`. */
export function trainingStepOptions(intermediateBytes: number): Pick<SessionOptions, 'memoryPattern'> {
  return { memoryPattern: intermediateBytes <= MEMORY_PATTERN_BUDGET_BYTES };
}

/** Creates an inference session on the configured provider, turning a provider failure into a clear error. */
export async function createSession(model: Uint8Array, options: SessionOptions): Promise<ort.InferenceSession> {
  assertDeviceAvailable(options.device);
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [options.device],
    graphOptimizationLevel: 'all',
    // One graph runs node after node; its threads are all intra-op (as bench/measure.ts measures).
    executionMode: 'sequential',
    interOpNumThreads: 1,
    ...(options.threads > 0 ? { intraOpNumThreads: options.threads } : {}),
    ...(options.memoryPattern === false ? { enableMemPattern: false } : {}),
    ...(options.preferredOutputLocation === undefined ? {} : { preferredOutputLocation: options.preferredOutputLocation }),
  };
  try {
    return await ort.InferenceSession.create(model, sessionOptions);
  } catch (error) {
    if (options.device === 'cpu') throw error;
    throw new DeviceError(`cannot start execution provider "${options.device}": ${(error as Error).message}; ${HINTS[options.device]}`);
  }
}

/** NCHWc block size of this machine's ONNX Runtime CPU kernels: 0 when it has none. */
let nchwcBlockCache: number | undefined;
let nchwcProbeError = '';

/**
 * Asks ONNX Runtime for its NCHWc block size (8 with AVX2, 16 with AVX-512; builds without
 * NCHWc kernels give 0): a ReorderInput of 4 channels pads them to one block.
 */
export async function nchwcBlockSize(): Promise<number> {
  if (nchwcBlockCache !== undefined) {
    return nchwcBlockCache;
  }
  try {
    const session = await ort.InferenceSession.create(toOnnxBytes(blockSizeProbe()), { executionProviders: ['cpu'] });
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array(PROBE_CHANNELS), [1, PROBE_CHANNELS, 1, 1]) });
    const channels = out.y?.dims[1] ?? 0;
    await session.release();
    nchwcBlockCache = channels > PROBE_CHANNELS ? channels : 0;
  } catch (error) {
    // Builds without the NCHWc kernels refuse the op; anything else is worth saying.
    nchwcProbeError = (error as Error).message;
    nchwcBlockCache = 0;
  }
  return nchwcBlockCache;
}

/**
 * The NCHWc block size training and evaluation graphs are built with for `kernels` on `device`
 * (0: plain NCHW graphs). NCHWc ops are ONNX Runtime CPU kernels, so other devices run plain graphs.
 */
export async function kernelBlock(kernels: Kernels, device: Device): Promise<number> {
  if (kernels === 'plain' || (kernels === 'auto' && device !== 'cpu')) {
    return 0;
  }
  if (device !== 'cpu') {
    throw new DeviceError(`kernels=nchwc runs ONNX Runtime's CPU kernels, not device=${device}: use kernels=auto or kernels=plain`);
  }
  const block = await nchwcBlockSize();
  if (kernels === 'nchwc' && block === 0) {
    const why = nchwcProbeError === '' ? '' : ` (ONNX Runtime said: ${nchwcProbeError})`;
    throw new DeviceError(`kernels=nchwc: this machine's ONNX Runtime has no NCHWc kernels${why}; they need x86-64 with AVX2 or AVX-512: use kernels=auto or kernels=plain`);
  }
  return block;
}
