/** Request and response schemas of /v1/predict and /v1/preprocess. */
import { Type, type Static, type TArray, type TObject, type TOptional, type TString } from '@sinclair/typebox';
import { ModelRefSchema } from './common.js';

const MAX_NAME_LENGTH = 256;

export const ThresholdQuerySchema = Type.Object({
  threshold: Type.Optional(Type.Number({
    minimum: 0, maximum: 1,
    description: 'One threshold for every tag, instead of the per-class thresholds of the model card',
  })),
});

const JsonImageSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH, description: 'File name, echoed in the answer' }),
  data: Type.String({ description: 'The JPEG or PNG file, base64 (standard alphabet, padded)' }),
}, { additionalProperties: false });

type JsonImagesBodySchema = TObject<{ images: TArray<typeof JsonImageSchema> }>;

/** `application/json` body: images as base64. `maxItems` is the configured MAX_FILES. */
export function jsonImagesBody(maxFiles: number): JsonImagesBodySchema {
  return Type.Object({
    images: Type.Array(JsonImageSchema, { minItems: 1, maxItems: maxFiles }),
  }, { additionalProperties: false });
}

export type JsonImagesBody = Static<JsonImagesBodySchema>;

/**
 * `multipart/form-data` body, for the OpenAPI document: any field name, one or more files. The files
 * are streamed (see requireUploadBody), so nothing here is required.
 */
export function multipartImagesBody(maxFiles: number): TObject<{ images: TOptional<TArray<TString>> }> {
  return Type.Object({
    images: Type.Optional(Type.Array(Type.String({ format: 'binary' }), {
      maxItems: maxFiles,
      description: 'JPEG or PNG files; any field name is accepted, the file name is echoed in the answer',
    })),
  });
}

const PredictionSchema = Type.Object({
  name: Type.String(),
  labels: Type.Array(Type.String(), { description: 'Tags whose probability is at least their threshold' }),
  probabilities: Type.Record(Type.String(), Type.Number(), { description: 'Every tag with its probability' }),
});

export const PredictResponseSchema = Type.Object({
  model: ModelRefSchema,
  predictions: Type.Array(PredictionSchema, { description: 'One per image, in request order' }),
});

export type PredictResponse = Static<typeof PredictResponseSchema>;
export type Prediction = Static<typeof PredictionSchema>;

export const PreprocessResponseSchema = Type.Object({
  model: ModelRefSchema,
  size: Type.Integer({ description: 'S: images are S x S x 3' }),
  images: Type.Array(Type.Object({
    name: Type.String(),
    width: Type.Integer({ description: 'Width of the decoded upload' }),
    height: Type.Integer({ description: 'Height of the decoded upload' }),
    data: Type.String({ description: 'The model input: S*S*3 RGB bytes (row-major, HWC), base64' }),
  })),
});

export const LabelsResponseSchema = Type.Object({
  model: ModelRefSchema,
  labels: Type.Array(Type.String()),
  thresholds: Type.Record(Type.String(), Type.Number()),
});
