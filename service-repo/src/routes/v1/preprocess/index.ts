/**
 * POST /v1/preprocess: the model input the service makes of each image (decoded, resized S x S x 3),
 * so a client (the browser page) can run the same model on exactly the same bytes.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { allInOrder } from '../../../inference/index.js';
import { jsonImagesBody, multipartImagesBody, PreprocessResponseSchema, uploadErrors } from '../../../schemas/index.js';
import { prepareUploads, requireUploadBody } from '../uploads.js';

const routes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { maxFiles } = fastify.config;
  fastify.post('', {
    preValidation: requireUploadBody,
    schema: {
      tags: ['predict'],
      summary: 'The decoded and resized model input of each image (debugging, browser inference)',
      security: [{ apiKey: [] }],
      body: {
        content: {
          'application/json': { schema: jsonImagesBody(maxFiles) },
          'multipart/form-data': { schema: multipartImagesBody(maxFiles) },
        },
      },
      response: { 200: PreprocessResponseSchema, ...uploadErrors },
    },
  }, async (request) => {
    const predictor = fastify.predictor;
    const prepared = await allInOrder(await prepareUploads(request, fastify.config, (image) => predictor.prepare(image)));
    const { card } = fastify.model.require();
    return {
      model: { name: card.name, version: card.version },
      size: card.input.size,
      images: prepared.map((p) => ({ name: p.name, width: p.width, height: p.height, data: Buffer.from(p.input).toString('base64') })),
    };
  });
};

export default routes;
