/**
 * Mixup for multi-label chips: a training row becomes a weighted average of itself and another row
 * of the same batch, images and targets alike (Zhang et al., "mixup: Beyond Empirical Risk
 * Minimization", 2018).
 *
 * Why: with 17 tags that co-occur, the network can learn "this texture means agriculture" or learn
 * the co-occurrence of a whole tag set; blending two chips' tags asks for each tag's evidence on its
 * own, and soft targets in [0, 1] regularise like label smoothing without pulling every tag towards
 * 1/2. The weight of a row's own chip is max(l, 1 - l) with l ~ Beta(alpha, alpha), so every mixed
 * row is still mostly itself and keeps its flip or rotation; the partner is read from the batch as
 * it was before mixing, so one row's mix never feeds another's. Images are bytes, so the blend is
 * rounded (a change of at most half a grey level).
 */

import type { Rng } from '../util/index.js';
import { NUM_LABELS } from './labels.js';

/** How often and how strongly: a `probability` share of rows mixed, weights from Beta(alpha, alpha). */
export interface MixupSetting {
  readonly probability: number;
  readonly alpha: number;
}

// Marsaglia and Tsang's method for Gamma(shape >= 1); shapes below 1 are boosted by one and scaled
// back by u^(1 / shape) (their paper, section 6).
const THIRD = 1 / 3;
const NINE = 9;
const SQUEEZE = 0.0331;

/** A standard normal draw (Box-Muller; 1 - u keeps the logarithm finite). */
function normal(rng: Rng): number {
  const radius = Math.sqrt(-(2 * Math.log(1 - rng.next())));
  return radius * Math.cos(2 * Math.PI * rng.next());
}

/** A Gamma(shape, 1) draw. */
function gamma(shape: number, rng: Rng): number {
  if (shape < 1) return gamma(shape + 1, rng) * (1 - rng.next()) ** (1 / shape);
  const d = shape - THIRD;
  const c = 1 / Math.sqrt(NINE * d);
  for (;;) {
    const x = normal(rng);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - rng.next();
    if (u < 1 - SQUEEZE * x ** 4 || Math.log(u) < x * x / 2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A Beta(alpha, alpha) draw, as the ratio of two Gamma(alpha) draws. */
export function betaSymmetric(alpha: number, rng: Rng): number {
  if (!(alpha > 0)) throw new RangeError(`mixup alpha must be positive, got ${alpha}`);
  const a = gamma(alpha, rng);
  const b = gamma(alpha, rng);
  return a + b === 0 ? 1 / 2 : a / (a + b);
}

/** The weight of a row's own chip: 1 (not mixed) outside `probability`, else max(l, 1 - l), l ~ Beta. */
export function ownWeight(setting: MixupSetting, rng: Rng): number {
  if (rng.next() >= setting.probability) return 1;
  const l = betaSymmetric(setting.alpha, rng);
  return Math.max(l, 1 - l);
}

/**
 * Mixes the `rows` rows of a batch in place ([rows, bytesPerRow] images, [rows, 17] targets), each
 * drawn row with a partner drawn uniformly from the other rows. Draws: one weight, then one partner
 * per row, in row order, so the result is a pure function of the generator's seed.
 */
export function mixBatch(
  batch: { readonly images: Uint8Array; readonly targets: Float32Array }, rows: number, setting: MixupSetting, rng: Rng,
): void {
  if (rows < 2 || setting.probability === 0) return;
  const bytes = batch.images.length / rows;
  const images = batch.images.slice();
  const targets = batch.targets.slice();
  for (let i = 0; i < rows; i++) {
    const own = ownWeight(setting, rng);
    const draw = rng.int(rows - 1);
    if (own === 1) continue;
    const partner = draw < i ? draw : draw + 1;
    blend(batch.images, images, { own, row: i, partner, width: bytes });
    blend(batch.targets, targets, { own, row: i, partner, width: NUM_LABELS });
  }
}

interface Blend {
  readonly own: number;
  readonly row: number;
  readonly partner: number;
  readonly width: number;
}

/** out[row] = own * before[row] + (1 - own) * before[partner], rounded for bytes. */
function blend(out: Uint8Array | Float32Array, before: Uint8Array | Float32Array, mix: Blend): void {
  // Bytes would truncate on assignment; round them instead.
  const round = out instanceof Uint8Array;
  const at = mix.row * mix.width;
  const from = mix.partner * mix.width;
  for (let k = 0; k < mix.width; k++) {
    const value = mix.own * (before[at + k] ?? 0) + (1 - mix.own) * (before[from + k] ?? 0);
    out[at + k] = round ? Math.round(value) : value;
  }
}
