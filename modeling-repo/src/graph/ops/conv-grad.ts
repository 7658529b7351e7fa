/**
 * The plain Conv gradient rule, standard ONNX ops for any geometry. The registry's Conv rule
 * (conv-grad-fast.ts) wraps it and replaces parts where faster forms apply; the NCHWc rule
 * (nchwc-conv-grad.ts) falls back on its pieces.
 * - input: one ConvTranspose with the forward geometry (output_padding recovers the input size);
 * - weight, depthwise: one Conv with N*C groups (x as input, dy as kernel, strides as dilations).
 *   Measured with bench/depthwise.ts on MobileNetV2-sized layers (batch 32), it beat the
 *   sum over kernel taps (Slice * dy, ReduceSum) by 1.3-3x on ONNX Runtime 1.30's CPU provider;
 * - weight, other groups: a sum over kernel taps, each a strided Slice of the padded input
 *   contracted with dy by one batched MatMul (x and dy are transposed once);
 * - bias: ReduceSum of dy over batch and space.
 * The other depthwise forms (taps, C groups of N channels) are here for the registry's rule and
 * for bench/depthwise.ts.
 */
import type { GraphBuilder } from '../builder.js';
import type { Attrs } from '../ir.js';
import type { ConvGeometry } from '../kernels/conv.js';
import { convGeometry } from '../kernels/conv.js';
import { staticShape } from '../shape.js';
import { dy0 } from './grad-util.js';
import type { GradContext } from './op-rule.js';

const ints = (value: readonly number[]): Attrs[string] => ({ kind: 'ints', value: [...value] });
const int = (value: number): Attrs[string] => ({ kind: 'int', value });

/** x is viewed as [N, group, C/group, H, W] for the grouped weight gradient. */
const GROUPED_RANK = 5;

export interface ConvGradShapes {
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly y: readonly number[];
}

export function inputGrad(b: GraphBuilder, dy: string, w: string, g: ConvGeometry, s: ConvGradShapes): string {
  const outputPadding = ([0, 1] as const).map((a) => {
    const span = (g.kernel[a] - 1) * g.dilations[a] + 1;
    const expected = g.strides[a] * ((s.y[a + 2] ?? 1) - 1) + span - g.pads[a] - (a === 0 ? g.pads[2] : g.pads[3]);
    return (s.x[a + 2] ?? 1) - expected;
  });
  return b.op('ConvTranspose', [dy, w], {
    strides: ints(g.strides),
    pads: ints(g.pads),
    dilations: ints(g.dilations),
    group: int(g.group),
    kernel_shape: ints(g.kernel),
    output_padding: ints(outputPadding),
  });
}

/** Zero-pads the two trailing (spatial) axes of a rank-`rank` value by the conv pads. */
export function padSpatial(b: GraphBuilder, x: string, g: ConvGeometry, rank: number, fill?: string): string {
  if (g.pads.every((p) => p === 0)) {
    return x;
  }
  const zeros = new Array<number>(rank - 2).fill(0);
  const pads = b.int64s([...zeros, g.pads[0], g.pads[1], ...zeros, g.pads[2], g.pads[3]]);
  return b.op('Pad', fill === undefined ? [x, pads] : [x, pads, fill]);
}

/** The input values that kernel tap (i, j) meets at every output position: [..., oh, ow]. */
export function tap(b: GraphBuilder, xPad: string, g: ConvGeometry, s: ConvGradShapes, ij: readonly [number, number]): string {
  const [oh = 1, ow = 1] = s.y.slice(2);
  const starts = [ij[0] * g.dilations[0], ij[1] * g.dilations[1]];
  const ends = [(starts[0] ?? 0) + (oh - 1) * g.strides[0] + 1, (starts[1] ?? 0) + (ow - 1) * g.strides[1] + 1];
  const rank = b.info(xPad).shape.length;
  const padded = b.info(xPad).shape;
  if (starts[0] === 0 && starts[1] === 0 && g.strides.every((v) => v === 1) && padded[rank - 2] === oh && padded[rank - 1] === ow) {
    return xPad;
  }
  return b.op('Slice', [xPad, b.int64s(starts), b.int64s(ends), b.int64s([rank - 2, rank - 1]), b.int64s([...g.strides])]);
}

export function taps(g: ConvGeometry): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < g.kernel[0]; i++) {
    for (let j = 0; j < g.kernel[1]; j++) {
      out.push([i, j]);
    }
  }
  return out;
}

/** Depthwise weight gradient as a sum over taps: per tap, Mul then ReduceSum (kept for comparison). */
export function depthwiseWeightGradTaps(b: GraphBuilder, x: string, dy: string, g: ConvGeometry, s: ConvGradShapes): string {
  const xPad = padSpatial(b, x, g, 4);
  // Spatial sums first: contiguous reductions are the fast ones in ONNX Runtime.
  const parts = taps(g).map((ij) =>
    b.op('ReduceSum', [b.op('Mul', [tap(b, xPad, g, s, ij), dy]), b.int64s([2, 3])], { keepdims: int(1) }),
  );
  const c = s.w[0] ?? 1;
  const stacked = parts.length === 1 ? (parts[0] ?? '') : b.op('Concat', parts, { axis: int(2) });
  const summed = b.op('ReduceSum', [stacked, b.int64s([0])], { keepdims: int(0) });
  const perChannel = b.op('Reshape', [summed, b.int64s([c, parts.length])]);
  return b.op('Reshape', [perChannel, b.int64s(s.w)]);
}

