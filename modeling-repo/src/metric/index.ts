/**
 * Public surface of the competition metric: mean per-image F2 as scikit-learn computes it, per-class
 * figures, and the model contract's decision rule (a tag is predicted when its probability is at
 * least its threshold). Training reports it on validation data; evaluation tunes thresholds for it.
 */
export {
  BETA2, binarize, evaluateProbabilities, fbetaFromCounts, meanF2, perClassMetrics, sampleF2,
  type ClassMetrics, type EvaluationReport,
} from './f2.js';
