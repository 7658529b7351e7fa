import * as ort from 'onnxruntime-node';
import { decodeChip, chipBytes, LABELS } from '../data/index.js';
import { readBundle, type ModelCard } from '../export/index.js';

/** The only resize kernel the pipeline writes into model cards. */
const SUPPORTED_KERNEL = 'area';

/**
 * An exported bundle loaded for inference: decodes chips exactly as training did (the card's
 * decode and resize chain) and runs `model.onnx` on them.
 */
export class BundleModel {
  private constructor(
    readonly card: ModelCard,
    private readonly session: ort.InferenceSession,
  ) {}

  static async load(dir: string): Promise<BundleModel> {
    const { card, modelBytes } = await readBundle(dir);
    const unsupported = card.input.resize.find((step) => step.kernel !== SUPPORTED_KERNEL);
    if (unsupported !== undefined) {
      throw new Error(`${dir}/model.json: resize kernel "${unsupported.kernel}" is not supported (only "${SUPPORTED_KERNEL}")`);
    }
    if (card.labels.join(',') !== LABELS.join(',')) {
      throw new Error(`${dir}/model.json: labels differ from the 17 competition tags in alphabetical order`);
    }
    const session = await ort.InferenceSession.create(modelBytes, { graphOptimizationLevel: 'all' });
    return new BundleModel(card, session);
  }

  get size(): number {
    return this.card.input.size;
  }

  /** Decodes one image file's bytes into the model's S x S x 3 input. */
  decode(bytes: Uint8Array, file: string): Promise<Uint8Array> {
    return decodeChip(bytes, this.size, file);
  }

  /** Probabilities [count, 17] for `count` chips laid out as [count, S, S, 3]. */
  async predict(chips: Uint8Array, count: number): Promise<Float32Array> {
    if (chips.length !== count * chipBytes(this.size)) {
      throw new RangeError(`predict: ${count} chips of ${this.size}px need ${count * chipBytes(this.size)} bytes, got ${chips.length}`);
    }
    const feeds = { [this.card.input.name]: new ort.Tensor('uint8', chips, [count, this.size, this.size, 3]) };
    const output = (await this.session.run(feeds))[this.card.output.name];
    if (output === undefined) throw new Error(`model has no output "${this.card.output.name}"`);
    return output.data as Float32Array;
  }

  /** Per-class thresholds of the card in label order. */
  thresholds(): number[] {
    return this.card.labels.map((label) => this.card.thresholds[label] ?? this.card.metrics.f2AtThreshold0_2);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
