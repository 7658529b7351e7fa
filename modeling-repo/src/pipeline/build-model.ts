import { loadModel, selectTrainable, type BackboneProvenance, type Classifier, type ParamInfo } from '../backbone/index.js';
import type { Config } from '../config/index.js';
import { NUM_LABELS } from '../data/index.js';

/** The classifier twice (fixed batch for the training step, dynamic for evaluation and export). */
export interface BuiltModel {
  readonly training: Classifier;
  readonly dynamic: Classifier;
  readonly trainable: readonly ParamInfo[];
  readonly backbone: BackboneProvenance;
}

export async function buildModel(config: Config): Promise<BuiltModel> {
  const spec = { inputSize: config.model.inputSize, trainSize: config.model.trainSize, backbone: config.model.backbone };
  const options = { classes: NUM_LABELS, seed: config.seed };
  const training = await loadModel(spec, { ...options, batch: config.train.batchSize });
  const dynamic = await loadModel(spec, { ...options, batch: 'N' });
  const { params, backboneBlocks } = training.classifier;
  const trainable = selectTrainable(params, config.train.trainable, config.train.lastK, backboneBlocks);
  return { training: training.classifier, dynamic: dynamic.classifier, trainable, backbone: training.backbone };
}
