/** The served model: labels with thresholds, the model card, and the ONNX file (for the browser page). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { commonErrors } from '../../schemas/common.js';
import { ModelCardSchema } from '../../schemas/model-card.js';
import { LabelsResponseSchema } from '../../schemas/predict.js';

const security = [{ apiKey: [] }];

const routes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/labels', {
    schema: { tags: ['model'], summary: 'Labels in model order, with their per-class thresholds', security, response: { 200: LabelsResponseSchema, ...commonErrors } },
  }, () => {
    const { card } = fastify.model.require();
    return { model: { name: card.name, version: card.version }, labels: card.labels, thresholds: card.thresholds };
  });

  fastify.get('/model', {
    schema: { tags: ['model'], summary: 'The model card (model.json) of the served bundle', security, response: { 200: ModelCardSchema, ...commonErrors } },
  }, () => fastify.model.require().card);

  fastify.get('/model.onnx', {
    schema: {
      tags: ['model'],
      summary: 'The served ONNX graph, for running the same model in the browser (onnxruntime-web)',
      security,
      produces: ['application/octet-stream'],
      response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), ...commonErrors },
    },
  }, async (_request, reply) => {
    const model = fastify.model.require();
    return reply.type('application/octet-stream')
      .header('etag', `"${model.card.onnx.sha256}"`)
      .send(Buffer.from(model.bundle.onnx));
  });
};

export default routes;
