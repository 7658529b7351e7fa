/**
 * Convolution geometry (attributes resolved to explicit pads) and float64 reference kernels for
 * 2-d Conv and ConvTranspose in NCHW. Spatial rank 2 only: that is what image backbones use.
 */
import { intAttr, optionalInts, stringAttr } from '../attrs.js';
import type { Attrs, Dim } from '../ir.js';
import { mapDim, showShape } from '../shape.js';

export interface ConvGeometry {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  /** [top, left, bottom, right], as ONNX orders pads. */
  readonly pads: readonly [number, number, number, number];
  readonly group: number;
}

function pair(v: readonly number[] | undefined, fallback: number, what: string): [number, number] {
  if (v === undefined) {
    return [fallback, fallback];
  }
  if (v.length !== 2) {
    throw new Error(`${what} [${v.join(',')}]: only 2-d spatial ops are supported`);
  }
  return [v[0] ?? fallback, v[1] ?? fallback];
}

/** Output size of a convolution or pooling window along one axis. */
export function outSize(size: number, k: number, s: number, d: number, padTotal: number): number {
  return Math.floor((size + padTotal - d * (k - 1) - 1) / s) + 1;
}

function autoPads(
  mode: string,
  input: readonly Dim[],
  g: Omit<ConvGeometry, 'pads' | 'group'>,
): [number, number, number, number] {
  const total = [0, 1].map((a) => {
    const size = input[a];
    if (typeof size !== 'number') {
      throw new Error(`auto_pad ${mode} needs static spatial dims, got ${showShape(input)}`);
    }
    const s = g.strides[a] ?? 1;
    const out = Math.ceil(size / s);
    return Math.max(0, (out - 1) * s + (g.dilations[a] ?? 1) * ((g.kernel[a] ?? 1) - 1) + 1 - size);
  });
  const [th = 0, tw = 0] = total;
  const small = [Math.floor(th / 2), Math.floor(tw / 2)];
  const big = [th - (small[0] ?? 0), tw - (small[1] ?? 0)];
  const [begin, end] = mode === 'SAME_UPPER' ? [small, big] : [big, small];
  return [begin[0] ?? 0, begin[1] ?? 0, end[0] ?? 0, end[1] ?? 0];
}

/** Resolves kernel, strides, dilations, pads (auto_pad included) and group for a 2-d window op. */
export function convGeometry(attrs: Attrs, inputSpatial: readonly Dim[], kernelSpatial?: readonly number[]): ConvGeometry {
  const kernel = pair(optionalInts(attrs, 'kernel_shape') ?? kernelSpatial, 1, 'kernel_shape');
  const strides = pair(optionalInts(attrs, 'strides'), 1, 'strides');
  const dilations = pair(optionalInts(attrs, 'dilations'), 1, 'dilations');
  const mode = stringAttr(attrs, 'auto_pad', 'NOTSET');
  const base = { kernel, strides, dilations };
  let pads: [number, number, number, number];
  if (mode === 'SAME_UPPER' || mode === 'SAME_LOWER') {
    pads = autoPads(mode, inputSpatial, base);
  } else {
    const p = optionalInts(attrs, 'pads') ?? [0, 0, 0, 0];
    if (p.length !== 4) {
      throw new Error(`pads [${p.join(',')}]: only 2-d spatial ops are supported`);
    }
    pads = mode === 'VALID' ? [0, 0, 0, 0] : [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 0];
  }
  return { ...base, pads, group: intAttr(attrs, 'group', 1) };
}

export function convOutSpatial(input: readonly Dim[], g: ConvGeometry): Dim[] {
  return [0, 1].map((a) =>
    mapDim(input[a] ?? 1, (n) => outSize(n, g.kernel[a] ?? 1, g.strides[a] ?? 1, g.dilations[a] ?? 1, (g.pads[a] ?? 0) + (g.pads[a + 2] ?? 0))),
  );
}

export interface ConvShapes {
  readonly n: number;
  readonly cin: number;
  readonly h: number;
  readonly w: number;
  readonly cout: number;
  readonly oh: number;
  readonly ow: number;
}

/**
 * Direct convolution: calls visit(xIndex, wIndex, yIndex) for every product that contributes
 * y[n,co,oh,ow] += x[n,ci,ih,iw] * w[co,ci/group,i,j]. ConvTranspose runs the same loops as an adjoint.
 */
export function convLoops(s: ConvShapes, g: ConvGeometry, visit: (xIndex: number, wIndex: number, yIndex: number) => void): void {
  const cinG = s.cin / g.group;
  const coutG = s.cout / g.group;
  const total = s.n * s.cout * s.oh * s.ow;
  for (let yIndex = 0; yIndex < total; yIndex++) {
    const ox = yIndex % s.ow;
    const oy = Math.floor(yIndex / s.ow) % s.oh;
    const co = Math.floor(yIndex / (s.ow * s.oh)) % s.cout;
    const n = Math.floor(yIndex / (s.ow * s.oh * s.cout));
    tapLoop(s, g, { n, co, grp: Math.floor(co / coutG), cinG, oy, ox, yIndex }, visit);
  }
}

interface TapPos {
  n: number;
  co: number;
  grp: number;
  cinG: number;
  oy: number;
  ox: number;
  yIndex: number;
}

function tapLoop(s: ConvShapes, g: ConvGeometry, p: TapPos, visit: (x: number, w: number, y: number) => void): void {
  const [kh, kw] = g.kernel;
  for (let c = 0; c < p.cinG; c++) {
    const ci = p.grp * p.cinG + c;
    for (let t = 0; t < kh * kw; t++) {
      const i = Math.floor(t / kw);
      const j = t % kw;
      const iy = p.oy * g.strides[0] - g.pads[0] + i * g.dilations[0];
      const ix = p.ox * g.strides[1] - g.pads[1] + j * g.dilations[1];
      if (iy >= 0 && iy < s.h && ix >= 0 && ix < s.w) {
        visit(((p.n * s.cin + ci) * s.h + iy) * s.w + ix, ((p.co * p.cinG + c) * kh + i) * kw + j, p.yIndex);
      }
    }
  }
}
