import { LABELS, NUM_LABELS } from '../data/index.js';

/**
 * The competition metric and per-class figures, exactly as scikit-learn computes them with
 * `fbeta_score(y_true, y_pred, beta=2, average='samples', zero_division=0)`.
 *
 * scikit-learn writes the F-score in counts, F = (1 + b^2) tp / (b^2 (tp + fn) + (tp + fp)), and
 * when the denominator is 0 (an image with no true and no predicted tags) it takes the
 * `zero_division` value, 0. So an image with no predicted tags scores 0, and so does one with no
 * true tags that predicts none; predicting anything when there is nothing true scores 0 too.
 * The mean is over images. Per class (average=None) the same formula applies to the class's
 * column, and precision tp / (tp + fp) and recall tp / (tp + fn) are 0 when undefined.
 *
 * Arrays are row-major [images, classes]; truth and predictions are 0/1 (anything > 0 counts as 1).
 */

/** beta^2 for F2. */
export const BETA2 = 4;

/** F-beta from counts; 0 when undefined (zero_division=0). */
export function fbetaFromCounts(tp: number, truePositives: number, predictedPositives: number, beta2 = BETA2): number {
  const denominator = beta2 * truePositives + predictedPositives;
  return denominator === 0 ? 0 : ((1 + beta2) * tp) / denominator;
}

/** The decision rule of the model contract: a tag is predicted when its probability >= its threshold. */
export function binarize(
  probabilities: ArrayLike<number>, thresholds: ArrayLike<number> | number, classes = NUM_LABELS,
): Uint8Array {
  const out = new Uint8Array(probabilities.length);
  for (let i = 0; i < probabilities.length; i++) {
    const threshold = typeof thresholds === 'number' ? thresholds : (thresholds[i % classes] ?? 0);
    out[i] = (probabilities[i] ?? 0) >= threshold ? 1 : 0;
  }
  return out;
}

function checkShapes(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number {
  if (truth.length !== predicted.length || truth.length % classes !== 0) {
    throw new RangeError(`metrics: truth (${truth.length}) and predictions (${predicted.length}) must both be [N, ${classes}]`);
  }
  return truth.length / classes;
}

/** F2 of every image. */
export function sampleF2(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes = NUM_LABELS): Float64Array {
  const n = checkShapes(truth, predicted, classes);
  const scores = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let tp = 0;
    let trueCount = 0;
    let predCount = 0;
    for (let c = r * classes; c < (r + 1) * classes; c++) {
      const t = (truth[c] ?? 0) > 0;
      const p = (predicted[c] ?? 0) > 0;
      if (t) trueCount++;
      if (p) predCount++;
      if (t && p) tp++;
    }
    scores[r] = fbetaFromCounts(tp, trueCount, predCount);
  }
  return scores;
}

/** Mean per-image F2, the competition metric (0 for no images). */
export function meanF2(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes = NUM_LABELS): number {
  const scores = sampleF2(truth, predicted, classes);
  if (scores.length === 0) return 0;
  let sum = 0;
  for (const score of scores) sum += score;
  return sum / scores.length;
}

/** Precision, recall and F2 of one class, with its counts. */
export interface ClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f2: number;
  /** Images that truly have the tag. */
  readonly support: number;
  /** Images predicted to have it. */
  readonly predicted: number;
}

/** Per-class metrics, in class order. */
export function perClassMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes = NUM_LABELS): ClassMetrics[] {
  checkShapes(truth, predicted, classes);
  const tp = new Float64Array(classes);
  const support = new Float64Array(classes);
  const predictedCount = new Float64Array(classes);
  for (let i = 0; i < truth.length; i++) {
    const c = i % classes;
    const t = (truth[i] ?? 0) > 0;
    const p = (predicted[i] ?? 0) > 0;
    if (t) support[c] = (support[c] ?? 0) + 1;
    if (p) predictedCount[c] = (predictedCount[c] ?? 0) + 1;
    if (t && p) tp[c] = (tp[c] ?? 0) + 1;
  }
  return Array.from({ length: classes }, (_, c) => {
    const hits = tp[c] ?? 0;
    const s = support[c] ?? 0;
    const q = predictedCount[c] ?? 0;
    return { precision: q === 0 ? 0 : hits / q, recall: s === 0 ? 0 : hits / s, f2: fbetaFromCounts(hits, s, q), support: s, predicted: q };
  });
}

/** The evaluation of probabilities at given thresholds: what the run record and model card keep. */
export interface EvaluationReport {
  readonly f2: number;
  readonly images: number;
  readonly perClass: Readonly<Record<string, ClassMetrics>>;
}

/**
 * Evaluates probabilities [N, classes] against multi-hot targets at per-class thresholds (or one
 * threshold for all).
 */
export function evaluateProbabilities(
  probabilities: ArrayLike<number>, targets: ArrayLike<number>, thresholds: ArrayLike<number> | number,
  labels: readonly string[] = LABELS,
): EvaluationReport {
  const classes = labels.length;
  const predicted = binarize(probabilities, thresholds, classes);
  const perClass = perClassMetrics(targets, predicted, classes);
  return {
    f2: meanF2(targets, predicted, classes),
    images: targets.length / classes,
    perClass: Object.fromEntries(labels.map((label, c) => [label, perClass[c] ?? { precision: 0, recall: 0, f2: 0, support: 0, predicted: 0 }])),
  };
}
