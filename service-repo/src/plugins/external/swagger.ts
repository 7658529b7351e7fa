/**
 * OpenAPI 3 document generated from the route schemas (served at /openapi.json, committed as
 * openapi.yaml) and Swagger UI at /docs.
 * @see https://github.com/fastify/fastify-swagger
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { SERVICE_NAME, SERVICE_VERSION } from '../../config/index.js';

const DESCRIPTION = [
  'Tags Planet satellite chips (17 labels, multi-label) with the served ONNX model.',
  'Batch predict (`/v1`), the Open Inference Protocol V2 (`/v2`), health, Prometheus metrics.',
  'Error policy: a request with one bad image is refused as a whole (4xx) and the error names the file.',
].join(' ');

export default fp(async (fastify: FastifyInstance) => {
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: SERVICE_NAME, version: SERVICE_VERSION, description: DESCRIPTION },
      tags: [
        { name: 'predict', description: 'Tags for images' },
        { name: 'model', description: 'The served model' },
        { name: 'oip', description: 'Open Inference Protocol V2 (KServe V2, Triton)' },
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'metrics', description: 'Prometheus' },
      ],
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'Only when the service runs with API_KEY; Authorization: Bearer <key> works too' },
        },
      },
    },
  });
  await fastify.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
}, { name: 'swagger' });
