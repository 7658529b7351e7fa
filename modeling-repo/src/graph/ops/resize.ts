import { stringAttr } from '../attrs.js';
import type { Attrs, Dim, Tensor } from '../ir.js';
import { numel } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { mapDim, need, showShape } from '../shape.js';
import { makeTensor, refDType, toFloat64, toNumbers } from '../tensor.js';
import type { OpRule } from './op-rule.js';

const HALF = 0.5;

interface ResizeArgs {
  readonly scales?: number[];
  readonly sizes?: number[];
}

function args(scales: Tensor | undefined, sizes: Tensor | undefined): ResizeArgs {
  const sc = scales === undefined || scales.data.length === 0 ? undefined : toNumbers(scales);
  const sz = sizes === undefined || sizes.data.length === 0 ? undefined : toNumbers(sizes);
  if (sc === undefined && sz === undefined) {
    throw new Error('Resize: needs constant scales or sizes');
  }
  return sz === undefined ? { scales: sc ?? [] } : { sizes: sz };
}

function outShape(shape: readonly Dim[], a: ResizeArgs): Dim[] {
  if (a.sizes !== undefined) {
    return [...a.sizes];
  }
  return shape.map((d, i) => mapDim(d, (n) => Math.floor(n * (a.scales?.[i] ?? 1))));
}

/** Input coordinate that output coordinate `x` maps to, per coordinate_transformation_mode. */
function source(mode: string, x: number, inSize: number, outSize: number, scale: number): number {
  switch (mode) {
    case 'asymmetric':
      return x / scale;
    case 'align_corners':
      return outSize === 1 ? 0 : (x * (inSize - 1)) / (outSize - 1);
    case 'pytorch_half_pixel':
      return outSize > 1 ? (x + HALF) / scale - HALF : 0;
    case 'tf_half_pixel_for_nn':
      return (x + HALF) / scale;
    default:
      return (x + HALF) / scale - HALF;
  }
}

function nearest(mode: string, v: number): number {
  switch (mode) {
    case 'floor':
      return Math.floor(v);
    case 'ceil':
      return Math.ceil(v);
    case 'round_prefer_ceil':
      return Math.round(v);
    default:
      return Math.ceil(v - HALF);
  }
}

/** Per output index along one axis: [input index, weight] pairs to sum. */
function axisTaps(attrs: Attrs, inSize: number, outSize: number, scale: number): [number, number][][] {
  const mode = stringAttr(attrs, 'mode', 'nearest');
  const coord = stringAttr(attrs, 'coordinate_transformation_mode', 'half_pixel');
  const clampIdx = (i: number): number => Math.min(inSize - 1, Math.max(0, i));
  return Array.from({ length: outSize }, (_, x) => {
    const s = source(coord, x, inSize, outSize, scale);
    if (mode === 'nearest') {
      return [[clampIdx(nearest(stringAttr(attrs, 'nearest_mode', 'round_prefer_floor'), s)), 1]];
    }
    if (mode !== 'linear') {
      throw new Error(`Resize: mode "${mode}" is not supported (nearest, linear)`);
    }
    const lo = Math.floor(s);
    const t = s - lo;
    return [
      [clampIdx(lo), 1 - t],
      [clampIdx(lo + 1), t],
    ];
  });
}

function resize2d(x: Tensor, dims: readonly number[], attrs: Attrs, scales: readonly number[]): Float64Array {
  const [h, w] = x.dims.slice(2).map(Number) as [number, number];
  const [oh, ow] = dims.slice(2).map(Number) as [number, number];
  const rows = axisTaps(attrs, h, oh, scales[2] ?? oh / h);
  const cols = axisTaps(attrs, w, ow, scales[3] ?? ow / w);
  const xv = toFloat64(x);
  const out = new Float64Array(numel(dims));
  for (let i = 0; i < out.length; i++) {
    const base = Math.floor(i / (oh * ow)) * h * w;
    let s = 0;
    for (const [r, wr] of rows[Math.floor(i / ow) % oh] ?? []) {
      s += wr * (cols[i % ow] ?? []).reduce((acc, [k, wc]) => acc + wc * (xv[base + r * w + k] ?? 0), 0);
    }
    out[i] = s;
  }
  return out;
}

/** Resize of NCHW images on H and W (nearest or linear). No gradient: it is applied to the input image. */
export const resize: OpRule = {
  op: 'Resize',
  infer: (inputs) => {
    const x = need(inputs, 0, 'Resize');
    const shape = outShape(x.shape, args(inputs[2]?.value, inputs[3]?.value));
    if (shape.length !== x.shape.length) {
      throw new Error(`Resize: output rank of ${showShape(shape)} differs from input ${showShape(x.shape)}`);
    }
    return [{ dtype: x.dtype, shape }];
  },
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'Resize');
    const a = args(inputs[2], inputs[3]);
    const dims = outShape(x.dims, a).map(Number);
    if (x.dims.length !== 4 || dims[0] !== x.dims[0] || dims[1] !== x.dims[1]) {
      throw new Error(`Resize: only spatial resizing of NCHW is supported (${showShape(x.dims)} -> ${showShape(dims)})`);
    }
    return [makeTensor(refDType(x.dtype), dims, resize2d(x, dims, attrs, a.scales ?? []))];
  },
  grad: null,
};
