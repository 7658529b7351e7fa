import { LABELS, NUM_LABELS } from './labels.js';

/**
 * The in-memory form of a labelled data set, real or synthetic: N chips of S x S RGB (HWC, uint8)
 * and their multi-hot targets in `LABELS` order. 36k chips of 32 x 32 take 110 MB.
 */
export interface ChipSet {
  /** Chip side S. */
  readonly size: number;
  readonly names: readonly string[];
  /** Row-major [N, S, S, 3]. */
  readonly images: Uint8Array;
  /** Row-major [N, NUM_LABELS]. */
  readonly targets: Float32Array;
}

export const CHANNELS = 3;

/** Bytes of one chip of side `size`. */
export function chipBytes(size: number): number {
  return size * size * CHANNELS;
}

/** Checks that the arrays of a chip set agree with each other; throws naming the mismatch. */
export function checkChipSet(set: ChipSet): void {
  const n = set.names.length;
  if (set.images.length !== n * chipBytes(set.size)) {
    throw new RangeError(`chip set: ${n} chips of ${set.size}px need ${n * chipBytes(set.size)} image bytes, got ${set.images.length}`);
  }
  if (set.targets.length !== n * NUM_LABELS) {
    throw new RangeError(`chip set: ${n} chips need ${n * NUM_LABELS} targets, got ${set.targets.length}`);
  }
}

/** A new chip set holding the given rows (copied), in the given order. */
export function subsetChips(set: ChipSet, indices: ArrayLike<number>): ChipSet {
  const bytes = chipBytes(set.size);
  const images = new Uint8Array(indices.length * bytes);
  const targets = new Float32Array(indices.length * NUM_LABELS);
  const names: string[] = [];
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i] ?? 0;
    if (row < 0 || row >= set.names.length) throw new RangeError(`chip set: index ${row} out of range 0..${set.names.length - 1}`);
    images.set(set.images.subarray(row * bytes, (row + 1) * bytes), i * bytes);
    targets.set(set.targets.subarray(row * NUM_LABELS, (row + 1) * NUM_LABELS), i * NUM_LABELS);
    names.push(set.names[row] ?? '');
  }
  return { size: set.size, names, images, targets };
}

/** How many chips carry each tag, by label name (for logs and the model card). */
export function labelCounts(set: Pick<ChipSet, 'targets'>): Record<string, number> {
  const counts = new Float64Array(NUM_LABELS);
  for (let i = 0; i < set.targets.length; i++) counts[i % NUM_LABELS] = (counts[i % NUM_LABELS] ?? 0) + (set.targets[i] ?? 0);
  return Object.fromEntries(LABELS.map((label, c) => [label, counts[c] ?? 0]));
}

/** Mean R, G, B over all chips (the README's decoder check: about (80, 87, 76) on the thumbnails). */
export function meanRgb(images: Uint8Array): [number, number, number] {
  const sums = [0, 0, 0];
  for (let i = 0; i < images.length; i++) sums[i % CHANNELS] = (sums[i % CHANNELS] ?? 0) + (images[i] ?? 0);
  const pixels = images.length / CHANNELS;
  return [(sums[0] ?? 0) / pixels, (sums[1] ?? 0) / pixels, (sums[2] ?? 0) / pixels];
}
