/** The dynamic batcher: one bounded queue in front of the model (see src/inference/batch-queue.ts). */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { BatchQueue } from '../../inference/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    batcher: BatchQueue<Uint8Array, Float32Array>;
  }
}

export default fp(async (fastify: FastifyInstance) => {
  const { maxBatch, maxQueueDelayUs, maxQueue } = fastify.config;
  const queue = new BatchQueue<Uint8Array, Float32Array>({
    maxBatch,
    maxDelayUs: maxQueueDelayUs,
    maxQueue,
    run: (items) => fastify.model.require().run(items),
    onBatch: (info) => { fastify.metrics.observeBatch(info); },
  });
  fastify.decorate('batcher', queue);
  fastify.metrics.trackQueueDepth(() => queue.depth);
  // onClose runs after the HTTP server has answered every request in flight (whose images may still
  // be decoding, so the queue must accept them until then), and before the model is released.
  fastify.addHook('onClose', async () => { await queue.close(); });
}, { name: 'batcher', dependencies: ['model-registry', 'metrics'], decorators: { fastify: ['config'] } });
