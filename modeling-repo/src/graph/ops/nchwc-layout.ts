/**
 * Building blocks for graphs in ONNX Runtime's NCHWc layout (see kernels/nchwc.ts for the memory
 * layout): the domain, the block-size annotation every NCHWc node carries for its reference
 * kernel, and the standard-op subgraphs that move filters and activations in and out of blocked
 * form. Filters are small, so reordering them with Reshape/Transpose inside the graph costs
 * little, and keeps their gradients automatic (those ops have rules).
 */
import { intAttr } from '../attrs.js';
import type { GraphBuilder } from '../builder.js';
import { attr, type Attrs } from '../ir.js';
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

/** Memory shape of a blocked filter of logical shape [O, I, KH, KW]. */
function blockedDims(form: FilterForm, dims: readonly number[], block: number): number[] {
  const [o = 1, i = 1, kh = 1, kw = 1] = dims;
  return form === 'OIHWBo' ? [o / block, i, kh, kw, block] : [o / block, i / block, kh, kw, block, block];
}

/** Plain filter (channels already padded) -> the same logical shape in blocked order. */
export function blockFilter(b: GraphBuilder, w: string, form: FilterForm, block: number): string {
  const dims = staticShape(b.info(w).shape, 'filter');
  const [o = 1, i = 1, kh = 1, kw = 1] = dims;
  const split = form === 'OIHWBo' ? [o / block, block, i, kh, kw] : [o / block, block, i / block, block, kh, kw];
  const perm = form === 'OIHWBo' ? [0, 2, 3, 4, 1] : [0, 2, 4, 5, 3, 1];
  const moved = b.op('Transpose', [b.op('Reshape', [w, b.int64s(split)])], { perm: attr.ints(perm) });
  return b.op('Reshape', [moved, b.int64s(dims)]);
}

/** Blocked filter -> plain OIHW of the same logical shape. */
export function unblockFilter(b: GraphBuilder, w: string, form: FilterForm, block: number): string {
  const dims = staticShape(b.info(w).shape, 'filter');
  const perm = form === 'OIHWBo' ? [0, 4, 1, 2, 3] : [0, 5, 1, 4, 2, 3];
  const moved = b.op('Transpose', [b.op('Reshape', [w, b.int64s(blockedDims(form, dims, block))])], { perm: attr.ints(perm) });
  return b.op('Reshape', [moved, b.int64s(dims)]);
}

/**
 * A blocked filter for the transposed convolution (input gradient): kernel flipped in space and,
 * for dense filters, input and output channels swapped (blocks and lanes alike).
 */
export function flippedFilter(b: GraphBuilder, w: string, form: FilterForm, block: number): string {
  const dims = staticShape(b.info(w).shape, 'filter');
  const [o = 1, i = 1, kh = 1, kw = 1] = dims;
  let x = b.op('Reshape', [w, b.int64s(blockedDims(form, dims, block))]);
  if (kh > 1) {
    x = b.op('Gather', [x, b.int64s(Array.from({ length: kh }, (_, k) => kh - 1 - k))], { axis: attr.int(2) });
  }
  if (kw > 1) {
    x = b.op('Gather', [x, b.int64s(Array.from({ length: kw }, (_, k) => kw - 1 - k))], { axis: attr.int(3) });
  }
  if (form === 'OIHWBo') {
    return b.op('Reshape', [x, b.int64s(dims)]);
  }
  const swapped = b.op('Transpose', [x], { perm: attr.ints([1, 0, 2, 3, 5, 4]) });
  return b.op('Reshape', [swapped, b.int64s([i, o, kh, kw])]);
}

/** Which blocked filter form a conv over an input of `channels` channels uses. */
export function filterForm(channels: number, group: number, block: number): FilterForm {
  return channels < block || group > 1 ? 'OIHWBo' : 'OIHWBiBo';
}

export { padChannels };
