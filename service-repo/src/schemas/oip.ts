/**
 * Open Inference Protocol (KServe V2) REST schemas, after the protocol's published OpenAPI document
 * (kserve docs/predict-api/v2/rest_predict_v2.yaml): server and model metadata, inference request
 * and response, error `{"error": "..."}`.
 */
import { Type, type Static } from '@sinclair/typebox';

const ParametersSchema = Type.Record(Type.String(), Type.Unknown(), { description: 'Free-form parameters' });

/** Tensor data: a flat (row-major) or nested array; checked in code, not here, for speed. */
const TensorDataSchema = Type.Array(Type.Unknown(), { description: 'Tensor contents, row-major, flat or nested' });

export const ServerMetadataSchema = Type.Object({
  name: Type.String(),
  version: Type.String(),
  extensions: Type.Array(Type.String()),
});

const TensorMetadataSchema = Type.Object({
  name: Type.String(),
  datatype: Type.String(),
  shape: Type.Array(Type.Integer(), { description: '-1 for a dynamic dimension' }),
});

export const ModelMetadataSchema = Type.Object({
  name: Type.String(),
  versions: Type.Array(Type.String()),
  platform: Type.String(),
  inputs: Type.Array(TensorMetadataSchema),
  outputs: Type.Array(TensorMetadataSchema),
});

export const InferRequestSchema = Type.Object({
  id: Type.Optional(Type.String()),
  parameters: Type.Optional(ParametersSchema),
  inputs: Type.Array(Type.Object({
    name: Type.String(),
    shape: Type.Array(Type.Integer()),
    datatype: Type.String(),
    parameters: Type.Optional(ParametersSchema),
    data: Type.Optional(TensorDataSchema),
  }), { minItems: 1 }),
  outputs: Type.Optional(Type.Array(Type.Object({
    name: Type.String(),
    parameters: Type.Optional(ParametersSchema),
  }))),
});

export type InferRequest = Static<typeof InferRequestSchema>;

export const InferResponseSchema = Type.Object({
  model_name: Type.String(),
  model_version: Type.Optional(Type.String()),
  id: Type.Optional(Type.String()),
  parameters: Type.Optional(ParametersSchema),
  outputs: Type.Array(Type.Object({
    name: Type.String(),
    shape: Type.Array(Type.Integer()),
    datatype: Type.String(),
    parameters: Type.Optional(ParametersSchema),
    data: Type.Optional(Type.Array(Type.Number(), { description: 'Absent when the output is binary (parameters.binary_data_size)' })),
  })),
});

export type InferResponse = Static<typeof InferResponseSchema>;

const ModelName = Type.String({ description: 'Model name (this server serves one: planet)' });
export const ModelParamsSchema = Type.Object({ model: ModelName });
export const VersionedModelParamsSchema = Type.Object({
  model: ModelName,
  version: Type.String({ description: "Model version (the one served: the model card's version, as listed by GET /v2/models/planet)" }),
});

export const ReadyFlagSchema = Type.Object({ name: Type.Optional(Type.String()), ready: Type.Boolean() });
export const LiveFlagSchema = Type.Object({ live: Type.Boolean() });
