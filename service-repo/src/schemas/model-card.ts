/** The model card (`model.json`) of a bundle, per the model contract, schema `planet-model-card/1`. */
import { Type, type Static } from '@sinclair/typebox';
import { INPUT_NAME, OUTPUT_NAME } from '../contract/index.js';

const CARD_SCHEMA_ID = 'planet-model-card/1';
const MAX_INPUT_SIZE = 4096;

const ResizeStepSchema = Type.Object({
  to: Type.Integer({ minimum: 1, maximum: MAX_INPUT_SIZE }),
  kernel: Type.String({ minLength: 1 }),
}, { additionalProperties: true });

export const ModelCardSchema = Type.Object({
  schema: Type.Literal(CARD_SCHEMA_ID),
  name: Type.String({ minLength: 1 }),
  version: Type.String({ minLength: 1 }),
  createdAt: Type.Optional(Type.String()),
  labels: Type.Array(Type.String()),
  thresholds: Type.Record(Type.String(), Type.Number({ minimum: 0, maximum: 1 })),
  input: Type.Object({
    name: Type.Literal(INPUT_NAME),
    size: Type.Integer({ minimum: 1, maximum: MAX_INPUT_SIZE }),
    layout: Type.Literal('NHWC'),
    dtype: Type.Literal('uint8'),
    colour: Type.Literal('RGB'),
    decode: Type.Optional(Type.String()),
    resize: Type.Array(ResizeStepSchema, { minItems: 1 }),
  }, { additionalProperties: true }),
  output: Type.Object({
    name: Type.Literal(OUTPUT_NAME),
    activation: Type.Optional(Type.String()),
  }, { additionalProperties: true }),
  onnx: Type.Object({
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    opset: Type.Optional(Type.Integer()),
  }, { additionalProperties: true }),
}, { additionalProperties: true, description: 'The model card (model.json) of the served bundle' });

export type ModelCard = Static<typeof ModelCardSchema>;

const GoldenSampleSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  jpeg: Type.String({ minLength: 1 }),
  probabilities: Type.Array(Type.Number()),
});

export const GoldenSchema = Type.Array(GoldenSampleSchema, { minItems: 1 });
export type GoldenSample = Static<typeof GoldenSampleSchema>;
