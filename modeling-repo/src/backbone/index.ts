/** Public surface of backbone import: resolving files, TFLite/ONNX import, the classifier and the tiny CNN. */
export { resolveBackbone, sha256Hex, cachePath, BackboneChecksumError, BackboneUnavailableError } from './resolve.js';
export type { BackboneSource, ResolvedBackbone, ResolveOptions } from './resolve.js';
export { KNOWN_BACKBONES, MOBILENET_V2_QUANT_TFLITE, findKnown, type KnownBackbone } from './known.js';
export { importTflite, type TfliteImport } from './tflite.js';
export { buildClassifier, headInit, resizeScale } from './classifier.js';
export type { Classifier, ClassifierOptions } from './classifier.js';
export { assignBlocks, selectTrainable, type ParamInfo, type Trainable } from './blocks.js';
export { tinyCnnBackbone, tinyCnnClassifier, type TinyCnnOptions } from './tiny-cnn.js';
export { backboneGraph, loadModel } from './load.js';
export type { BackboneProvenance, BackboneSpec, LoadedModel, LoadModelOptions, ModelSpec } from './load.js';
