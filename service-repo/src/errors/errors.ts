/**
 * Errors that carry an HTTP status. The error handler sends `message` to the client for any status
 * below 500, so messages name the file or field and the problem, and never contain internals.
 */
export type ErrorCode =
  | 'BAD_IMAGE'
  | 'UNSUPPORTED_IMAGE'
  | 'IMAGE_TOO_LARGE'
  | 'TOO_MANY_FILES'
  | 'NO_FILES'
  | 'BAD_BASE64'
  | 'MALFORMED_MULTIPART'
  | 'BAD_TENSOR'
  | 'MODEL_NOT_READY'
  | 'MODEL_NOT_FOUND'
  | 'QUEUE_FULL'
  | 'SHUTTING_DOWN'
  | 'UNAUTHORIZED'
  | 'METHOD_NOT_ALLOWED'
  | 'MISSING_HOST'
  | 'UNSUPPORTED_MEDIA_TYPE';

export class RequestError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    /** The file (upload name or JSON `name`) the problem is about, when there is one. */
    readonly file?: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

export const HTTP = {
  ok: 200,
  badRequest: 400,
  unauthorized: 401,
  notFound: 404,
  methodNotAllowed: 405,
  requestTimeout: 408,
  payloadTooLarge: 413,
  uriTooLong: 414,
  unsupportedMediaType: 415,
  expectationFailed: 417,
  unprocessable: 422,
  headersTooLarge: 431,
  serviceUnavailable: 503,
} as const;

/** An image that cannot be decoded: truncated, corrupt, not an image at all. */
export function badImage(file: string, problem: string): RequestError {
  return new RequestError(HTTP.badRequest, 'BAD_IMAGE', `${file}: ${problem}`, file);
}
