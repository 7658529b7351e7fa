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
import { allInOrder, toPrediction } from '../../lib/labelling.js';
import { prepareImage, type PreparedImage } from '../../lib/preprocess.js';
import type { ModelCard } from '../../schemas/model-card.js';
import type { PredictResponse } from '../../schemas/predict.js';

export interface NamedImage {
  readonly name: string;
  readonly bytes: Uint8Array;
}

interface DecodeTask {
  readonly image: NamedImage;
  readonly card: ModelCard;
}

export class Predictor {
  private readonly decodes: queueAsPromised<DecodeTask, PreparedImage>;

  constructor(private readonly fastify: FastifyInstance) {
    const limits = { maxPixels: fastify.config.maxImagePixels };
    this.decodes = fastq.promise(({ image, card }: DecodeTask) => prepareImage(image.bytes, image.name, card, limits), fastify.config.decodeConcurrency);
  }

  /** Images queued for decoding, not yet started. */
  get decodeBacklog(): number {
    return this.decodes.length();
  }

  /** Queues one image for decoding (in arrival order); the promise rejects with a 4xx RequestError naming the file. */
  prepare(image: NamedImage): Promise<PreparedImage> {
    // The card now, not when its turn comes: the image is decoded for the model it was sent to.
    const card = this.fastify.model.require().card;
    const prepared = this.decodes.push({ image, card });
    // Marked handled at once: a later file may fail before this one is awaited.
    prepared.catch(() => undefined);
    return prepared;
  }

  /** Batched inference of ready model inputs (S*S*3 bytes each). */
  infer(pixels: readonly Uint8Array[]): Promise<Float32Array[]> {
    return this.fastify.batcher.submit(pixels);
  }

  /** Tags for images being prepared (promises from `prepare`, in request order). */
  async predict(prepared: readonly Promise<PreparedImage>[], threshold?: number): Promise<PredictResponse> {
    const inputs = await allInOrder(prepared);
    const probabilities = await this.infer(inputs.map((img) => img.input));
    const card = this.fastify.model.require().card;
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
  fastify.decorate('predictor', new Predictor(fastify));
}, { name: 'predictor', dependencies: ['model-registry', 'batcher'] });
