/**
 * Open Inference Protocol (KServe V2) request checks for the one model input: `image`, UINT8,
 * shape [N, S, S, 3], as JSON `data` row-major (flat or nested) or as binary tensor data (the
 * bytes after the JSON header, see binary-tensor.ts). Each problem is a 400 whose message names the
 * field, as the protocol's `{"error": "..."}` answer.
 */
import { RGB_CHANNELS } from '../contract/index.js';
import { HTTP, RequestError } from '../errors/index.js';
import type { InferRequest } from '../schemas/index.js';
import { BinarySection } from './binary-tensor.js';

const MAX_BYTE = 255;
const RANK = 4;
/** Nesting deeper than the tensor's rank cannot be a valid [N,S,S,3] tensor. */
const MAX_NESTING = RANK;

export interface ImageTensorSpec {
  readonly inputName: string;
  readonly outputName: string;
  readonly size: number;
  readonly maxBatch: number;
}

function bad(message: string): RequestError {
  return new RequestError(HTTP.badRequest, 'BAD_TENSOR', message);
}

function checkShape(shape: readonly number[], spec: ImageTensorSpec): number {
  const { size, maxBatch } = spec;
  const want = `[N, ${size}, ${size}, ${RGB_CHANNELS}] with 1 <= N <= ${maxBatch}`;
  const [n = 0, h, w, c] = shape;
  if (shape.length !== RANK || h !== size || w !== size || c !== RGB_CHANNELS || n < 1 || n > maxBatch) {
    throw bad(`inputs[0].shape is [${shape.join(', ')}], expected ${want}`);
  }
  return n;
}

/** Flattens `data` into bytes, checking every element is an integer 0..255 and the count matches. */
function flattenBytes(data: readonly unknown[], count: number): Uint8Array {
  const out = new Uint8Array(count);
  let filled = 0;
  const stack: { items: readonly unknown[]; index: number }[] = [{ items: data, index: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top === undefined || top.index >= top.items.length) { stack.pop(); continue; }
    const value = top.items[top.index++];
    if (Array.isArray(value)) {
      if (stack.length >= MAX_NESTING) throw bad('inputs[0].data is nested deeper than the tensor shape');
      stack.push({ items: value as unknown[], index: 0 });
      continue;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_BYTE) {
      throw bad(`inputs[0].data[${filled}] is ${JSON.stringify(value)}, expected an integer 0..255 (UINT8)`);
    }
    if (filled >= count) throw bad(`inputs[0].data has more than the ${count} elements the shape gives`);
    out[filled++] = value;
  }
  if (filled !== count) throw bad(`inputs[0].data has ${filled} elements, the shape gives ${count}`);
  return out;
}

type InferInput = InferRequest['inputs'][number];

function checkOutputs(request: InferRequest, spec: ImageTensorSpec): void {
  for (const output of request.outputs ?? []) {
    if (output.name !== spec.outputName) throw bad(`unknown output '${output.name}': this model has one output '${spec.outputName}'`);
    if (output.parameters?.classification !== undefined) throw bad(`outputs '${output.name}': the classification extension is not supported; read the probabilities`);
  }
}

/** The tensor's bytes, from the binary section when it declares a size, else from JSON `data`. */
function tensorBytes(input: InferInput, count: number, binary: BinarySection): Uint8Array {
  const size = input.parameters?.binary_data_size;
  if (size === undefined) {
    if (input.data === undefined) throw bad('inputs[0] has neither data nor parameters.binary_data_size');
    return flattenBytes(input.data, count);
  }
  if (input.data !== undefined) throw bad('inputs[0] has both data and parameters.binary_data_size: send one');
  const bytes = binary.take(size, 'inputs[0]');
  if (bytes.length !== count) throw bad(`inputs[0].parameters.binary_data_size is ${bytes.length}, the shape gives ${count} UINT8 bytes`);
  return bytes;
}

/**
 * The request's images as N arrays of S*S*3 bytes. `binary` is the body after the JSON header
 * (undefined: the request had no Inference-Header-Content-Length, so it is all JSON).
 */
export function parseImageTensor(request: InferRequest, spec: ImageTensorSpec, binary?: Buffer): Uint8Array[] {
  if (request.inputs.length !== 1) throw bad(`expected exactly one input '${spec.inputName}', got ${request.inputs.length}`);
  const input = request.inputs[0];
  if (input?.name !== spec.inputName) throw bad(`unknown input '${input?.name ?? ''}': this model takes one input '${spec.inputName}'`);
  if (input.datatype !== 'UINT8') throw bad(`inputs[0].datatype is ${input.datatype}, expected UINT8`);
  checkOutputs(request, spec);
  const n = checkShape(input.shape, spec);
  const per = spec.size * spec.size * RGB_CHANNELS;
  const section = new BinarySection(binary ?? Buffer.alloc(0), binary !== undefined);
  const bytes = tensorBytes(input, n * per, section);
  section.finish();
  return Array.from({ length: n }, (_, i) => bytes.subarray(i * per, (i + 1) * per));
}
