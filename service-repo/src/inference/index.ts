/**
 * The model at work: reading and checking a bundle, the ONNX Runtime session on its own worker
 * thread (inference-worker.ts, started by path), the dynamic batcher, the golden check and the
 * decision rule. No Fastify: the app plugins wire these into the service.
 */
export { BatchQueue, QueueClosedError, QueueFullError, type BatchInfo } from './batch-queue.js';
export { BundleError, readBundle, type Bundle } from './bundle.js';
export { compareGolden, type GoldenReport } from './golden.js';
export { allInOrder, toPrediction } from './labelling.js';
export { OnnxModel } from './onnx-model.js';
