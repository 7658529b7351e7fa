/**
 * Area (box) resizing of RGB chips, written out so that the service can reproduce it bit for bit.
 *
 * Output pixel (ox, oy) of an S x S result covers the source rectangle
 * [ox * W / S, (ox + 1) * W / S) x [oy * H / S, (oy + 1) * H / S). Its value, per channel, is the mean
 * of the source pixels weighted by how much of each pixel's unit square lies in that rectangle,
 * rounded half up. Measured in units of 1/S of a source pixel, every overlap is an integer:
 *   wx(ox, sx) = max(0, min((ox + 1) * W, (sx + 1) * S) - max(ox * W, sx * S))
 *   wy(oy, sy) likewise with H
 *   sum        = sum over sx, sy of wx * wy * p(sx, sy)     (the weights add up to area = W * H)
 *   value      = floor((2 * sum + area) / (2 * area))        (= floor(sum / area + 0.5))
 * All of this is integer arithmetic (exact in float64 below 2^53), so there is no rounding drift
 * between implementations. For an integer factor k = W / S it is the mean of each k x k block
 * rounded half up; when S > W (upscaling) each output pixel takes the one or two source pixels it
 * overlaps, nearest-like.
 */

const CHANNELS = 3;

/** The resize rule as the model card states it, for reimplementations. */
export const RESIZE_DESCRIPTION =
  'area: output pixel (ox,oy) of S x S from W x H averages the source pixels weighted by the integer overlaps ' +
  'wx = max(0, min((ox+1)*W, (sx+1)*S) - max(ox*W, sx*S)) and wy likewise with H; ' +
  'value = floor((2*sum(wx*wy*p) + W*H) / (2*W*H)) per channel (mean rounded half up, exact integer arithmetic)';

/** One step of the chain from a decoded chip to the model input, as in the model card. */
export interface ResizeStep {
  readonly to: number;
  readonly kernel: 'area';
}

/** The resize chain for the model card: any decoded chip goes straight to `size` with `areaResize`. */
export function resizeChain(size: number): ResizeStep[] {
  return [{ to: size, kernel: 'area' }];
}

/** The chain of the baseline: 32 x 32 thumbnails are the model input (the graph upsamples). */
export const RESIZE_CHAIN: readonly ResizeStep[] = resizeChain(32);

interface Taps {
  /** For each output index: first source index and its integer weights. */
  readonly start: Int32Array;
  readonly weights: readonly Float64Array[];
}

/** Integer overlap weights of every output index along one axis (source length n, output m). */
function axisTaps(n: number, m: number): Taps {
  const start = new Int32Array(m);
  const weights: Float64Array[] = [];
  for (let o = 0; o < m; o++) {
    const lo = o * n;
    const hi = (o + 1) * n;
    const first = Math.floor(lo / m);
    const last = Math.ceil(hi / m) - 1;
    const w = new Float64Array(last - first + 1);
    for (let s = first; s <= last; s++) {
      w[s - first] = Math.max(0, Math.min(hi, (s + 1) * m) - Math.max(lo, s * m));
    }
    start[o] = first;
    weights.push(w);
  }
  return { start, weights };
}

/** First pass: weighted sums along x for every source row, as exact integers in float64. */
function resizeRows(rgb: Uint8Array, width: number, height: number, taps: Taps): Float64Array {
  const outWidth = taps.start.length;
  const rows = new Float64Array(height * outWidth * CHANNELS);
  for (let y = 0; y < height; y++) {
    for (let ox = 0; ox < outWidth; ox++) {
      const first = taps.start[ox] ?? 0;
      const w = taps.weights[ox] ?? new Float64Array(0);
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < w.length; k++) {
        const src = (y * width + first + k) * CHANNELS;
        const weight = w[k] ?? 0;
        r += weight * (rgb[src] ?? 0);
        g += weight * (rgb[src + 1] ?? 0);
        b += weight * (rgb[src + 2] ?? 0);
      }
      const dst = (y * outWidth + ox) * CHANNELS;
      rows[dst] = r;
      rows[dst + 1] = g;
      rows[dst + 2] = b;
    }
  }
  return rows;
}

/** Second pass: weighted sums along y, then the half-up rounded mean. */
function resizeColumns(rows: Float64Array, size: number, taps: Taps, area: number): Uint8Array {
  const out = new Uint8Array(size * size * CHANNELS);
  const rowStride = size * CHANNELS;
  for (let oy = 0; oy < size; oy++) {
    const first = taps.start[oy] ?? 0;
    const w = taps.weights[oy] ?? new Float64Array(0);
    for (let i = 0; i < rowStride; i++) {
      let sum = 0;
      for (let k = 0; k < w.length; k++) sum += (w[k] ?? 0) * (rows[(first + k) * rowStride + i] ?? 0);
      out[oy * rowStride + i] = Math.floor((2 * sum + area) / (2 * area));
    }
  }
  return out;
}

/**
 * Resizes an RGB image (HWC, `width` x `height`) to `size` x `size` with the area rule above.
 * Returns the input's bytes unchanged (a copy) when it is already `size` x `size`.
 */
export function areaResize(rgb: Uint8Array, width: number, height: number, size: number): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || !Number.isInteger(size) ||
      width < 1 || height < 1 || size < 1) {
    throw new RangeError(`areaResize: bad dimensions ${width}x${height} -> ${size}`);
  }
  if (rgb.length !== width * height * CHANNELS) {
    throw new RangeError(`areaResize: expected ${width * height * CHANNELS} bytes for ${width}x${height} RGB, got ${rgb.length}`);
  }
  if (width === size && height === size) return rgb.slice();
  const rows = resizeRows(rgb, width, height, axisTaps(width, size));
  return resizeColumns(rows, size, axisTaps(height, size), width * height);
}
