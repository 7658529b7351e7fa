import { findKaggleLayout, loadChipSet, chipBytes, type LoadReport } from '../data/index.js';
import { evaluateProbabilities, type EvaluationReport } from '../metric/index.js';
import type { BundleModel } from './bundle-model.js';

export interface BundleEvaluation {
  readonly atCardThresholds: EvaluationReport;
  readonly atFixedThreshold: EvaluationReport;
  readonly fixedThreshold: number;
  readonly load: LoadReport;
}

const EVAL_BATCH = 256;
const FIXED_THRESHOLD = 0.2;

/** Probabilities for every chip, in batches that keep memory flat on large folders. */
async function predictAll(model: BundleModel, images: Uint8Array, count: number): Promise<Float32Array> {
  const per = chipBytes(model.size);
  const classes = model.card.labels.length;
  const out = new Float32Array(count * classes);
  for (let start = 0; start < count; start += EVAL_BATCH) {
    const n = Math.min(EVAL_BATCH, count - start);
    out.set(await model.predict(images.subarray(start * per, (start + n) * per), n), start * classes);
  }
  return out;
}

/**
 * Evaluates a bundle on a folder in the Kaggle layout (a labels CSV and JPEGs, or a tar of them),
 * decoding every chip the way the card says.
 */
export async function evaluateBundle(
  model: BundleModel, dataDir: string, options: { onInvalid: 'fail' | 'skip'; cacheDir: string },
): Promise<BundleEvaluation> {
  const layout = await findKaggleLayout(dataDir);
  const { set, report } = await loadChipSet({
    labels: layout.labels, sources: layout.sources, size: model.size, onInvalid: options.onInvalid, cacheDir: options.cacheDir,
  });
  const count = set.names.length;
  const probabilities = await predictAll(model, set.images, count);
  return {
    atCardThresholds: evaluateProbabilities(probabilities, set.targets, model.thresholds(), model.card.labels),
    atFixedThreshold: evaluateProbabilities(probabilities, set.targets, FIXED_THRESHOLD, model.card.labels),
    fixedThreshold: FIXED_THRESHOLD,
    load: report,
  };
}
