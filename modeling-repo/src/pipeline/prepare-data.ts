import {
  areaResize, chipBytes, describeSplit, iterativeStratification, loadChipSet, makeSynthetic, NUM_LABELS, stratifiedSplit,
  subsetChips, type ChipSet, type Split,
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
  /** With `data.folds`: which part of the training side this run leaves out, and those chips. */
  readonly fold?: FoldData;
}

/** One fold of K-fold training: the training side of the split dealt into K stratified folds. */
export interface FoldData {
  readonly count: number;
  readonly index: number;
  /** Rows (into `all`) of every fold, `rows[j]` ascending; the run trains on all but `rows[index]`. */
  readonly rows: readonly Uint32Array[];
  /**
   * For the model card (training.data) and the merge's check that a member left out the fold it
   * recomputes: "fold 2 of 5 of the training side left out (5,775 chips, rows fnv1a 1a2b3c4d; ...)".
   */
  readonly description: string;
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

/**
 * Deals the training side of `split` into `count` stratified folds (the split's seed again, so every
 * member of a K-fold ensemble sees the same folds). The validation side is untouched: every fold's
 * model is validated on the same chips, which is what merging the folds into one bundle needs.
 */
export function trainingFolds(set: ChipSet, split: Split, folds: { count: number; index: number }, seed: number): FoldData {
  const { count, index } = folds;
  if (count < 2 || index < 0 || index >= count || !Number.isInteger(index)) {
    throw new Error(`data.folds: index ${index} is not one of the folds 0..${count - 1} of data.folds.count=${count} (count must be 2 or more)`);
  }
  const targets = new Float32Array(split.train.length * NUM_LABELS);
  split.train.forEach((row, i) => { targets.set(set.targets.subarray(row * NUM_LABELS, (row + 1) * NUM_LABELS), i * NUM_LABELS); });
  const foldOf = iterativeStratification(targets, Array.from({ length: count }, () => 1 / count), seed);
  const rows = Array.from({ length: count }, (_, j) => split.train.filter((_row, i) => foldOf[i] === j));
  return { count, index, rows, description: foldDescription(rows, index, seed) };
}

/** Between the chips' description and the fold's in a card's training.data. */
export const FOLD_RECORD_SEPARATOR = '; ';

/** A run's card training.data: its chips, and for a K-fold member the fold it left out. */
export function recordedChips(data: PreparedData): string {
  return data.fold === undefined ? data.description : `${data.description}${FOLD_RECORD_SEPARATOR}${data.fold.description}`;
}

/** What a member's card records about its left-out fold; the digest pins the exact rows. */
export function foldDescription(rows: readonly Uint32Array[], index: number, seed: number): string {
  const left = rows[index] ?? new Uint32Array();
  return `fold ${index} of ${rows.length} of the training side left out (${left.length} chips, rows fnv1a ${rowDigest(left)}; iterative stratification, seed ${seed})`;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const BYTE = 0xff;
const BITS_PER_BYTE = 8;
const BYTES_PER_ROW = 4;
const HEX = 16;
const DIGEST_CHARS = 8;

/** 32-bit FNV-1a over the rows' little-endian bytes: enough to tell two row sets apart in a card. */
function rowDigest(rows: Uint32Array): string {
  let hash = FNV_OFFSET;
  for (const row of rows) {
    for (let b = 0; b < BYTES_PER_ROW; b++) hash = Math.imul(hash ^ ((row >>> (b * BITS_PER_BYTE)) & BYTE), FNV_PRIME) >>> 0;
  }
  return hash.toString(HEX).padStart(DIGEST_CHARS, '0');
}

/** The training rows of a K-fold member: every training row outside its own fold. */
function foldTrainRows(fold: FoldData): Uint32Array {
  const kept = fold.rows.filter((_rows, j) => j !== fold.index);
  return Uint32Array.from(kept.flatMap((rows) => Array.from(rows))).sort();
}

/** Loads (or makes) the chips and splits them with seeded iterative stratification. */
export async function prepareData(config: Config, log: (line: string) => void): Promise<PreparedData> {
  const { set, description } = await loadSet(config, log);
  const splitSeed = config.data.splitSeed ?? config.seed;
  const split = stratifiedSplit(set.targets, config.data.valFraction, splitSeed);
  const folds = config.data.folds;
  const fold = folds === undefined || folds.count === 1 ? undefined : trainingFolds(set, split, folds, splitSeed);
  const trainRows = fold === undefined ? split.train : foldTrainRows(fold);
  if (trainRows.length < config.train.batchSize) {
    throw new Error(`data: ${trainRows.length} training chips cannot fill one batch of train.batchSize=${config.train.batchSize}`);
  }
  return {
    all: set, split, description,
    train: subsetChips(set, trainRows),
    validation: subsetChips(set, split.validation),
    splitDescription: describeSplit(config.data.valFraction, splitSeed, split.validation.length),
    synthetic: config.data.synthetic.enabled,
    ...(fold === undefined ? {} : { fold }),
  };
}
