/**
 * The Open Inference Protocol V2 (KServe V2 / Triton REST) on the wire: the image tensor of an infer
 * request, JSON or binary tensor data, and binary answers. Plain functions; the routes own Fastify.
 */
export { BINARY_EXTENSION, binaryResponse, float32Bytes, HEADER_LENGTH_HEADER, splitBody } from './binary-tensor.js';
export { parseImageTensor } from './oip.js';
