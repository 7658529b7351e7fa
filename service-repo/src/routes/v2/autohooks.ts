/** The optional API key (API_KEY) for every /v2 route (Open Inference Protocol). */
import type { FastifyInstance } from 'fastify';
import { checkApiKey } from '../../http/index.js';

export default async function v2Hooks(fastify: FastifyInstance): Promise<void> {
  fastify.addHook('onRequest', async (request) => { checkApiKey(request.headers, fastify.config.apiKey); });
}
