/**
 * Sharpness jitter: a training chip blurred or sharpened by a random amount.
 *
 * Why: most labelled chips are 32 x 32 thumbnails made by another resampler (and JPEG-compressed
 * at 32 px), while the service reduces full-size chips with the pipeline's own area average, which
 * is softer. A model that sees a range of sharpness around both does not learn one resampler's
 * artefacts. A chip becomes x + a (blur(x) - x), blur being the separable [1 2 1] / 4 binomial
 * filter with edges repeated: a > 0 blurs (a = 1 is the blur itself), a < 0 sharpens (unsharp
 * masking), a = 0 leaves the chip as it is. Values are rounded and clamped to 0..255.
 */

/** How often and how strongly: a in [-strength, strength], uniform, for a `probability` share of chips. */
export interface SharpnessJitter {
  readonly probability: number;
  readonly strength: number;
}

const CHANNELS = 3;
const MAX_BYTE = 255;
/** The binomial filter's centre weight; each neighbour weighs (1 - CENTRE) / 2. */
const CENTRE = 0.5;
const SIDE = (1 - CENTRE) / 2;

/** One 1-d pass of the binomial filter along rows (step CHANNELS) or columns (step side * CHANNELS). */
function binomialPass(src: Float32Array, dst: Float32Array, side: number, alongRows: boolean): void {
  const step = alongRows ? CHANNELS : side * CHANNELS;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const at = (y * side + x) * CHANNELS;
      const position = alongRows ? x : y;
      const before = position === 0 ? 0 : step;
      const after = position === side - 1 ? 0 : step;
      for (let c = 0; c < CHANNELS; c++) {
        const i = at + c;
        dst[i] = CENTRE * (src[i] ?? 0) + SIDE * ((src[i - before] ?? 0) + (src[i + after] ?? 0));
      }
    }
  }
}

/** The binomial blur of an S x S HWC chip, as floats. */
export function binomialBlur(chip: Uint8Array, side: number): Float32Array {
  const values = Float32Array.from(chip);
  const rows = new Float32Array(values.length);
  binomialPass(values, rows, side, true);
  binomialPass(rows, values, side, false);
  return values;
}

/** Writes x + amount (blur(x) - x) over the S x S chip at `chip[offset..]`, in place. */
export function adjustSharpness(chip: Uint8Array, side: number, amount: number, offset = 0): void {
  if (amount === 0) return;
  const view = chip.subarray(offset, offset + side * side * CHANNELS);
  const blurred = binomialBlur(view, side);
  for (let i = 0; i < view.length; i++) {
    const x = view[i] ?? 0;
    const v = Math.round(x + amount * ((blurred[i] ?? 0) - x));
    view[i] = Math.min(MAX_BYTE, Math.max(0, v));
  }
}

/** The amount for one chip from two uniform draws in [0, 1): 0 (untouched) or within [-strength, strength]. */
export function sharpnessAmount(jitter: SharpnessJitter, pick: number, draw: number): number {
  return pick < jitter.probability ? jitter.strength * (2 * draw - 1) : 0;
}
