/**
 * The use cases behind the routes: images -> decoded model inputs (in parallel; sharp decodes on its
 * own threads) -> the batcher -> tags. A request with one bad image is refused as a whole, naming the
 * first bad file in request order, so no image's result is lost or returned silently incomplete.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { allInOrder, toPrediction } from '../../lib/labelling.js';
import { prepareImage, type PreparedImage } from '../../lib/preprocess.js';
import type { PredictResponse } from '../../schemas/predict.js';

export interface NamedImage {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export class Predictor {
  constructor(private readonly fastify: FastifyInstance) {}

  /** Starts decoding one image now; the promise rejects with a 4xx RequestError naming the file. */
  prepare(image: NamedImage): Promise<PreparedImage> {
    const card = this.fastify.model.require().card;
    const prepared = prepareImage(image.bytes, image.name, card, { maxPixels: this.fastify.config.maxImagePixels });
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
