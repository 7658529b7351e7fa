/**
 * Resizing exactly as the modeling pipeline does. The only kernel the pipeline emits is `area`: each
 * output pixel is the mean of the input pixels it covers, weighted by covered area, rounded half up.
 * Integer reduction factors use k x k block means; other factors, upscaling included, use
 * pixel-area overlaps. Both sum in integers (held in float64), so the means are exact. Written in TypeScript rather than with sharp so that the
 * arithmetic (and so every rounding) is the one the card describes.
 */
import { RGB_CHANNELS } from '../contract/index.js';
import type { RgbImage } from './rgb.js';

export interface ResizeStep {
  readonly to: number;
  readonly kernel: string;
}

type Kernel = (image: RgbImage, width: number, height: number) => RgbImage;

const HALF = 0.5;

/** Rounds a non-negative mean half up, as the pipeline does. */
function roundHalfUp(value: number): number {
  return Math.floor(value + HALF);
}

/** Adds the fx-pixel runs of one input row into the per-output-column channel sums. */
function addRow(src: Uint8Array, start: number, fx: number, sums: Uint32Array): void {
  let p = start;
  for (let s = 0; s < sums.length; s += RGB_CHANNELS) {
    let r = 0;
    let g = 0;
    let b = 0;
    for (let k = 0; k < fx; k++, p += RGB_CHANNELS) {
      r += src[p] ?? 0;
      g += src[p + 1] ?? 0;
      b += src[p + 2] ?? 0;
    }
    sums[s] = (sums[s] ?? 0) + r;
    sums[s + 1] = (sums[s + 1] ?? 0) + g;
    sums[s + 2] = (sums[s + 2] ?? 0) + b;
  }
}

/** Integer factors: mean of each fx x fy block, summed in integers so there is no float error. */
function blockMean(image: RgbImage, width: number, height: number): RgbImage {
  const fx = image.width / width;
  const fy = image.height / height;
  const count = fx * fy;
  const out = new Uint8Array(width * height * RGB_CHANNELS);
  const sums = new Uint32Array(width * RGB_CHANNELS);
  for (let oy = 0; oy < height; oy++) {
    sums.fill(0);
    for (let y = oy * fy; y < (oy + 1) * fy; y++) addRow(image.data, y * image.width * RGB_CHANNELS, fx, sums);
    const base = oy * width * RGB_CHANNELS;
    for (let i = 0; i < sums.length; i++) out[base + i] = roundHalfUp((sums[i] ?? 0) / count);
  }
  return { width, height, data: out };
}

interface AxisWeights {
  readonly first: Int32Array;
  readonly weights: Int32Array[];
}

/**
 * For each output index, the first covered input index and the overlap of each covered input pixel,
 * in units of 1/outSize of an input pixel, so every weight is an integer and the sums below are exact.
 */
function axisWeights(inSize: number, outSize: number): AxisWeights {
  const first = new Int32Array(outSize);
  const weights: Int32Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const lo = o * inSize;
    const hi = (o + 1) * inSize;
    const start = Math.floor(lo / outSize);
    const end = Math.min(inSize, Math.ceil(hi / outSize));
    const w = new Int32Array(end - start);
    for (let i = start; i < end; i++) w[i - start] = Math.min(hi, (i + 1) * outSize) - Math.max(lo, i * outSize);
    first[o] = start;
    weights.push(w);
  }
  return { first, weights };
}

/** Area-weighted channel sums of one output pixel (exact integers held in float64). */
function overlapSums(image: RgbImage, xs: AxisWeights, ys: AxisWeights, ox: number, oy: number): [number, number, number] {
  const acc: [number, number, number] = [0, 0, 0];
  const wy = ys.weights[oy] ?? new Int32Array(0);
  const wx = xs.weights[ox] ?? new Int32Array(0);
  const x0 = xs.first[ox] ?? 0;
  const y0 = ys.first[oy] ?? 0;
  for (let j = 0; j < wy.length; j++) {
    for (let i = 0; i < wx.length; i++) {
      const w = (wy[j] ?? 0) * (wx[i] ?? 0);
      const p = ((y0 + j) * image.width + x0 + i) * RGB_CHANNELS;
      acc[0] += w * (image.data[p] ?? 0);
      acc[1] += w * (image.data[p + 1] ?? 0);
      acc[2] += w * (image.data[p + 2] ?? 0);
    }
  }
  return acc;
}

/**
 * Any factor, upscaling included: the pixel-area-overlap weighted mean. The weights of one output
 * pixel add up to inWidth * inHeight, so the mean is sum / total, rounded half up with integer
 * arithmetic: floor((2 * sum + total) / (2 * total)). No float error can move a tie.
 */
function overlapMean(image: RgbImage, width: number, height: number): RgbImage {
  const xs = axisWeights(image.width, width);
  const ys = axisWeights(image.height, height);
  const total = image.width * image.height;
  const out = new Uint8Array(width * height * RGB_CHANNELS);
  for (let oy = 0; oy < height; oy++) {
    for (let ox = 0; ox < width; ox++) {
      const sums = overlapSums(image, xs, ys, ox, oy);
      const p = (oy * width + ox) * RGB_CHANNELS;
      for (let c = 0; c < RGB_CHANNELS; c++) out[p + c] = Math.floor((2 * (sums[c] ?? 0) + total) / (2 * total));
    }
  }
  return { width, height, data: out };
}

/** AREA (box) resize of an RGB image to width x height. */
export function areaResize(image: RgbImage, width: number, height: number): RgbImage {
  if (image.width === width && image.height === height) return image;
  const integerReduction = image.width % width === 0 && image.height % height === 0;
  return integerReduction ? blockMean(image, width, height) : overlapMean(image, width, height);
}

const KERNELS: Readonly<Record<string, Kernel>> = { area: areaResize };

export const SUPPORTED_KERNELS: readonly string[] = Object.keys(KERNELS);

export function isSupportedKernel(kernel: string): boolean {
  return Object.hasOwn(KERNELS, kernel);
}

/** Applies a card's resize chain; a step whose size the image already has leaves it unchanged. */
export function applyResizeChain(image: RgbImage, steps: readonly ResizeStep[]): RgbImage {
  let current = image;
  for (const step of steps) {
    const kernel = Object.hasOwn(KERNELS, step.kernel) ? KERNELS[step.kernel] : undefined;
    if (kernel === undefined) throw new Error(`resize kernel '${step.kernel}' is not supported (supported: ${SUPPORTED_KERNELS.join(', ')})`);
    current = kernel(current, step.to, step.to);
  }
  return current;
}
