import { createRng, deriveSeed, permutation } from '../util/index.js';
import { applyDihedral, type Dihedral } from './augment.js';
import { chipBytes, type ChipSet } from './chipset.js';
import { mixBatch, type MixupSetting } from './mixup.js';
import { adjustSharpness, sharpnessAmount, type SharpnessJitter } from './sharpness.js';
import { NUM_LABELS } from './labels.js';

/**
 * Fixed-size batches of chips for training and evaluation.
 *
 * Every batch has exactly `batchSize` rows, so a graph with a fixed batch dimension can take it.
 * The last, partial batch of an epoch is either dropped (`lastBatch: 'drop'`, for training: every
 * epoch is shuffled differently, so no row is left out for good) or padded (`'pad'`, for
 * evaluation: every row is seen exactly once) by repeating the epoch's first rows with `mask` 0,
 * so that metrics and losses can ignore the padding.
 *
 * Everything is a pure function of (seed, epoch, batch index): the row order of an epoch and the
 * augmentation of each batch come from their own seeded streams. `batch(epoch, i)` gives the same
 * batch whether it is asked for in order, out of order, or after a resume.
 */

export type LastBatch = 'drop' | 'pad';

export interface LoaderOptions {
  readonly batchSize: number;
  readonly seed: number;
  /** Reorder the rows every epoch (training) or keep their order (evaluation). */
  readonly shuffle: boolean;
  readonly lastBatch: LastBatch;
  /** Transforms to draw from, uniformly and independently per row; default none. */
  readonly augment?: readonly Dihedral[];
  /** Blur or sharpen a share of the rows by a random amount (`sharpness.ts`); default none. */
  readonly sharpness?: SharpnessJitter;
  /** Blend a share of the rows with another row of their batch, targets too (`mixup.ts`); default none. */
  readonly mixup?: MixupSetting;
  /** Rows of the chip set to use (e.g. one side of a split); default all. */
  readonly indices?: ArrayLike<number>;
  /** Batches prepared ahead of the consumer by `epoch()`; default 2. */
  readonly prefetch?: number;
}

/** One batch: [B, S, S, 3] uint8 images, [B, 17] targets, and which rows are real. */
export interface Batch {
  readonly epoch: number;
  readonly index: number;
  readonly images: Uint8Array;
  readonly targets: Float32Array;
  /** Chip names, padding rows included (they repeat real names). */
  readonly names: readonly string[];
  /** 1 for a real row, 0 for padding. */
  readonly mask: Float32Array;
  /** Number of real rows (the first `count` rows are the real ones). */
  readonly count: number;
}

const SHUFFLE_STREAM = 1;
const AUGMENT_STREAM = 2;
// Its own stream, so that turning the jitter on leaves every row's flip or rotation as it was.
const SHARPNESS_STREAM = 3;
const MIXUP_STREAM = 4;
const DEFAULT_PREFETCH = 2;

export class BatchLoader {
  readonly batchSize: number;
  readonly rows: Uint32Array;
  private readonly augment: readonly Dihedral[];
  private cachedOrder: { readonly epoch: number; readonly order: Uint32Array } | undefined;

