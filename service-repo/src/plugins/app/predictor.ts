/**
 * The use cases behind the routes: images -> decoded model inputs -> the batcher -> tags. A request
 * with one bad image is refused as a whole, naming the first bad file in request order, so no image's
 * result is lost or returned silently incomplete.
 *
 * Decoding goes through one FIFO queue with DECODE_CONCURRENCY images at a time (default the libuv
 * threadpool size, 4, which is what runs sharp's decodes). Started all at once, under load every waiting image's decode (sharp's threads, libvips'
 * threads) competes for the cores with the event loop and the inference thread: the event loop then
 * stalls for hundreds of milliseconds, requests are read late and out of turn, and some wait several
 * batches (64 clients on 2 cores: p99 3-4x p50, a few requests several seconds). Queued, images
 * decode in arrival order, enter the batcher in arrival order, and the cores go to the work that
 * finishes requests; the waiting ones cost only their bytes.
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
    this.decodes = fastq.promise(({ image, card }: DecodeTask) => prepareImage(image.bytes, image.name, card, limits), deps.decodeConcurrency);
  }

  /** Images queued for decoding, not yet started. */
  get decodeBacklog(): number {
    return this.decodes.length();
  }

  /** Queues one image for decoding (in arrival order); the promise rejects with a 4xx RequestError naming the file. */
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
