/**
 * Public surface of the evaluation stage: per-class threshold tuning and the comparison of decision
 * rules (tuned thresholds, the expected-F2 rule). The metric itself is `../metric/`.
 */
export { thresholdGrid, tuneThresholds, type ThresholdOptions, type ThresholdResult } from './thresholds.js';
export { compareRules, type RuleScore } from './compare-rules.js';
