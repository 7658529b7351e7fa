/** The OpenAPI document as JSON (the same document is committed as openapi.yaml). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

const routes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/openapi.json', { schema: { hide: true } }, () => fastify.swagger());
};

export default routes;