/** Depthwise weight gradient as one Conv with N*C groups (x as the input, dy as the kernel). */
export function depthwiseWeightGradGroupedConv(b: GraphBuilder, x: string, dy: string, g: ConvGeometry, s: ConvGradShapes): string {
  const [n = 1, c = 1, h = 1, w = 1] = s.x;
  const [oh = 1, ow = 1] = s.y.slice(2);
  const xr = b.op('Reshape', [x, b.int64s([1, n * c, h, w])]);
  const k = b.op('Reshape', [dy, b.int64s([n * c, 1, oh, ow])]);
  const full = b.op('Conv', [xr, k], { group: int(n * c), dilations: ints(g.strides), pads: ints(g.pads), strides: ints(g.dilations) });
  const sliced = b.op('Slice', [full, b.int64s([0, 0]), b.int64s([g.kernel[0], g.kernel[1]]), b.int64s([2, 3])]);
  const perImage = b.op('Reshape', [sliced, b.int64s([n, c, g.kernel[0], g.kernel[1]])]);
  return b.op('Reshape', [b.op('ReduceSum', [perImage, b.int64s([0])], { keepdims: int(0) }), b.int64s(s.w)]);
}

/**
 * Depthwise weight gradient as one Conv with C groups of N channels: x and dy are transposed to
 * [1, C*N, ...] and [C, N, oh, ow], so the convolution itself sums over the batch.
 */
export function depthwiseWeightGradChannelConv(b: GraphBuilder, x: string, dy: string, g: ConvGeometry, s: ConvGradShapes): string {
  const [n = 1, c = 1, h = 1, w = 1] = s.x;
  const [oh = 1, ow = 1] = s.y.slice(2);
  const perm = { perm: ints([1, 0, 2, 3]) };
  const xr = b.op('Reshape', [b.op('Transpose', [x], perm), b.int64s([1, c * n, h, w])]);
  const k = b.op('Transpose', [dy], perm);
  const full = b.op('Conv', [xr, k], { group: int(c), dilations: ints(g.strides), pads: ints(g.pads), strides: ints(g.dilations) });
  const [kh, kw] = g.kernel;
  const sliced = oh === kh && ow === kw ? full : b.op('Slice', [full, b.int64s([0, 0]), b.int64s([kh, kw]), b.int64s([2, 3])]);
  return b.op('Reshape', [sliced, b.int64s(s.w)]);
}

/** Any group: per tap a batched MatMul [G, cg, N*P] x [G, N*P, og] with x and dy transposed once. */
export function generalWeightGrad(b: GraphBuilder, x: string, dy: string, g: ConvGeometry, s: ConvGradShapes): string {
  const [n = 1, cin = 1, h = 1, w = 1] = s.x;
  const [, cout = 1, oh = 1, ow = 1] = s.y;
  const cg = cin / g.group;
  const og = cout / g.group;
  const np = n * oh * ow;
  const x5 = b.op('Reshape', [x, b.int64s([n, g.group, cg, h, w])]);
  const xT = padSpatial(b, b.op('Transpose', [x5], { perm: ints([1, 2, 0, 3, 4]) }), g, GROUPED_RANK);
  const dy4 = b.op('Reshape', [dy, b.int64s([n, g.group, og, oh * ow])]);
  const dyT = b.op('Reshape', [b.op('Transpose', [dy4], { perm: ints([1, 0, 3, 2]) }), b.int64s([g.group, np, og])]);
  const parts = taps(g).map((ij) => {
    const xs = b.op('Reshape', [tap(b, xT, g, s, ij), b.int64s([g.group, cg, np])]);
    return b.op('Unsqueeze', [b.op('MatMul', [xs, dyT]), b.int64s([3])]);
  });
  const stacked = parts.length === 1 ? (parts[0] ?? '') : b.op('Concat', parts, { axis: int(3) });
  const ordered = b.op('Transpose', [stacked], { perm: ints([0, 2, 1, 3]) });
  return b.op('Reshape', [ordered, b.int64s(s.w)]);
}

export function convGrad({ b, node, x: [x = '', w = '', bias = ''], y: [y = ''], dy, needs }: GradContext): (string | null)[] {
  const g0 = dy0(dy, 'Conv');
  const s: ConvGradShapes = {
    x: staticShape(b.info(x).shape, 'Conv gradient'),
    w: staticShape(b.info(w).shape, 'Conv gradient'),
    y: staticShape(b.info(y).shape, 'Conv gradient'),
  };
  const g = convGeometry(node.attrs, s.x.slice(2), s.w.slice(2));
  const depthwise = s.w[1] === 1 && g.group === s.x[1] && s.w[0] === g.group;
  const dx = needs[0] === true ? inputGrad(b, g0, w, g, s) : null;
  let dw: string | null = null;
  if (needs[1] === true) {
    dw = depthwise ? depthwiseWeightGradGroupedConv(b, x, g0, g, s) : generalWeightGrad(b, x, g0, g, s);
  }
  const db = bias !== '' && needs[2] === true ? b.op('ReduceSum', [g0, b.int64s([0, 2, 3])], { keepdims: int(0) }) : null;
  return [dx, dw, db];
}
