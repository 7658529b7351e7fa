/** Prometheus text exposition. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

const routes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('', {
    config: { pressureHandler: (): undefined => undefined },
    schema: {
      tags: ['metrics'],
      summary: 'Prometheus metrics (text format 0.0.4), labelled with the model name and version',
      produces: ['text/plain'],
      response: { 200: Type.String() },
    },
  }, async (_request, reply) => {
    const card = fastify.model.peek()?.card;
    const text = await fastify.metrics.render(card === undefined ? undefined : { name: card.name, version: card.version });
    return reply.type(fastify.metrics.registry.contentType).send(text);
  });
};

export default routes;
