/** Public surface of the graph core: IR types, builder, op registry, autodiff, reference evaluator. */
export type { Attr, Attrs, DType, Dim, Graph, Node, Tensor, TensorData, ValueInfo } from './ir.js';
export { ANNOTATION_PREFIX, attr, dtypeFromOnnx, numel, ONNX_DTYPE } from './ir.js';
export { GraphBuilder } from './builder.js';
export type { BuildOptions } from './builder.js';
export { differentiate } from './autodiff.js';
export { evaluateAll, evaluateGraph } from './evaluate.js';
export { getRule, hasRule, registry, RULES } from './registry.js';
export type { GradContext, GradFn, InferInput, Inferred, OpRule } from './ops/op-rule.js';
export { foldBatchNorm } from './fold-batchnorm.js';
export { makeTensor, toFloat64, toNumbers, isFloat } from './tensor.js';
export { toposort } from './toposort.js';
export { lowerToNchwc } from './nchwc-lowering.js';
export type { NchwcOptions } from './nchwc-lowering.js';
export { blockSizeProbe, NCHWC_DOMAIN, PROBE_CHANNELS } from './ops/nchwc-layout.js';
export { foldMovementChains } from './fold-movement.js';
export { transposeByMatMul } from './transpose-by-matmul.js';
export { earliestLevelOrder } from './schedule.js';
export { renameValues } from './rename.js';
