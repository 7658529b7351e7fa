/**
 * Building blocks for graphs in ONNX Runtime's NCHWc layout (see kernels/nchwc.ts for the memory
 * layout): the domain, the block-size annotation every NCHWc node carries for its reference
 * kernel, and the standard-op subgraphs that move filters and activations in and out of blocked
 * form. Filters are small, so reordering them with Reshape/Transpose inside the graph costs
 * little, and keeps their gradients automatic (those ops have rules).
 */
import { intAttr } from '../attrs.js';
import type { GraphBuilder } from '../builder.js';
import { attr, type Attrs, type Graph } from '../ir.js';
import type { FilterForm } from '../kernels/nchwc.js';
import { padChannels } from '../kernels/nchwc.js';
import { staticShape } from '../shape.js';

export const NCHWC_DOMAIN = 'com.microsoft.nchwc';
/** Annotation (never serialized) with the block size the node's blocked values use. */
export const BLOCK_ATTR = '_block';

export function blockOf(attrs: Attrs): number {
  return intAttr(attrs, BLOCK_ATTR);
}

/** Plain NCHW (or NHWC) activation -> blocked [N, Cp, H, W]. */
export function reorderInput(b: GraphBuilder, x: string, block: number, channelsLast = false): string {
  return b.op('ReorderInput', [x], { channels_last: attr.int(channelsLast ? 1 : 0), [BLOCK_ATTR]: attr.int(block) }, NCHWC_DOMAIN);
}

/** Blocked activation -> its first `channels` channels, NCHW (or NHWC). */
export function reorderOutput(b: GraphBuilder, x: string, block: number, channels: number, channelsLast = false): string {
  const attrs = { channels: attr.int(channels), channels_last: attr.int(channelsLast ? 1 : 0), [BLOCK_ATTR]: attr.int(block) };
  return b.op('ReorderOutput', [x], attrs, NCHWC_DOMAIN);
}

/** Zero-pads axes 0 and 1 of a filter [O, I, KH, KW] to [o, i, KH, KW]. */
export function padFilter(b: GraphBuilder, w: string, o: number, i: number): string {
  const [wo = 1, wi = 1] = staticShape(b.info(w).shape, 'filter');
  if (wo === o && wi === i) {
    return w;
  }
  return b.op('Pad', [w, b.int64s([0, 0, 0, 0, o - wo, i - wi, 0, 0])]);
}

/**
 * Axis orders between a plain filter split as [O/B, Bo, I, KH, KW] (OIHWBo) or
 * [O/B, Bo, I/B, Bi, KH, KW] (OIHWBiBo) and its blocked memory, and the channel swap of a dense
 * blocked filter (its transposed convolution's filter).
 */
const LAST_OF_SIX = 5;
const TO_OIHWBO = [0, 2, 3, 4, 1];
const FROM_OIHWBO = [0, 4, 1, 2, 3];
const TO_OIHWBIBO = [0, 2, 4, LAST_OF_SIX, 3, 1];
const FROM_OIHWBIBO = [0, LAST_OF_SIX, 1, 4, 2, 3];
const SWAP_OIHWBIBO = [1, 0, 2, 3, LAST_OF_SIX, 4];

/** Memory shape of a blocked filter of logical shape [O, I, KH, KW]. */
function blockedDims(form: FilterForm, dims: readonly number[], block: number): number[] {
  const [o = 1, i = 1, kh = 1, kw = 1] = dims;
  return form === 'OIHWBo' ? [o / block, i, kh, kw, block] : [o / block, i / block, kh, kw, block, block];
}

/**
 * Reshape + Transpose + Reshape, with the permutation first reduced to its essentials: size-1
 * axes dropped and axes that stay neighbours merged. ONNX Runtime's Transpose is several times
 * faster on the low-rank forms (a 6-d filter reorder became a 2-d one: 3.8 -> 1.2 ms).
 */
