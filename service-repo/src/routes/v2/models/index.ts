/** Open Inference Protocol V2 model endpoints for the one served model, `planet`. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { LABEL_COUNT } from '../../../lib/labels.js';
import { HTTP, RequestError } from '../../../lib/errors.js';
import { parseImageTensor } from '../../../lib/oip.js';
import { OIP_MODEL_NAME } from '../../../lib/service-info.js';
import { commonErrors, ErrorSchema } from '../../../schemas/common.js';
import { InferRequestSchema, InferResponseSchema, ModelMetadataSchema, ModelParamsSchema, ReadyFlagSchema } from '../../../schemas/oip.js';

const security = [{ apiKey: [] }];
const DYNAMIC = -1;
const RGB = 3;

function checkModelName(name: string): void {
  if (name !== OIP_MODEL_NAME) {
    throw new RequestError(HTTP.notFound, 'MODEL_NOT_FOUND', `model '${name}' is not served here (this server serves '${OIP_MODEL_NAME}')`);
  }
}

const routes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/:model', {
    schema: { tags: ['oip'], summary: 'Model metadata', security, params: ModelParamsSchema, response: { 200: ModelMetadataSchema, 404: ErrorSchema, ...commonErrors } },
  }, (request) => {
    checkModelName(request.params.model);
    const { card } = fastify.model.require();
    const s = card.input.size;
    return {
      name: OIP_MODEL_NAME,
      versions: [card.version],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: card.input.name, datatype: 'UINT8', shape: [DYNAMIC, s, s, RGB] }],
      outputs: [{ name: card.output.name, datatype: 'FP32', shape: [DYNAMIC, LABEL_COUNT] }],
    };
  });

  fastify.get('/:model/ready', {
    schema: { tags: ['oip'], summary: 'Model ready', security, params: ModelParamsSchema, response: { 200: ReadyFlagSchema, 400: ReadyFlagSchema, 404: ErrorSchema, ...commonErrors } },
  }, async (request, reply) => {
    checkModelName(request.params.model);
    const ready = fastify.model.ready;
    return reply.code(ready ? HTTP.ok : HTTP.badRequest).send({ name: OIP_MODEL_NAME, ready });
  });

  fastify.post('/:model/infer', {
    schema: {
      tags: ['oip'],
      summary: 'Inference: input `image` UINT8 [N,S,S,3] -> output `probabilities` FP32 [N,17]',
      security,
      params: ModelParamsSchema,
      body: InferRequestSchema,
      response: { 200: InferResponseSchema, 400: ErrorSchema, 404: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, ...commonErrors },
    },
  }, async (request) => {
    checkModelName(request.params.model);
    const { card } = fastify.model.require();
    const images = parseImageTensor(request.body, {
      inputName: card.input.name, outputName: card.output.name, size: card.input.size, maxBatch: fastify.config.maxFiles,
    });
    const probabilities = await fastify.predictor.infer(images);
    return {
      model_name: OIP_MODEL_NAME,
      model_version: card.version,
      ...(request.body.id === undefined ? {} : { id: request.body.id }),
      outputs: [{
        name: card.output.name,
        datatype: 'FP32',
        shape: [images.length, LABEL_COUNT],
        data: probabilities.flatMap((p) => Array.from(p)),
      }],
    };
  });
};

export default routes;
