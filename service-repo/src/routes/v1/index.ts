/** The served model: labels with thresholds, the model card, and the ONNX file (for the browser page). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { commonErrors, LabelsResponseSchema, ModelCardSchema } from '../../schemas/index.js';

const security = [{ apiKey: [] }];
const NOT_MODIFIED = 304;

/** If-None-Match (RFC 9110 13.1.2): `*` or a list of tags, weak ones compared by their opaque part. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').map((tag) => tag.trim().replace(/^W\//, '')).includes(etag);
}

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
      response: {
        200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }),
        304: Type.Unsafe<''>({ description: 'Not modified: If-None-Match holds the ETag (the sha256) of the served graph' }),
        ...commonErrors,
      },
    },
  }, async (request, reply) => {
    const model = fastify.model.require();
    const etag = `"${model.card.onnx.sha256}"`;
    // no-cache: a browser may keep the graph but must ask (a 304 costs no bytes) in case the model changed.
    void reply.header('etag', etag).header('cache-control', 'no-cache');
    if (noneMatch(request.headers['if-none-match'], etag)) return reply.code(NOT_MODIFIED).send('');
    return reply.type('application/octet-stream').send(Buffer.from(model.bundle.onnx));
  });
};

export default routes;
