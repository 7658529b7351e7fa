/** Public surface of inference with exported bundles: loading, predicting, evaluating on a folder. */
export { BundleModel } from './bundle-model.js';
export { evaluateBundle, type BundleEvaluation } from './evaluate-bundle.js';
export { dihedralMean, maxAbsDiff, ModelRunner } from './model-runner.js';
