import type { Config } from '../config/index.js';
import type { ChipSet } from '../data/index.js';
import type { Graph } from '../graph/index.js';
import { ModelRunner } from '../inference/index.js';
import { exportGraph } from './export-run.js';

/** The model.onnx a run ships, and the validation probabilities its thresholds are tuned on. */
export interface ShippedModel {
  readonly modelBytes: Uint8Array;
  /** The classifier alone, when the shipped model wraps it in test-time augmentation. */
  readonly plainModelBytes?: Uint8Array;
  readonly probabilities: Float32Array;
}

/**
 * Without test-time augmentation the shipped model is the classifier, whose validation
 * probabilities the training graph already gave; with it (export.tta) the probabilities are the
 * exported graph's own, since thresholds must be tuned on what the service will compute.
 */
export async function shippedModel(
  config: Config, dynamic: Graph, names: readonly string[], best: Float32Array,
  validation: { readonly set: ChipSet; readonly trainingProbabilities: Float32Array },
): Promise<ShippedModel> {
  const plain = exportGraph(dynamic, names, best);
  if (config.export.tta !== true) return { modelBytes: plain, probabilities: validation.trainingProbabilities };
  const modelBytes = exportGraph(dynamic, names, best, { tta: true });
  const runner = await ModelRunner.create(modelBytes, config.model.inputSize);
  try {
    return { modelBytes, plainModelBytes: plain, probabilities: await runner.predictSet(validation.set) };
  } finally {
    await runner.close();
  }
}
