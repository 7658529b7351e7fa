/** TypeBox schemas of the HTTP API and of the bundle's JSON files: data only, shared by routes and checks. */
export { commonErrors, ErrorSchema, uploadErrors, type ErrorBody } from './common.js';
export { LiveSchema, ReadySchema } from './health.js';
export { GoldenSchema, ModelCardSchema, type GoldenSample, type ModelCard } from './model-card.js';
export {
  InferRequestSchema, InferResponseSchema, LiveFlagSchema, ModelMetadataSchema, ModelParamsSchema, ReadyFlagSchema,
  ServerMetadataSchema, VersionedModelParamsSchema, type InferRequest, type InferResponse,
} from './oip.js';
export {
  jsonImagesBody, LabelsResponseSchema, multipartImagesBody, PredictResponseSchema, PreprocessResponseSchema,
  ThresholdQuerySchema, type JsonImagesBody, type Prediction, type PredictResponse,
} from './predict.js';
