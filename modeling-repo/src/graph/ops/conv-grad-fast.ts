/**
 * The Conv gradient the registry uses: faster formulations where they apply, measured with
 * `npm run bench -- --conv-grad=plain,fast` (1.4-1.5x on a whole MobileNetV2 training step).
 * Each is standard ONNX and rests on a kernel ONNX Runtime's CPU provider runs fast (Conv,
 * MatMul), instead of ConvTranspose for depthwise layers (one tiny GEMM + col2im per channel)
 * and per-tap Slice/Mul/ReduceSum for weight gradients:
 *
 * - input gradient of stride-1, undilated depthwise and dense (group 1) convs: a Conv of dy with
 *   the spatially flipped (and, for dense, transposed) kernel; strided convs keep ConvTranspose
 *   (zero-stuffing dy measured slower);
 * - 1x1 convs (stride 1, no pads) on maps of under 64 pixels: both gradients from one GEMM over
 *   the whole batch, dy laid out [Cout, N*HW] once;
 * - weight gradient of other 1x1 convs: one batched MatMul dy_n x_n^T (the Transpose fuses into
 *   ONNX Runtime's FusedMatMul) and a ReduceSum over the batch;
 * - weight gradient of undilated depthwise convs on maps of up to 16 pixels: one Conv with C
 *   groups of N channels that correlates each channel's input with its dy over the batch (x and
 *   dy laid out channel-major, dilation = forward stride).
 *
 * Everything else (the input gradient of strided convs, the weight gradient of larger depthwise
 * maps and of dense kxk convs, the bias) is the plain rule's, conv-grad.ts.
 */
import type { GradContext, GradFn } from './op-rule.js';
import { attr } from '../ir.js';
import { convGeometry, type ConvGeometry } from '../kernels/conv.js';
import { staticShape } from '../shape.js';
import { depthwiseWeightGradChannelConv } from './conv-grad.js';

/** Below this many pixels per map, per-image GEMMs are too small: use one batch-wide GEMM. */
const SMALL_AREA = 64;
/** Up to this many pixels per map the grouped-conv depthwise weight gradient measured faster. */
const DEPTHWISE_CONV_AREA = 16;

interface Shapes { x: number[]; w: number[]; y: number[] }

function flipSpatial(b: GradContext['b'], w: string, k: readonly [number, number]): string {
  const rows = b.int64s(Array.from({ length: k[0] }, (_, i) => k[0] - 1 - i));
  const cols = b.int64s(Array.from({ length: k[1] }, (_, i) => k[1] - 1 - i));
  return b.op('Gather', [b.op('Gather', [w, rows], { axis: attr.int(2) }), cols], { axis: attr.int(3) });
}

/** dy with stride-1 zeros between its values on both spatial axes: [N,C,oh*s,ow*s]. */
function zeroStuff(b: GradContext['b'], dy: string, s: Shapes, stride: readonly [number, number]): string {
  if (stride[0] === 1 && stride[1] === 1) {
    return dy;
  }
  const [n = 1, c = 1, oh = 1, ow = 1] = s.y;
  const six = b.op('Reshape', [dy, b.int64s([n, c, oh, 1, ow, 1])]);
  const padded = b.op('Pad', [six, b.int64s([0, 0, 0, 0, 0, 0, 0, 0, 0, stride[0] - 1, 0, stride[1] - 1])]);
  return b.op('Reshape', [padded, b.int64s([n, c, oh * stride[0], ow * stride[1]])]);
}

/** Element i of a shape, 1 when absent. */
function at(dims: readonly number[], i: number): number {
  return dims[i] ?? 1;
}

/** Stride-1 convs only: zero-stuffing a strided dy measured slower than ConvTranspose. */
function convertible(g: ConvGeometry, depthwise: boolean): boolean {
  return g.dilations.every((d) => d === 1) && g.strides.every((v) => v === 1) && (depthwise || g.group === 1);
}

/** dx = Conv(dy, flipped kernel), padded so the output has x's size. */
function inputGradByConv(ctx: GradContext, g: ConvGeometry, s: Shapes, depthwise: boolean): string | null {
  const { b } = ctx;
  if (!convertible(g, depthwise)) {
    return null;
  }
  const up = zeroStuff(b, ctx.dy[0] ?? '', s, g.strides);
  const w = ctx.x[1] ?? '';
  const kernel = depthwise ? w : b.op('Transpose', [w], { perm: attr.ints([1, 0, 2, 3]) });
  const flipped = flipSpatial(b, kernel, g.kernel);
  const before = [g.kernel[0] - 1 - g.pads[0], g.kernel[1] - 1 - g.pads[1]];
  const after = [0, 1].map((a) => at(s.x, a + 2) - at(s.y, a + 2) * at([...g.strides], a) - at(before, a) + at([...g.kernel], a) - 1);
  const pads = [...before, ...after];
  if (pads.some((v) => v < 0)) {
    return null;
  }
  return b.op('Conv', [up, flipped], { kernel_shape: attr.ints([...g.kernel]), pads: attr.ints(pads), group: attr.int(depthwise ? g.group : 1) });
}