  constructor(private readonly set: ChipSet, private readonly options: LoaderOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new RangeError(`batch size must be a positive integer, got ${options.batchSize}`);
    }
    this.batchSize = options.batchSize;
    this.rows = options.indices === undefined
      ? Uint32Array.from({ length: set.names.length }, (_, i) => i)
      : Uint32Array.from(options.indices);
    if (this.rows.length === 0) throw new RangeError('batch loader: no rows to load');
    if (options.lastBatch === 'drop' && this.rows.length < this.batchSize) {
      throw new RangeError(`batch loader: ${this.rows.length} rows cannot fill one batch of ${this.batchSize} ` +
        "with lastBatch 'drop' (use a smaller batch size)");
    }
    const augment = options.augment ?? ['identity'];
    this.augment = augment.length === 0 ? ['identity'] : augment;
  }

  /** Batches in one epoch. */
  get batchesPerEpoch(): number {
    const n = this.rows.length;
    return this.options.lastBatch === 'drop' ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The data-set rows of an epoch, in the order the batches take them. */
  order(epoch: number): Uint32Array {
    if (!this.options.shuffle) return this.rows;
    if (this.cachedOrder?.epoch !== epoch) {
      const perm = permutation(this.rows.length, createRng(deriveSeed(this.options.seed, SHUFFLE_STREAM, epoch)));
      this.cachedOrder = { epoch, order: perm.map((i) => this.rows[i] ?? 0) };
    }
    return this.cachedOrder.order;
  }

  /** Batch `index` of `epoch`, built synchronously. */
  batch(epoch: number, index: number): Batch {
    if (!Number.isInteger(index) || index < 0 || index >= this.batchesPerEpoch) {
      throw new RangeError(`batch ${index} out of range 0..${this.batchesPerEpoch - 1}`);
    }
    const order = this.order(epoch);
    const b = this.batchSize;
    const bytes = chipBytes(this.set.size);
    const images = new Uint8Array(b * bytes);
    const targets = new Float32Array(b * NUM_LABELS);
    const mask = new Float32Array(b);
    const names: string[] = [];
    const rng = createRng(deriveSeed(this.options.seed, AUGMENT_STREAM, epoch, index));
    const start = index * b;
    const count = Math.min(b, order.length - start);
    for (let i = 0; i < b; i++) {
      // Padding rows repeat the epoch's first rows (wrapping when there are fewer rows than B).
      const row = i < count ? (order[start + i] ?? 0) : (order[(i - count) % order.length] ?? 0);
      const transform = this.augment.length === 1 ? this.augment[0] : this.augment[rng.int(this.augment.length)];
      applyDihedral(transform ?? 'identity', this.set.size, this.set.images, images, { src: row * bytes, dst: i * bytes });
      targets.set(this.set.targets.subarray(row * NUM_LABELS, (row + 1) * NUM_LABELS), i * NUM_LABELS);
      mask[i] = i < count ? 1 : 0;
      names.push(this.set.names[row] ?? '');
    }
    this.mix({ images, targets }, epoch, index);
    this.jitterSharpness(images, epoch, index);
    return { epoch, index, images, targets, names, mask, count };
  }

  /** A share of the rows blended with others of the batch, as `options.mixup` draws it (padded batches never). */
  private mix(batch: { readonly images: Uint8Array; readonly targets: Float32Array }, epoch: number, index: number): void {
    const mixup = this.options.mixup;
    if (mixup === undefined || this.options.lastBatch === 'pad') return;
    mixBatch(batch, this.batchSize, mixup, createRng(deriveSeed(this.options.seed, MIXUP_STREAM, epoch, index)));
  }

  /** Every row of a batch blurred or sharpened as `options.sharpness` draws it (two draws a row). */
  private jitterSharpness(images: Uint8Array, epoch: number, index: number): void {
    const jitter = this.options.sharpness;
    if (jitter === undefined || jitter.probability === 0 || jitter.strength === 0) return;
    const rng = createRng(deriveSeed(this.options.seed, SHARPNESS_STREAM, epoch, index));
    const bytes = chipBytes(this.set.size);
    for (let i = 0; i < this.batchSize; i++) {
      adjustSharpness(images, this.set.size, sharpnessAmount(jitter, rng.next(), rng.next()), i * bytes);
    }
  }

  /**
   * The batches of `epoch` from `startBatch` on (for resuming). Up to `prefetch` batches are built
   * ahead on the event loop's idle turns, i.e. while the consumer awaits its training step (ONNX
   * Runtime computes on its own threads), so loading overlaps training.
   */
  async *epoch(epoch: number, startBatch = 0): AsyncGenerator<Batch, void, undefined> {
    const total = this.batchesPerEpoch;
    const ahead = Math.max(1, this.options.prefetch ?? DEFAULT_PREFETCH);
    const queue: Promise<Batch>[] = [];
    let nextIndex = startBatch;
    const fill = (): void => {
      while (queue.length < ahead && nextIndex < total) {
        const index = nextIndex++;
        queue.push(new Promise<Batch>((resolve, reject) => {
          setImmediate(() => {
            try {
              resolve(this.batch(epoch, index));
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          });
        }));
      }
    };
    fill();
    for (let pending = queue.shift(); pending !== undefined; pending = queue.shift()) {
      const batch = await pending;
      fill();
      yield batch;
    }
  }
}

/** A loader for evaluation: all rows of `set` in order, padded last batch, no augmentation. */
export function evaluationLoader(set: ChipSet, batchSize: number): BatchLoader {
  return new BatchLoader(set, { batchSize, seed: 0, shuffle: false, lastBatch: 'pad' });
}
