/**
 * Reading the images of a request: multipart files (any field name) or JSON `{"images": [{name, data}]}`
 * with base64 data. Each image starts decoding as soon as its bytes are in; limits are checked per
 * file with messages that name the file.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/index.js';
import { HTTP, RequestError } from '../../errors/index.js';
import type { PreparedImage } from '../../image/index.js';
import type { JsonImagesBody } from '../../schemas/index.js';

export type Prepare = (image: { name: string; bytes: Uint8Array }) => Promise<PreparedImage>;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64_QUANTUM = 4;

/** Strict base64 (standard alphabet, padded): Buffer.from would silently skip bad characters. */
export function decodeBase64(data: string, name: string, maxBytes: number): Buffer {
  if (data.length % BASE64_QUANTUM !== 0 || !BASE64.test(data)) {
    throw new RequestError(HTTP.badRequest, 'BAD_BASE64', `${name}: data is not valid base64 (standard alphabet with = padding)`, name);
  }
  // 3 bytes per 4 characters: refuse before allocating a buffer for an oversized file.
  const decodedLength = (data.length / BASE64_QUANTUM) * 3 - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
  if (decodedLength > maxBytes) throw tooLarge(name, maxBytes);
  return Buffer.from(data, 'base64');
}

function tooLarge(name: string, maxBytes: number): RequestError {
  return new RequestError(HTTP.payloadTooLarge, 'IMAGE_TOO_LARGE', `${name}: file is larger than ${maxBytes} bytes (MAX_FILE_BYTES)`, name);
}

function noFiles(): RequestError {
  return new RequestError(HTTP.badRequest, 'NO_FILES', 'no image in the request: send one or more JPEG or PNG files');
}

function prepareJson(body: JsonImagesBody, config: Config, prepare: Prepare): Promise<PreparedImage>[] {
  // Decode all base64 first, so a bad entry is refused before any image work starts.
  const images = body.images.map((image, i) => ({ name: image.name, bytes: decodeBase64(image.data, image.name || `images[${i}]`, config.maxFileBytes) }));
  if (images.length === 0) throw noFiles();
  return images.map(prepare);
}

function hasStatus(error: unknown): boolean {
  return typeof error === 'object' && error !== null && typeof (error as { statusCode?: unknown }).statusCode === 'number';
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

async function prepareMultipart(request: FastifyRequest, config: Config, prepare: Prepare): Promise<Promise<PreparedImage>[]> {
  const prepared: Promise<PreparedImage>[] = [];
  let current = '';
  try {
    for await (const part of request.parts()) {
      if (part.type !== 'file') continue;
      current = part.filename === '' ? `${part.fieldname}[${prepared.length}]` : part.filename;
      const bytes = await part.toBuffer();
      prepared.push(prepare({ name: current, bytes }));
    }
  } catch (error) {
    if (isCode(error, 'FST_REQ_FILE_TOO_LARGE')) throw tooLarge(current, config.maxFileBytes);
    if (hasStatus(error)) throw error;
    // The multipart parser's own errors (truncated body, bad part headers) carry no status: the body is at fault.
    const detail = error instanceof Error ? error.message : String(error);
    throw new RequestError(HTTP.badRequest, 'MALFORMED_MULTIPART', `malformed multipart body (${detail})`);
  }
  if (prepared.length === 0) throw noFiles();
  return prepared;
}

/** The images of a predict or preprocess request, each already being decoded. */
export async function prepareUploads(request: FastifyRequest, config: Config, prepare: Prepare): Promise<Promise<PreparedImage>[]> {
  if (request.isMultipart()) return prepareMultipart(request, config, prepare);
  return prepareJson(request.body as JsonImagesBody, config, prepare);
}

/**
 * preValidation hook of the upload routes. Their body schema is per content type, and Fastify only
 * validates a body whose content type has a schema: a request without any body (no content-type)
 * would reach the handler with `body` undefined. It is refused here as a client error. Multipart
 * files are streamed by the handler, not parsed into `body`, so an empty object stands in for the
 * body schema check (the schema documents the form).
 */
export function requireUploadBody(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  if (request.isMultipart()) request.body = {};
  else if (request.body === undefined) {
    done(new RequestError(HTTP.badRequest, 'NO_FILES', 'the request has no body: send multipart/form-data files or application/json {"images": [{"name", "data"}]}'));
    return;
  }
  done();
}
