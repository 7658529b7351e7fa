/**
 * The Open Inference Protocol's binary tensor data extension (Triton's `binary_tensor_data`):
 * a request or response body is a JSON header of `Inference-Header-Content-Length` bytes followed
 * by the raw bytes of the tensors whose `parameters.binary_data_size` is set, in tensor order.
 * Without that header the whole body is JSON. Tensor bytes are little-endian, row-major.
 * @see https://github.com/triton-inference-server/server/blob/main/docs/protocol/extension_binary_data.md
 */
import { HTTP, RequestError } from '../errors/index.js';

/** The extension's name, as listed by GET /v2. */
export const BINARY_EXTENSION = 'binary_tensor_data';
export const HEADER_LENGTH_HEADER = 'inference-header-content-length';
const FLOAT32_BYTES = 4;

export interface SplitBody {
  /** The JSON header, as text. */
  readonly json: string;
  /** The bytes after the JSON header (empty when the body is JSON only). */
  readonly binary: Buffer;
}

function bad(message: string): RequestError {
  return new RequestError(HTTP.badRequest, 'BAD_TENSOR', message);
}

/** Splits a body at `Inference-Header-Content-Length` (absent: all JSON). */
export function splitBody(body: Buffer, headerLength: string | string[] | undefined): SplitBody {
  if (headerLength === undefined) return { json: body.toString('utf8'), binary: Buffer.alloc(0) };
  const text = Array.isArray(headerLength) ? headerLength.join(',') : headerLength;
  if (!/^\d+$/.test(text.trim())) throw bad(`Inference-Header-Content-Length is '${text}', expected a byte count`);
  const length = Number(text.trim());
  if (length > body.length) throw bad(`Inference-Header-Content-Length is ${length} but the body has only ${body.length} bytes`);
  return { json: body.subarray(0, length).toString('utf8'), binary: body.subarray(length) };
}

/** Hands out consecutive slices of the binary section, one per tensor that declares a size. */
export class BinarySection {
  private offset = 0;

  constructor(private readonly bytes: Buffer, private readonly hasHeader: boolean) {}

  take(size: unknown, what: string): Buffer {
    if (!this.hasHeader) throw bad(`${what}.parameters.binary_data_size is set but the request has no Inference-Header-Content-Length header`);
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw bad(`${what}.parameters.binary_data_size is ${JSON.stringify(size)}, expected a byte count`);
    if (this.offset + size > this.bytes.length) throw bad(`${what}.parameters.binary_data_size is ${size} but only ${this.bytes.length - this.offset} binary bytes follow the JSON header`);
    const slice = this.bytes.subarray(this.offset, this.offset + size);
    this.offset += size;
    return slice;
  }

  /** Every byte must belong to a tensor: leftovers mean the sizes and the body disagree. */
  finish(): void {
    const left = this.bytes.length - this.offset;
    if (left > 0) throw bad(`${left} binary bytes after the JSON header belong to no tensor (check binary_data_size)`);
  }
}

/** FP32 values as little-endian bytes, whatever the machine's byte order. */
export function float32Bytes(values: readonly Float32Array[]): Buffer {
  const count = values.reduce((n, v) => n + v.length, 0);
  const out = Buffer.alloc(count * FLOAT32_BYTES);
  let at = 0;
  for (const row of values) {
    for (const value of row) at = out.writeFloatLE(value, at);
  }
  return out;
}

/** A binary response: the JSON header, then the tensor bytes; the header length goes in the header. */
export function binaryResponse(header: object, tensors: readonly Buffer[]): { body: Buffer; headerLength: number } {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  return { body: Buffer.concat([json, ...tensors]), headerLength: json.length };
}
