/**
 * One loaded bundle: an ONNX Runtime session whose inputs and outputs were checked against the card.
 * `run` takes S x S x 3 RGB byte arrays and returns one probability vector (17 floats) per image.
 */
import * as ort from 'onnxruntime-node';
import type { ModelCard } from '../schemas/model-card.js';
import { BundleError, sessionProblems, type Bundle } from './bundle.js';
import { RGB_CHANNELS } from './image.js';
import { LABEL_COUNT } from './labels.js';

export interface OnnxModelOptions {
  /** Intra-op threads for ONNX Runtime (0: its own default, one per core). */
  readonly threads: number;
}

export class OnnxModel {
  private constructor(
    readonly bundle: Bundle,
    private readonly session: ort.InferenceSession,
  ) {}

  get card(): ModelCard {
    return this.bundle.card;
  }

  /** Bytes of one input image: S * S * 3. */
  get imageBytes(): number {
    const s = this.card.input.size;
    return s * s * RGB_CHANNELS;
  }

  /** Creates the session and refuses a graph whose input/output names, types or shapes break the contract. */
  static async load(bundle: Bundle, options: OnnxModelOptions): Promise<OnnxModel> {
    const session = await ort.InferenceSession.create(bundle.onnx, {
      intraOpNumThreads: options.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      // No spin-waiting between ops: in the service, inference overlaps image decoding on sharp's
      // threads, and spinning intra-op threads take their CPU (64 clients: 1.9 cores busy for 380
      // images/s with spinning, 1.6 cores for 415-450 without; the in-process ceiling rises too).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    }).catch((error: unknown) => {
      throw new BundleError(bundle.dir, [`model.onnx cannot be loaded by ONNX Runtime (${(error as Error).message})`]);
    });
    const problems = sessionProblems(session, bundle.card);
    if (problems.length > 0) {
      await session.release();
      throw new BundleError(bundle.dir, problems);
    }
    return new OnnxModel(bundle, session);
  }

  /** One inference over a batch; each image must be exactly S * S * 3 bytes. */
  async run(images: readonly Uint8Array[]): Promise<Float32Array[]> {
    const n = images.length;
    const size = this.card.input.size;
    const input = new Uint8Array(n * this.imageBytes);
    images.forEach((image, i) => {
      if (image.length !== this.imageBytes) throw new Error(`image ${i} has ${image.length} bytes, the model takes ${this.imageBytes}`);
      input.set(image, i * this.imageBytes);
    });
    const feeds = { [this.card.input.name]: new ort.Tensor('uint8', input, [n, size, size, RGB_CHANNELS]) };
    const results = await this.session.run(feeds);
    const output = results[this.card.output.name];
    if (output?.type !== 'float32' || output.dims.length !== 2 || output.dims[0] !== n || output.dims[1] !== LABEL_COUNT) {
      throw new Error(`model returned ${output?.type ?? 'nothing'} [${output?.dims.join(', ') ?? ''}], expected float32 [${n}, ${LABEL_COUNT}]`);
    }
    const data = output.data as Float32Array;
    return images.map((_, i) => data.slice(i * LABEL_COUNT, (i + 1) * LABEL_COUNT));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
