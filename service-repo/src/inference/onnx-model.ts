/**
 * One loaded bundle: an ONNX Runtime session, in its own worker thread (src/inference/inference-worker.ts),
 * whose inputs and outputs were checked against the card. `run` takes S x S x 3 RGB byte arrays and
 * returns one probability vector (17 floats) per image.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { OrtDevice } from '../config/index.js';
import { LABEL_COUNT, RGB_CHANNELS } from '../contract/index.js';
import type { ModelCard } from '../schemas/index.js';
import { BundleError, type Bundle } from './bundle.js';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-messages.js';

export interface OnnxModelOptions {
  /** Intra-op threads for ONNX Runtime (0: its own default, one per core). */
  readonly threads: number;
  /** Execution provider (default cpu); on webgpu a batch goes up once and its probabilities come back once. */
  readonly device?: OrtDevice;
}

interface Waiting {
  readonly resolve: (probabilities: Float32Array) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Starts the worker. Built (dist/*.js), it is a plain file; from sources (tsx, Jest), a worker cannot
 * load TypeScript by itself, so a one-line ES module registers tsx's loader first, then imports it.
 */
function startWorker(setup: WorkerSetup): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(`./inference-worker.${fromSources ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSources) return new Worker(entry, { workerData: setup });
  const tsxApi = createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
  const boot = `import { register } from ${JSON.stringify(pathToFileURL(tsxApi).href)}; register(); await import(${JSON.stringify(entry.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: setup });
}

/** Resolves when the worker's session is loaded and fits the contract; otherwise a BundleError. */
function whenLoaded(worker: Worker, bundle: Bundle): Promise<void> {
  return new Promise((resolve, reject) => {
    const refuse = (problems: readonly string[]): void => {
      void worker.terminate();
      reject(new BundleError(bundle.dir, problems));
    };
    worker.once('error', (error) => { refuse([`model.onnx: the inference thread failed (${error.message})`]); });
    worker.once('message', (message: FromWorker) => {
      worker.removeAllListeners('error');
      if (message.kind === 'load-failed') refuse([`model.onnx cannot be loaded by ONNX Runtime (${message.message})`]);
      else if (message.kind === 'loaded' && message.problems.length > 0) refuse(message.problems);
      else resolve();
    });
  });
}

export class OnnxModel {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private stopped: Error | undefined;

  private constructor(
    readonly bundle: Bundle,
    private readonly worker: Worker,
  ) {
    worker.on('message', (message: FromWorker) => { this.settle(message); });
    // A crashed thread fails what it held and every later run; the registry's health shows it.
    worker.on('error', (error) => { this.stop(new Error(`inference thread failed: ${error.message}`)); });
    worker.on('exit', () => { this.stop(new Error('inference thread has stopped')); });
  }

  get card(): ModelCard {
    return this.bundle.card;
  }

  /** Bytes of one input image: S * S * 3. */
  get imageBytes(): number {
    const s = this.card.input.size;
    return s * s * RGB_CHANNELS;
  }

  /** Starts the session's thread and refuses a graph whose input/output names, types or shapes break the contract. */
  static async load(bundle: Bundle, options: OnnxModelOptions): Promise<OnnxModel> {
    const worker = startWorker({ onnx: bundle.onnx, card: bundle.card, threads: options.threads, device: options.device ?? 'cpu' });
    await whenLoaded(worker, bundle);
    return new OnnxModel(bundle, worker);
  }

  /** One inference over a batch; each image must be exactly S * S * 3 bytes. */
  async run(images: readonly Uint8Array[]): Promise<Float32Array[]> {
    const input = new Uint8Array(images.length * this.imageBytes);
    images.forEach((image, i) => {
      if (image.length !== this.imageBytes) throw new Error(`image ${i} has ${image.length} bytes, the model takes ${this.imageBytes}`);
      input.set(image, i * this.imageBytes);
    });
    if (this.stopped !== undefined) throw this.stopped;
    const id = this.nextId++;
    const request: ToWorker = { kind: 'run', id, count: images.length, input };
    const result = new Promise<Float32Array>((resolve, reject) => { this.waiting.set(id, { resolve, reject }); });
    this.worker.postMessage(request, [input.buffer]);
    const data = await result;
    return images.map((_, i) => data.slice(i * LABEL_COUNT, (i + 1) * LABEL_COUNT));
  }

  /** Releases the session and ends the thread. */
  async release(): Promise<void> {
    if (this.stopped !== undefined) return;
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    const request: ToWorker = { kind: 'release' };
    this.worker.postMessage(request);
    await exited;
  }

  private settle(message: FromWorker): void {
    if (message.kind !== 'result' && message.kind !== 'run-failed') return;
    const waiting = this.waiting.get(message.id);
    this.waiting.delete(message.id);
    if (message.kind === 'result') waiting?.resolve(message.probabilities);
    else waiting?.reject(new Error(message.message));
  }

  private stop(reason: Error): void {
    this.stopped ??= reason;
    for (const waiting of this.waiting.values()) waiting.reject(reason);
    this.waiting.clear();
  }
}
