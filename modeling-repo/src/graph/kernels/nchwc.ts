/**
 * ONNX Runtime's NCHWc ("blocked") layout, as float64 reference code. A blocked activation of
 * logical shape [N, Cp, H, W] (Cp = C rounded up to the block size B) is stored as
 * [N, Cp/B, H, W, B]: B consecutive channels side by side, which is what ONNX Runtime's vectorised
 * CPU kernels (MLAS) read. Filters come in two blocked forms (MLAS's names):
 * - OIHWBiBo for dense convs over blocked inputs: [Op/B, Ip/B, KH, KW, B(in), B(out)];
 * - OIHWBo for depthwise convs and for convs over plain NCHW inputs with fewer than B channels:
 *   [Op/B, I, KH, KW, B(out)].
 * Padding channels are zero.
 */

/** C rounded up to a multiple of the block size. */
export function padChannels(channels: number, block: number): number {
  return Math.ceil(channels / block) * block;
}

/** [N, C, P] plain -> [N, Cp/B, P, B] blocked (zero-padded channels). */
export function blockActivation(x: Float64Array, dims: { n: number; c: number; p: number }, block: number): Float64Array {
  const cp = padChannels(dims.c, block);
  const out = new Float64Array(dims.n * cp * dims.p);
  for (let n = 0; n < dims.n; n++) {
    for (let c = 0; c < dims.c; c++) {
      const base = (n * cp + c - (c % block)) * dims.p;
      for (let p = 0; p < dims.p; p++) {
        out[base + p * block + (c % block)] = x[(n * dims.c + c) * dims.p + p] ?? 0;
      }
    }
  }
  return out;
}

/** [N, Cp/B, P, B] blocked -> [N, C, P] plain (the first C channels). */
export function unblockActivation(x: Float64Array, dims: { n: number; c: number; cp: number; p: number }, block: number): Float64Array {
  const out = new Float64Array(dims.n * dims.c * dims.p);
  for (let n = 0; n < dims.n; n++) {
    for (let c = 0; c < dims.c; c++) {
      const base = (n * dims.cp + c - (c % block)) * dims.p;
      for (let p = 0; p < dims.p; p++) {
        out[(n * dims.c + c) * dims.p + p] = x[base + p * block + (c % block)] ?? 0;
      }
    }
  }
  return out;
}

export type FilterForm = 'OIHWBiBo' | 'OIHWBo';

export interface FilterDims {
  /** Output channels (already a multiple of the block). */
  readonly o: number;
  /** Input channels per group as stored: a block multiple for OIHWBiBo. */
  readonly i: number;
  /** Kernel taps (KH * KW). */
  readonly k: number;
}

/** Offset of filter element [o, i, k] in a blocked filter. */
function filterOffset(form: FilterForm, d: FilterDims, block: number, at: readonly [number, number, number]): number {
  const [o, i, k] = at;
  const ob = Math.floor(o / block);
  if (form === 'OIHWBo') {
    return ((ob * d.i + i) * d.k + k) * block + (o % block);
  }
  const ib = Math.floor(i / block);
  return ((((ob * (d.i / block) + ib) * d.k + k) * block + (i % block)) * block) + (o % block);
}

/** Blocked filter -> plain OIHW [O, I, K] (same padded channel counts). */
export function unblockFilter(w: Float64Array, form: FilterForm, d: FilterDims, block: number): Float64Array {
  const out = new Float64Array(d.o * d.i * d.k);
  for (let o = 0; o < d.o; o++) {
    for (let i = 0; i < d.i; i++) {
      for (let k = 0; k < d.k; k++) {
        out[(o * d.i + i) * d.k + k] = w[filterOffset(form, d, block, [o, i, k])] ?? 0;
      }
    }
  }
  return out;
}
