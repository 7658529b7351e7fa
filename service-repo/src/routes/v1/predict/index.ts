/** POST /v1/predict: tags for one or more images (multipart files or JSON base64). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { jsonImagesBody, multipartImagesBody, PredictResponseSchema, ThresholdQuerySchema, uploadErrors } from '../../../schemas/index.js';
import { prepareUploads, requireUploadBody } from '../uploads.js';

const DESCRIPTION = [
  'Send `multipart/form-data` with one or more JPEG or PNG files (any field name), or `application/json`',
  '`{"images": [{"name": "...", "data": "<base64>"}]}`. Predictions come back in request order.',
  'A tag is predicted when its probability is at least its threshold (the card\'s per-class thresholds,',
  'or `threshold` for all). If any image is bad (not JPEG/PNG, truncated, too large, bad base64),',
  'the whole request is refused with a 4xx whose `error` and `file` name the first bad image.',
].join(' ');

const routes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { maxFiles } = fastify.config;
  fastify.post('', {
    preValidation: requireUploadBody,
    schema: {
      tags: ['predict'],
      summary: 'Tags and probabilities for one or more images',
      description: DESCRIPTION,
      security: [{ apiKey: [] }],
      querystring: ThresholdQuerySchema,
      body: {
        content: {
          'application/json': { schema: jsonImagesBody(maxFiles) },
          'multipart/form-data': { schema: multipartImagesBody(maxFiles) },
        },
      },
      response: { 200: PredictResponseSchema, ...uploadErrors },
    },
  }, async (request) => {
    const predictor = fastify.predictor;
    const prepared = await prepareUploads(request, fastify.config, (image) => predictor.prepare(image));
    return predictor.predict(prepared, request.query.threshold);
  });
};

export default routes;
