/** Image bytes -> model input: decoding (sharp) and the card's resize chain. No Fastify, no threads. */
export { prepareImage, type PreparedImage } from './preprocess.js';
export { isSupportedKernel, SUPPORTED_KERNELS } from './resize.js';