function pointwiseWeightGrad(ctx: GradContext, s: Shapes): string {
  const { b } = ctx;
  const [n = 1, cin = 1, h = 1, w = 1] = s.x;
  const cout = s.w[0] ?? 1;
  const x3 = b.op('Reshape', [ctx.x[0] ?? '', b.int64s([n, cin, h * w])]);
  const dy3 = b.op('Reshape', [ctx.dy[0] ?? '', b.int64s([n, cout, h * w])]);
  const perImage = b.op('MatMul', [dy3, b.op('Transpose', [x3], { perm: attr.ints([0, 2, 1]) })]);
  const sum = b.op('ReduceSum', [perImage, b.int64s([0])], { keepdims: attr.int(0) });
  return b.op('Reshape', [sum, b.int64s(s.w)]);
}

/**
 * Small feature maps: one GEMM over the whole batch instead of one tiny GEMM per image.
 * dy is laid out [Cout, N*HW] once and serves both gradients.
 */
function pointwiseSmall(ctx: GradContext, s: Shapes): { dx: string; dw: string } {
  const { b } = ctx;
  const [n = 1, cin = 1, h = 1, w = 1] = s.x;
  const cout = s.w[0] ?? 1;
  const dyT = b.op('Reshape', [b.op('Transpose', [ctx.dy[0] ?? ''], { perm: attr.ints([1, 0, 2, 3]) }), b.int64s([cout, n * h * w])]);
  const w2 = b.op('Reshape', [ctx.x[1] ?? '', b.int64s([cout, cin])]);
  const dxT = b.op('MatMul', [b.op('Transpose', [w2], { perm: attr.ints([1, 0]) }), dyT]);
  const dx = b.op('Transpose', [b.op('Reshape', [dxT, b.int64s([cin, n, h, w])])], { perm: attr.ints([1, 0, 2, 3]) });
  const xRows = b.op('Reshape', [b.op('Transpose', [ctx.x[0] ?? ''], { perm: attr.ints([0, 2, 3, 1]) }), b.int64s([n * h * w, cin])]);
  const dw = b.op('Reshape', [b.op('MatMul', [dyT, xRows]), b.int64s(s.w)]);
  return { dx, dw };
}

/** The C-group form of conv-grad.ts: x and dy channel-major, so the Conv sums over the batch. */
function depthwiseWeightGrad(ctx: GradContext, g: ConvGeometry, s: Shapes): string {
  return depthwiseWeightGradChannelConv(ctx.b, ctx.x[0] ?? '', ctx.dy[0] ?? '', g, s);
}

interface Plan {
  readonly s: Shapes;
  readonly g: ConvGeometry;
  readonly depthwise: boolean;
  readonly pointwise: boolean;
  /** Pixels per input feature map. */
  readonly area: number;
}

function plan(ctx: GradContext): Plan {
  const shape = (name: string): number[] => staticShape(ctx.b.info(name).shape, 'Conv gradient');
  const s: Shapes = { x: shape(ctx.x[0] ?? ''), w: shape(ctx.x[1] ?? ''), y: shape(ctx.y[0] ?? '') };
  const g = convGeometry(ctx.node.attrs, s.x.slice(2), s.w.slice(2));
  return {
    s,
    g,
    depthwise: s.w[1] === 1 && g.group === s.x[1] && s.w[0] === g.group,
    pointwise: g.group === 1 && g.kernel.every((k) => k === 1) && g.strides.every((v) => v === 1) && g.pads.every((v) => v === 0),
    area: at(s.x, 2) * at(s.x, 3),
  };
}

function weightGrad(ctx: GradContext, p: Plan, fallback: string | null): string | null {
  if (ctx.needs[1] !== true) {
    return null;
  }
  if (p.pointwise) {
    return pointwiseWeightGrad(ctx, p.s);
  }
  const plainDepthwise = p.depthwise && p.g.dilations.every((d) => d === 1) && p.area <= DEPTHWISE_CONV_AREA;
  return plainDepthwise ? depthwiseWeightGrad(ctx, p.g, p.s) : fallback;
}

/** Wraps the plain Conv rule: the faster forms where they apply, the plain one elsewhere. */
export function fastConvGrad(original: GradFn): GradFn {
  return (ctx) => {
    const p = plan(ctx);
    // The original's nodes that end up unused are pruned when the graph is built.
    const [fdx = null, fdw = null, fdb = null] = original(ctx);
    const db = ctx.x[2] === undefined || ctx.x[2] === '' ? null : fdb;
    if (p.pointwise && p.area < SMALL_AREA) {
      const small = pointwiseSmall(ctx, p.s);
      return [ctx.needs[0] === true ? small.dx : null, ctx.needs[1] === true ? small.dw : null, db];
    }
    const dx = ctx.needs[0] === true ? (inputGradByConv(ctx, p.g, p.s, p.depthwise) ?? fdx) : null;
    return [dx, weightGrad(ctx, p, fdw), db];
  };
}
