/**
 * The body parser of the Open Inference Protocol infer routes. Real clients send the JSON header
 * with binary tensor bytes after it, and the Triton HTTP client sends no Content-Type at all, so
 * the infer routes read the body as bytes whatever it is called (absent, application/json or
 * application/octet-stream), split it at Inference-Header-Content-Length and parse the JSON part
 * with Fastify's own (prototype-poisoning-safe) JSON parser. The binary part waits for the handler.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HTTP, RequestError } from '../../../errors/index.js';
import { HEADER_LENGTH_HEADER, splitBody } from '../../../protocol/index.js';

const ACCEPTED = new Set(['application/json', 'application/octet-stream']);
const binaryParts = new WeakMap<FastifyRequest, Buffer>();

/** The bytes after the JSON header (undefined: the request had no Inference-Header-Content-Length). */
export function binaryPart(request: FastifyRequest): Buffer | undefined {
  return binaryParts.get(request);
}

function checkContentType(value: string | undefined): void {
  if (value === undefined) return;
  const mediaType = value.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!ACCEPTED.has(mediaType)) {
    throw new RequestError(HTTP.unsupportedMediaType, 'UNSUPPORTED_MEDIA_TYPE', `content-type '${value}' is not accepted here: send application/json, application/octet-stream or none (binary tensor data)`);
  }
}

/** Registers the parser in the calling plugin's scope (the infer routes), for every content type. */
export function useInferBodyParser(fastify: FastifyInstance): void {
  const json = fastify.getDefaultJsonParser('error', 'error');
  const parse = (request: FastifyRequest, body: Buffer, done: (error: Error | null, parsed?: unknown) => void): void => {
    try {
      checkContentType(request.headers['content-type']);
      const headerLength = request.headers[HEADER_LENGTH_HEADER];
      const split = splitBody(body, headerLength);
      if (headerLength !== undefined) binaryParts.set(request, split.binary);
      void json(request, split.json, done);
    } catch (error) {
      done(error as Error);
    }
  };
  fastify.removeContentTypeParser(['application/json']);
  fastify.addContentTypeParser(['application/json', 'application/octet-stream', '*'], { parseAs: 'buffer' }, parse);
}
