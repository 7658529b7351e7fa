/**
 * Open Inference Protocol V2 model endpoints for the one served model, `planet`: metadata, ready
 * and infer, each also under `/versions/{version}` (the served version is the model card's).
 * Infer takes and gives tensors as JSON or as binary tensor data (src/protocol/binary-tensor.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { OIP_MODEL_NAME } from '../../../config/index.js';
import { LABEL_COUNT, RGB_CHANNELS } from '../../../contract/index.js';
import { HTTP, RequestError } from '../../../errors/index.js';
import { binaryResponse, float32Bytes, HEADER_LENGTH_HEADER, parseImageTensor } from '../../../protocol/index.js';
import {
  commonErrors, ErrorSchema, InferRequestSchema, InferResponseSchema, ModelMetadataSchema, ModelParamsSchema, ReadyFlagSchema,
  VersionedModelParamsSchema, type InferRequest, type InferResponse, type ModelCard,
} from '../../../schemas/index.js';
import { binaryPart, useInferBodyParser } from './infer-body.js';

const security = [{ apiKey: [] }];
const DYNAMIC = -1;
const FLOAT32_BYTES = 4;
const VERSIONED = '/:model/versions/:version';

interface ModelRef {
  readonly model: string;
  readonly version?: string;
}

function checkModelName(name: string): void {
  if (name !== OIP_MODEL_NAME) {
    throw new RequestError(HTTP.notFound, 'MODEL_NOT_FOUND', `model '${name}' is not served here (this server serves '${OIP_MODEL_NAME}')`);
  }
}

function checkVersion(ref: ModelRef, card: ModelCard): void {
  if (ref.version !== undefined && ref.version !== card.version) {
    throw new RequestError(HTTP.notFound, 'MODEL_NOT_FOUND', `model '${OIP_MODEL_NAME}' has no version '${ref.version}' here (this server serves version '${card.version}')`);
  }
}

function metadata(card: ModelCard): Static<typeof ModelMetadataSchema> {
  const s = card.input.size;
  return {
    name: OIP_MODEL_NAME,
    versions: [card.version],
    platform: 'onnxruntime_onnx',
    inputs: [{ name: card.input.name, datatype: 'UINT8', shape: [DYNAMIC, s, s, RGB_CHANNELS] }],
    outputs: [{ name: card.output.name, datatype: 'FP32', shape: [DYNAMIC, LABEL_COUNT] }],
  };
}

/** Binary when the output asks (`binary_data`), else as the request asks for all (`binary_data_output`). */
function wantsBinaryOutput(body: InferRequest): boolean {
  const own = body.outputs?.[0]?.parameters?.binary_data;
  if (typeof own === 'boolean') return own;
  return body.parameters?.binary_data_output === true;
}

type InferAnswer = { readonly json: InferResponse } | { readonly binary: Buffer; readonly headerLength: number };

const schemas = {
  metadata: { tags: ['oip'], summary: 'Model metadata', security, response: { 200: ModelMetadataSchema, 404: ErrorSchema, ...commonErrors } },
  ready: { tags: ['oip'], summary: 'Model ready', security, response: { 200: ReadyFlagSchema, 400: ReadyFlagSchema, 404: ErrorSchema, ...commonErrors } },
  infer: {
    tags: ['oip'],
    summary: 'Inference: input `image` UINT8 [N,S,S,3] -> output `probabilities` FP32 [N,17]',
    description: 'JSON tensors, or the binary tensor data extension: the JSON header is the first `Inference-Header-Content-Length` bytes of the body, '
      + 'input bytes follow it (`parameters.binary_data_size`). Outputs are binary when asked (`parameters.binary_data_output` or the output\'s `binary_data`); '
      + 'the answer then carries `Inference-Header-Content-Length` and the FP32 little-endian bytes after its JSON header.',
    security,
    body: InferRequestSchema,
    response: { 200: InferResponseSchema, 400: ErrorSchema, 404: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, ...commonErrors },
  },
} as const;

const routes: FastifyPluginAsyncTypebox = async (fastify) => {
  useInferBodyParser(fastify);

  const getMetadata = (ref: ModelRef): Static<typeof ModelMetadataSchema> => {
    checkModelName(ref.model);
    const { card } = fastify.model.require();
    checkVersion(ref, card);
    return metadata(card);
  };

  const readiness = (ref: ModelRef): { ready: boolean; status: typeof HTTP.ok | typeof HTTP.badRequest } => {
    checkModelName(ref.model);
    const loaded = fastify.model.ready ? fastify.model.require().card : undefined;
    if (loaded !== undefined) checkVersion(ref, loaded);
    return { ready: loaded !== undefined, status: loaded === undefined ? HTTP.badRequest : HTTP.ok };
  };

  const infer = async (ref: ModelRef, request: FastifyRequest, body: InferRequest): Promise<InferAnswer> => {
    checkModelName(ref.model);
    const { card } = fastify.model.require();
    checkVersion(ref, card);
    const images = parseImageTensor(body, {
      inputName: card.input.name, outputName: card.output.name, size: card.input.size, maxBatch: fastify.config.maxFiles,
    }, binaryPart(request));
    const probabilities = await fastify.predictor.infer(images);
    const head = { model_name: OIP_MODEL_NAME, model_version: card.version, ...(body.id === undefined ? {} : { id: body.id }) };
    const tensor = { name: card.output.name, datatype: 'FP32', shape: [images.length, LABEL_COUNT] };
    if (!wantsBinaryOutput(body)) return { json: { ...head, outputs: [{ ...tensor, data: probabilities.flatMap((p) => Array.from(p)) }] } };
    const answer = binaryResponse({ ...head, outputs: [{ ...tensor, parameters: { binary_data_size: images.length * LABEL_COUNT * FLOAT32_BYTES } }] }, [float32Bytes(probabilities)]);
    return { binary: answer.body, headerLength: answer.headerLength };
  };

  for (const [path, params] of [['/:model', ModelParamsSchema], [VERSIONED, VersionedModelParamsSchema]] as const) {
    fastify.get(path, { schema: { ...schemas.metadata, params } }, (request) => getMetadata(request.params));
    fastify.get(`${path}/ready`, { schema: { ...schemas.ready, params } }, async (request, reply) => {
      const { ready, status } = readiness(request.params);
      return reply.code(status).send({ name: OIP_MODEL_NAME, ready });
    });
    fastify.post(`${path}/infer`, { schema: { ...schemas.infer, params } }, async (request, reply) => {
      const answer = await infer(request.params, request, request.body);
      if ('json' in answer) return answer.json;
      // A Buffer is sent as it is (no serializer); the typed reply only knows the JSON answer's shape.
      const bytes = answer.binary as unknown as InferResponse;
      return reply.header(HEADER_LENGTH_HEADER, String(answer.headerLength)).type('application/octet-stream').send(bytes);
    });
  }
};

export default routes;
