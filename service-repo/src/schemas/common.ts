/** Schemas shared by several routes. */
import { Type, type Static } from '@sinclair/typebox';

/**
 * Every error answer. `error` is the message (the Open Inference Protocol's error object is
 * `{"error": "..."}`; the other fields are extra for its clients).
 */
export const ErrorSchema = Type.Object({
  error: Type.String({ description: 'What went wrong, naming the file or field' }),
  statusCode: Type.Integer(),
  code: Type.String({ description: 'Stable machine-readable error code, e.g. BAD_IMAGE, QUEUE_FULL (README: Limits and error codes)' }),
  file: Type.Optional(Type.String({ description: 'The image the error is about, when there is one' })),
  requestId: Type.String({ description: 'The x-request-id of the answer; the log lines of the request carry it' }),
}, { description: 'Error', additionalProperties: false });

export type ErrorBody = Static<typeof ErrorSchema>;

export const ModelRefSchema = Type.Object({
  name: Type.String(),
  version: Type.String(),
});

/** Response entries for the errors any /v1 or /v2 route can give. */
export const commonErrors = {
  401: ErrorSchema,
  503: ErrorSchema,
} as const;

/** Response entries of the routes that take image uploads. */
export const uploadErrors = {
  400: ErrorSchema,
  401: ErrorSchema,
  413: ErrorSchema,
  415: ErrorSchema,
  503: ErrorSchema,
} as const;
