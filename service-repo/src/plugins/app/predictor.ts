/**
 * The use cases behind the routes: images -> decoded model inputs -> the batcher -> tags. A request
 * with one bad image is refused as a whole, naming the first bad file in request order, so no image's
 * result is lost or returned silently incomplete.
 *
 * Decoding: by default (DECODE_CONCURRENCY=0) every image starts decoding the moment its bytes are
 * in, on sharp's threads. A bounded FIFO queue (DECODE_CONCURRENCY=N, N at a time, the rest waiting as
 * bytes in arrival order) was the default for a while, against event-loop stalls seen on a heavily
 * shared machine; measured on an idle 2-core machine with the baseline bundle and 64 clients it cost
 * throughput and gained no tail latency: 384-417 images/s queued 4 at a time against 444-497
 * unbounded, p99/p50 1.48-1.59 against 1.48-1.79 (README, "Benchmark"). Setting N still bounds the
 * memory and threads that decodes take when images arrive faster than the cores decode them.
 */
import fp from 'fastify-plugin';
import fastq, { type queueAsPromised } from 'fastq';
import type { FastifyInstance } from 'fastify';
import { prepareImage, type PreparedImage } from '../../image/index.js';
import { allInOrder, toPrediction, type BatchQueue } from '../../inference/index.js';
import type { ModelCard, PredictResponse } from '../../schemas/index.js';
import type { ModelRegistry } from './model-registry.js';

export interface NamedImage {
  readonly name: string;
  readonly bytes: Uint8Array;
}

interface DecodeTask {
  readonly image: NamedImage;
  readonly card: ModelCard;
}

/** What the predictor works with: the served model's card, the batcher, and two settings. */
export interface PredictorDeps {
  readonly model: Pick<ModelRegistry, 'require'>;
  readonly batcher: Pick<BatchQueue<Uint8Array, Float32Array>, 'submit'>;
  readonly maxImagePixels: number;
  readonly decodeConcurrency: number;
}

export class Predictor {
  private readonly decodes: queueAsPromised<DecodeTask, PreparedImage>;

  constructor(private readonly deps: PredictorDeps) {
    const limits = { maxPixels: deps.maxImagePixels };
    const concurrency = deps.decodeConcurrency > 0 ? deps.decodeConcurrency : Infinity;
    this.decodes = fastq.promise(({ image, card }: DecodeTask) => prepareImage(image.bytes, image.name, card, limits), concurrency);
  }

  /** Images queued for decoding, not yet started. */
  get decodeBacklog(): number {
    return this.decodes.length();
  }

  /** Starts or queues one image's decoding (in arrival order); the promise rejects with a 4xx RequestError naming the file. */
  prepare(image: NamedImage): Promise<PreparedImage> {
    // The card now, not when its turn comes: the image is decoded for the model it was sent to.
    const card = this.deps.model.require().card;
    const prepared = this.decodes.push({ image, card });
    // Marked handled at once: a later file may fail before this one is awaited.
    prepared.catch(() => undefined);
    return prepared;
  }

  /** Batched inference of ready model inputs (S*S*3 bytes each). */
  infer(pixels: readonly Uint8Array[]): Promise<Float32Array[]> {
    return this.deps.batcher.submit(pixels);
  }

  /** Tags for images being prepared (promises from `prepare`, in request order). */
  async predict(prepared: readonly Promise<PreparedImage>[], threshold?: number): Promise<PredictResponse> {
    const inputs = await allInOrder(prepared);
    const probabilities = await this.infer(inputs.map((img) => img.input));
    const card = this.deps.model.require().card;
    return {
      model: { name: card.name, version: card.version },
      predictions: probabilities.map((p, i) => toPrediction(inputs[i]?.name ?? `image ${i}`, p, card.labels, card.thresholds, threshold)),
    };
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    predictor: Predictor;
  }
}

export default fp(async (fastify: FastifyInstance) => {
  const { maxImagePixels, decodeConcurrency } = fastify.config;
  fastify.decorate('predictor', new Predictor({ model: fastify.model, batcher: fastify.batcher, maxImagePixels, decodeConcurrency }));
}, { name: 'predictor', dependencies: ['model-registry', 'batcher'], decorators: { fastify: ['config'] } });
