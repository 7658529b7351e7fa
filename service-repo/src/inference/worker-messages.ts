/**
 * Messages between OnnxModel (on the event loop) and the inference worker thread that owns the ONNX
 * Runtime session. Types only: both sides import them, neither imports the other.
 */
import type { OrtDevice } from '../config/index.js';
import type { ModelCard } from '../schemas/index.js';

/** What the worker starts with (`workerData`). */
export interface WorkerSetup {
  readonly onnx: Uint8Array;
  readonly card: ModelCard;
  /** Intra-op threads (0: ONNX Runtime's default, one per core). */
  readonly threads: number;
  /** Execution provider; absent: cpu. */
  readonly device?: OrtDevice;
}

/** Main -> worker: one batch of `count` images, S*S*3 bytes each, back to back (buffer transferred). */
export interface RunRequest {
  readonly kind: 'run';
  readonly id: number;
  readonly count: number;
  readonly input: Uint8Array;
}

/** Main -> worker: release the session and exit. */
interface ReleaseRequest {
  readonly kind: 'release';
}

export type ToWorker = RunRequest | ReleaseRequest;

/** Worker -> main, once: the session loaded and its problems against the contract (empty: fine). */
interface Loaded {
  readonly kind: 'loaded';
  readonly problems: readonly string[];
}

/** Worker -> main, once, instead of `loaded`: ONNX Runtime could not load the model. */
interface LoadFailed {
  readonly kind: 'load-failed';
  readonly message: string;
}

/** Worker -> main: the probabilities of a batch, [count, 17] row-major (buffer transferred). */
interface RunResult {
  readonly kind: 'result';
  readonly id: number;
  readonly probabilities: Float32Array;
}

/** Worker -> main: a batch failed. */
interface RunFailed {
  readonly kind: 'run-failed';
  readonly id: number;
  readonly message: string;
}

export type FromWorker = Loaded | LoadFailed | RunResult | RunFailed;
