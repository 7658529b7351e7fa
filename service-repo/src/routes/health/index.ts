/**
 * Kubernetes-style probes. live: the process answers. ready: the model is loaded, warmed up and
 * passed its golden check. Both bypass the overload guard, so a busy service still reports itself.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HTTP } from '../../errors/index.js';
import { LiveSchema, ReadySchema } from '../../schemas/index.js';

const bypassPressure = { pressureHandler: (): undefined => undefined };

const routes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/live', {
    config: bypassPressure,
    schema: { tags: ['health'], summary: 'Liveness: the process answers', response: { 200: LiveSchema } },
  }, () => ({ status: 'ok' as const }));

  fastify.get('/ready', {
    config: bypassPressure,
    schema: {
      tags: ['health'],
      summary: 'Readiness: the model is loaded, warmed up and reproduces its golden samples',
      response: { 200: ReadySchema, 503: ReadySchema },
    },
  }, async (_request, reply) => {
    const registry = fastify.model;
    const card = registry.peek()?.card;
    const model = card === undefined ? {} : { model: { name: card.name, version: card.version } };
    if (registry.ready) return { status: 'ready' as const, ...model };
    const error = registry.error === undefined ? {} : { error: registry.error.message };
    return reply.code(HTTP.serviceUnavailable).header('retry-after', '1').send({ status: registry.state, ...model, ...error });
  });
};

export default routes;