export function permute(b: GraphBuilder, x: string, dims: readonly number[], perm: readonly number[], out: readonly number[]): string {
  const kept = dims.map((_, a) => a).filter((a) => (dims[a] ?? 1) !== 1);
  const order = perm.filter((a) => kept.includes(a));
  // Runs of source axes that stay consecutive in the output order become one axis.
  const runs: number[][] = [];
  for (const a of order) {
    const last = runs.at(-1);
    if (last?.at(-1) === a - 1 && kept.indexOf(a) === kept.indexOf(a - 1) + 1) {
      last.push(a);
    } else {
      runs.push([a]);
    }
  }
  const bySource = [...runs].sort((r, q) => (r[0] ?? 0) - (q[0] ?? 0));
  const merged = bySource.map((r) => r.reduce((n, a) => n * (dims[a] ?? 1), 1));
  const newPerm = runs.map((r) => bySource.indexOf(r));
  if (newPerm.every((a, i) => a === i)) {
    return b.op('Reshape', [x, b.int64s(out)]);
  }
  const moved = b.op('Transpose', [b.op('Reshape', [x, b.int64s(merged)])], { perm: attr.ints(newPerm) });
  return b.op('Reshape', [moved, b.int64s(out)]);
}

/** Plain filter (channels already padded) -> the same logical shape in blocked order. */
export function blockFilter(b: GraphBuilder, w: string, form: FilterForm, block: number): string {
  const dims = staticShape(b.info(w).shape, 'filter');
  const [o = 1, i = 1, kh = 1, kw = 1] = dims;
  if (form === 'OIHWBo') {
    return permute(b, w, [o / block, block, i, kh, kw], TO_OIHWBO, dims);
  }
  return permute(b, w, [o / block, block, i / block, block, kh, kw], TO_OIHWBIBO, dims);
}

/** Blocked filter -> plain OIHW of the same logical shape. */
export function unblockFilter(b: GraphBuilder, w: string, form: FilterForm, block: number): string {
  const dims = staticShape(b.info(w).shape, 'filter');
  const perm = form === 'OIHWBo' ? FROM_OIHWBO : FROM_OIHWBIBO;
  return permute(b, w, blockedDims(form, dims, block), perm, dims);
}

/**
 * A blocked filter for the transposed convolution (input gradient): kernel flipped in space and,
 * for dense filters, input and output channels swapped (blocks and lanes alike).
 */
export function flippedFilter(b: GraphBuilder, w: string, form: FilterForm, block: number): string {
  const dims = staticShape(b.info(w).shape, 'filter');
  const [o = 1, i = 1, kh = 1, kw = 1] = dims;
  const memory = blockedDims(form, dims, block);
  let x = kh * kw > 1 ? b.op('Reshape', [w, b.int64s(memory)]) : w;
  if (kh > 1) {
    x = b.op('Gather', [x, b.int64s(Array.from({ length: kh }, (_, k) => kh - 1 - k))], { axis: attr.int(2) });
  }
  if (kw > 1) {
    x = b.op('Gather', [x, b.int64s(Array.from({ length: kw }, (_, k) => kw - 1 - k))], { axis: attr.int(3) });
  }
  if (form === 'OIHWBo') {
    return b.op('Reshape', [x, b.int64s(dims)]);
  }
  return permute(b, x, memory, SWAP_OIHWBIBO, [i, o, kh, kw]);
}

/** Which blocked filter form a conv over an input of `channels` channels uses. */
export function filterForm(channels: number, group: number, block: number): FilterForm {
  return channels < block || group > 1 ? 'OIHWBo' : 'OIHWBiBo';
}

/** Channels the block-size probe feeds: ReorderInput's smallest legal count. */
export const PROBE_CHANNELS = 4;

/**
 * The graph that asks ONNX Runtime for its NCHWc block size: a ReorderInput of x [1, 4, 1, 1] pads
 * the channels to one block, so y's channel count is the block size (builds without NCHWc kernels
 * refuse the op). y is declared without a shape, since its channel count is the question.
 */
export function blockSizeProbe(): Graph {
  return {
    name: 'nchwc-probe',
    inputs: [{ name: 'x', dtype: 'float32', shape: [1, PROBE_CHANNELS, 1, 1] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['n', 'c', 'h', 'w'] }],
    nodes: [{ op: 'ReorderInput', domain: NCHWC_DOMAIN, inputs: ['x'], outputs: ['y'], attrs: { channels_last: attr.int(0) } }],
    initializers: new Map(),
  };
}

export { padChannels };
