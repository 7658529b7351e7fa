/**
 * Maps any error to the status, stable code and message the client sees. Fastify's, Node's and the
 * plugins' own errors get messages that name the limit (and the variable that sets it); 5xx messages
 * never leak internals. Every answer gets a `code`: clients branch on it, not on the message.
 */
import { STATUS_CODES } from 'node:http';
import type { Config } from '../config/index.js';
import { HTTP, RequestError } from '../errors/index.js';
import { QueueClosedError, QueueFullError } from '../inference/index.js';
import type { ErrorBody } from '../schemas/index.js';

const INTERNAL = 500;

export interface ErrorReply {
  readonly statusCode: number;
  readonly message: string;
  readonly code: string;
  readonly file?: string;
  /** Seconds, for 503 answers the client may retry. */
  readonly retryAfter?: number;
}

interface FastifyLikeError {
  readonly code?: string;
  readonly statusCode?: number;
  readonly message: string;
  readonly validation?: unknown;
}

type Describe = (error: FastifyLikeError, config: Config, contentType?: string) => ErrorReply;

const CODE_MESSAGES: Readonly<Record<string, Describe>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: (_, c) => ({ statusCode: HTTP.payloadTooLarge, code: 'BODY_TOO_LARGE', message: `request body is larger than ${c.maxBodyBytes} bytes (MAX_BODY_BYTES)` }),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (_, __, contentType) => ({ statusCode: HTTP.unsupportedMediaType, code: 'UNSUPPORTED_MEDIA_TYPE', message: `content-type '${contentType ?? ''}' is not accepted: send multipart/form-data or application/json` }),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => ({ statusCode: HTTP.badRequest, code: 'BAD_CONTENT_LENGTH', message: 'the body is not as long as its content-length header says' }),
  FST_ERR_CTP_INVALID_JSON_BODY: (e) => ({ statusCode: HTTP.badRequest, code: 'MALFORMED_JSON', message: `body is not valid JSON (${e.message})` }),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => ({ statusCode: HTTP.badRequest, code: 'MALFORMED_JSON', message: 'body is empty but content-type is application/json' }),
  FST_ERR_BAD_URL: () => ({ statusCode: HTTP.badRequest, code: 'BAD_URL', message: 'the URL path is not valid percent-encoding' }),
  FST_ERR_MAX_PARAM_LENGTH: () => ({ statusCode: HTTP.uriTooLong, code: 'URI_TOO_LONG', message: 'a path segment of the URL is too long' }),
  FST_REQ_FILE_TOO_LARGE: (_, c) => ({ statusCode: HTTP.payloadTooLarge, code: 'IMAGE_TOO_LARGE', message: `a file is larger than ${c.maxFileBytes} bytes (MAX_FILE_BYTES)` }),
  FST_FILES_LIMIT: (_, c) => ({ statusCode: HTTP.payloadTooLarge, code: 'TOO_MANY_FILES', message: `too many files: at most ${c.maxFiles} per request (MAX_FILES)` }),
  FST_PARTS_LIMIT: (_, c) => ({ statusCode: HTTP.payloadTooLarge, code: 'TOO_MANY_FILES', message: `too many parts: at most ${c.maxFiles} files per request (MAX_FILES)` }),
  FST_FIELDS_LIMIT: () => ({ statusCode: HTTP.payloadTooLarge, code: 'TOO_MANY_FIELDS', message: 'too many form fields besides the files' }),
  FST_INVALID_MULTIPART_CONTENT_TYPE: () => ({ statusCode: HTTP.unsupportedMediaType, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'expected multipart/form-data' }),
  FST_UNDER_PRESSURE: () => ({ statusCode: HTTP.serviceUnavailable, code: 'UNDER_PRESSURE', message: 'the service is overloaded; retry later', retryAfter: 1 }),
};

/**
 * Codes for errors that carry only a status (the static file server's refusals, a JSON body with a
 * forbidden `__proto__` key, plugins' http-errors). Any other 4xx is CLIENT_ERROR.
 */
const STATUS_FALLBACK: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  411: 'LENGTH_REQUIRED',
  412: 'PRECONDITION_FAILED',
  413: 'BODY_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  416: 'RANGE_NOT_SATISFIABLE',
  431: 'HEADERS_TOO_LARGE',
};

function codeForStatus(status: number): string {
  return STATUS_FALLBACK[status] ?? (status >= INTERNAL ? 'INTERNAL' : 'CLIENT_ERROR');
}

/** Malformed multipart bodies surface as busboy errors without a code. */
function isMultipartSyntaxError(error: FastifyLikeError): boolean {
  return /^(Malformed part header|Unexpected end of form|Multipart: Boundary not found)/i.test(error.message);
}

function describeRequestError(error: RequestError): ErrorReply {
  const retryAfter = error.statusCode === HTTP.serviceUnavailable ? { retryAfter: 1 } : {};
  return { statusCode: error.statusCode, code: error.code, message: error.message, ...(error.file === undefined ? {} : { file: error.file }), ...retryAfter };
}

/** The message of a 4xx without a known code: its own, or the status text when it has none. */
function clientMessage(error: FastifyLikeError, status: number): string {
  return error.message === '' ? (STATUS_CODES[status] ?? 'bad request') : error.message;
}

/** Errors without a known code: validation, malformed multipart, other 4xx, or an internal error. */
function describeOther(error: FastifyLikeError): ErrorReply {
  if (error.validation !== undefined) return { statusCode: HTTP.badRequest, code: 'VALIDATION', message: error.message };
  if (isMultipartSyntaxError(error)) return { statusCode: HTTP.badRequest, code: 'MALFORMED_MULTIPART', message: `malformed multipart body (${error.message})` };
  const status = error.statusCode ?? INTERNAL;
  if (status >= HTTP.badRequest && status < INTERNAL) return { statusCode: status, code: codeForStatus(status), message: clientMessage(error, status) };
  return { statusCode: status >= INTERNAL ? status : INTERNAL, code: 'INTERNAL', message: 'internal server error' };
}

export function describeError(error: FastifyLikeError, config: Config, contentType?: string): ErrorReply {
  if (error instanceof RequestError) return describeRequestError(error);
  if (error instanceof QueueFullError) return { statusCode: HTTP.serviceUnavailable, code: 'QUEUE_FULL', message: error.message, retryAfter: 1 };
  if (error instanceof QueueClosedError) return { statusCode: HTTP.serviceUnavailable, code: 'SHUTTING_DOWN', message: error.message, retryAfter: 1 };
  const known = error.code === undefined ? undefined : CODE_MESSAGES[error.code];
  return known === undefined ? describeOther(error) : known(error, config, contentType);
}

/** The one error shape every answer has (see ErrorSchema). */
export function errorBody(described: ErrorReply, requestId: string): ErrorBody {
  return {
    error: described.message,
    statusCode: described.statusCode,
    code: described.code,
    ...(described.file === undefined ? {} : { file: described.file }),
    requestId,
  };
}
