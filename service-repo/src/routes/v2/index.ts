/**
 * Open Inference Protocol V2 (KServe V2 / Triton) server endpoints: metadata and health.
 * Health answers 200 when true and 400 when false, as the protocol says (Triton does the same).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SERVICE_NAME, SERVICE_VERSION } from '../../config/index.js';
import { HTTP } from '../../errors/index.js';
import { BINARY_EXTENSION } from '../../protocol/index.js';
import { commonErrors, LiveFlagSchema, ReadyFlagSchema, ServerMetadataSchema } from '../../schemas/index.js';

const security = [{ apiKey: [] }];

const routes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('', {
    schema: { tags: ['oip'], summary: 'Server metadata', security, response: { 200: ServerMetadataSchema, ...commonErrors } },
  }, () => ({ name: SERVICE_NAME, version: SERVICE_VERSION, extensions: [BINARY_EXTENSION] }));

  fastify.get('/health/live', {
    config: { pressureHandler: (): undefined => undefined },
    schema: { tags: ['oip'], summary: 'Server live', security, response: { 200: LiveFlagSchema, ...commonErrors } },
  }, () => ({ live: true }));

  fastify.get('/health/ready', {
    config: { pressureHandler: (): undefined => undefined },
    schema: { tags: ['oip'], summary: 'Server ready: every model (the one) is ready', security, response: { 200: ReadyFlagSchema, 400: ReadyFlagSchema, ...commonErrors } },
  }, async (_request, reply) => {
    const ready = fastify.model.ready;
    return reply.code(ready ? HTTP.ok : HTTP.badRequest).send({ ready });
  });
};

export default routes;
