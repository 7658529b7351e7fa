import {
  areaResize, chipBytes, describeSplit, loadChipSet, makeSynthetic, stratifiedSplit, subsetChips, type ChipSet, type Split,
} from '../data/index.js';
import type { Config } from '../config/index.js';

/** The chips of an experiment, split for training and validation. */
export interface PreparedData {
  readonly all: ChipSet;
  readonly split: Split;
  readonly train: ChipSet;
  readonly validation: ChipSet;
  /** For the model card: which data, how many images. */
  readonly description: string;
  /** How the validation split was chosen. */
  readonly splitDescription: string;
  readonly synthetic: boolean;
}

/** Synthetic chips made at `size`, brought to the model input size with the pipeline's own resize. */
function syntheticSet(config: Config): ChipSet {
  const { inputSize } = config.model;
  const made = makeSynthetic({ count: config.data.synthetic.count, size: config.data.synthetic.size ?? inputSize, seed: config.seed });
  if (made.size === inputSize) return made;
  const from = chipBytes(made.size);
  const to = chipBytes(inputSize);
  const images = new Uint8Array(made.names.length * to);
  for (let i = 0; i < made.names.length; i++) {
    images.set(areaResize(made.images.subarray(i * from, (i + 1) * from), made.size, made.size, inputSize), i * to);
  }
  return { ...made, size: inputSize, images };
}

async function loadSet(config: Config, log: (line: string) => void): Promise<{ set: ChipSet; description: string }> {
  if (config.data.synthetic.enabled) {
    const set = syntheticSet(config);
    return { set, description: `synthetic: ${set.names.length} generated chips (seed ${config.seed})` };
  }
  const { set, report } = await loadChipSet({
    labels: config.data.labels, sources: config.data.sources, size: config.model.inputSize,
    onInvalid: config.data.onInvalid, cacheDir: config.data.cacheDir, limit: config.data.limit,
  });
  log(`data: ${report.chips} chips from ${config.data.labels} (${report.fromCache ? 'from cache' : `decoded in ${report.decodeSeconds.toFixed(1)} s`}` +
    `${report.skippedRows + report.imageIssues.length > 0 ? `, ${report.skippedRows} rows and ${report.imageIssues.length} images skipped` : ''})`);
  const description = `${report.chips} labelled chips: ${config.data.labels} with ${config.data.sources.join(', ')}`;
  return { set, description };
}

/** Loads (or makes) the chips and splits them with seeded iterative stratification. */
export async function prepareData(config: Config, log: (line: string) => void): Promise<PreparedData> {
  const { set, description } = await loadSet(config, log);
  const splitSeed = config.data.splitSeed ?? config.seed;
  const split = stratifiedSplit(set.targets, config.data.valFraction, splitSeed);
  if (split.train.length < config.train.batchSize) {
    throw new Error(`data: ${split.train.length} training chips cannot fill one batch of train.batchSize=${config.train.batchSize}`);
  }
  return {
    all: set, split, description,
    train: subsetChips(set, split.train),
    validation: subsetChips(set, split.validation),
    splitDescription: describeSplit(config.data.valFraction, splitSeed, split.validation.length),
    synthetic: config.data.synthetic.enabled,
  };
}
