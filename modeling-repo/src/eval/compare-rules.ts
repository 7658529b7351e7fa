import { LABELS } from '../data/index.js';
import { expectedF2Decisions } from './expected-f2.js';
import { binarize, meanF2, perClassMetrics, type ClassMetrics } from '../metric/index.js';
import { tuneThresholds, type ThresholdOptions } from './thresholds.js';

/** One decision rule scored on validation probabilities: the mean per-image F2 and per class. */
export interface RuleScore {
  readonly rule: string;
  readonly f2: number;
  readonly perClass: Readonly<Record<string, ClassMetrics>>;
}

const FOLDS = 2;
/** The competition's customary single threshold, the starting point of tuning. */
const DEFAULT_THRESHOLD = 0.2;

function score(rule: string, targets: ArrayLike<number>, decisions: Uint8Array, labels: readonly string[]): RuleScore {
  const perClass = perClassMetrics(targets, decisions, labels.length);
  return { rule, f2: meanF2(targets, decisions, labels.length), perClass: Object.fromEntries(labels.map((l, c) => [l, perClass[c] ?? { precision: 0, recall: 0, f2: 0, support: 0, predicted: 0 }])) };
}

function rowsOf(values: ArrayLike<number>, rows: readonly number[], classes: number): Float32Array {
  const out = new Float32Array(rows.length * classes);
  rows.forEach((r, i) => { for (let c = 0; c < classes; c++) out[i * classes + c] = values[r * classes + c] ?? 0; });
  return out;
}

/**
 * Per-class thresholds tuned on one half of the chips (alternate rows) and applied to the other
 * half, both ways: what tuned thresholds give on chips they were not tuned on, the fair
 * comparison for a rule that fits nothing.
 */
export function crossFittedThresholds(probabilities: ArrayLike<number>, targets: ArrayLike<number>, options: ThresholdOptions & { classes: number }): Uint8Array {
  const { classes } = options;
  const images = targets.length / classes;
  const decisions = new Uint8Array(targets.length);
  for (let fold = 0; fold < FOLDS; fold++) {
    const tuneRows = Array.from({ length: images }, (_, r) => r).filter((r) => r % FOLDS !== fold);
    const scoreRows = Array.from({ length: images }, (_, r) => r).filter((r) => r % FOLDS === fold);
    const { thresholds } = tuneThresholds(rowsOf(probabilities, tuneRows, classes), rowsOf(targets, tuneRows, classes), options);
    const held = binarize(rowsOf(probabilities, scoreRows, classes), thresholds, classes);
    scoreRows.forEach((r, i) => { decisions.set(held.subarray(i * classes, (i + 1) * classes), r * classes); });
  }
  return decisions;
}

/** Today's rule (thresholds, fixed or tuned) beside the expected-F2 rule, on the same probabilities. */
export function compareRules(
  probabilities: ArrayLike<number>, targets: ArrayLike<number>, options: ThresholdOptions = {}, labels: readonly string[] = LABELS,
): RuleScore[] {
  const classes = labels.length;
  const fixed = options.start ?? DEFAULT_THRESHOLD;
  const tuned = tuneThresholds(probabilities, targets, { ...options, classes });
  return [
    score(`thresholds all ${fixed}`, targets, binarize(probabilities, fixed, classes), labels),
    score('tuned thresholds (tuned and scored on the same chips)', targets, binarize(probabilities, tuned.thresholds, classes), labels),
    score('tuned thresholds, 2-fold (tuned on one half, scored on the other)', targets, crossFittedThresholds(probabilities, targets, { ...options, classes }), labels),
    score('expected F2, independent tags', targets, expectedF2Decisions(probabilities, { weatherExclusive: false, labels }), labels),
    score('expected F2, one weather tag per chip', targets, expectedF2Decisions(probabilities, { weatherExclusive: true, labels }), labels),
  ];
}
