/** ONNX import and export of the graph IR. */
export { toOnnxBytes, DEFAULT_OPSET, IR_VERSION } from './serialize.js';
export type { SerializeOptions } from './serialize.js';
export { toScanOnnxBytes } from './scan.js';
export type { ScanBinding, ScanSpec } from './scan.js';
export { fromOnnxBytes, readOnnxModel } from './parse.js';
export type { OnnxModel } from './parse.js';
