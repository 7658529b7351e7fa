/** The optional API key (API_KEY) for every /v1 route. */
import type { FastifyInstance } from 'fastify';
import { checkApiKey } from '../../http/index.js';

export default async function v1Hooks(fastify: FastifyInstance): Promise<void> {
  fastify.addHook('onRequest', async (request) => { checkApiKey(request.headers, fastify.config.apiKey); });
}
