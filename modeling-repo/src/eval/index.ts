/** Public surface of the evaluation stage: the competition metric and threshold tuning. */
export {
  BETA2, binarize, evaluateProbabilities, fbetaFromCounts, meanF2, perClassMetrics, sampleF2,
  type ClassMetrics, type EvaluationReport,
} from './metrics.js';
export { thresholdGrid, tuneThresholds, type ThresholdOptions, type ThresholdResult } from './thresholds.js';
