/**
 * CORS, off unless CORS_ORIGINS lists origins ('*' for any).
 * @see https://github.com/fastify/fastify-cors
 */
import cors from '@fastify/cors';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

export default fp(async (fastify: FastifyInstance) => {
  const origins = fastify.config.corsOrigins;
  if (origins.length === 0) return;
  await fastify.register(cors, {
    origin: origins.includes('*') ? '*' : [...origins],
    methods: ['GET', 'POST'],
    allowedHeaders: ['content-type', 'authorization', 'x-api-key', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after'],
  });
}, { name: 'cors', decorators: { fastify: ['config'] } });
