/**
 * ONNX Runtime's NCHWc layout changes (domain com.microsoft.nchwc): ReorderInput (plain -> blocked)
 * and ReorderOutput (blocked -> plain). Each is the other's gradient.
 */
import { intAttr } from '../attrs.js';
import { present } from '../kernels/elementwise.js';
import { blockActivation, padChannels, unblockActivation } from '../kernels/nchwc.js';
import { need, showShape, staticShape } from '../shape.js';
import { makeTensor, toFloat64 } from '../tensor.js';
import { dy0 } from './grad-util.js';
import { blockOf, NCHWC_DOMAIN, reorderInput as emitReorderInput, reorderOutput as emitReorderOutput } from './nchwc-layout.js';
import type { OpRule } from './op-rule.js';

const RANK = 4;
/** ONNX Runtime's ReorderInput handles channel counts that are multiples of 4 only. */
const CHANNEL_MULTIPLE = 4;

/** [N, H, W, C] <-> [N, C, H, W] in float64: toLast reads [n, C, H, W], else [n, H, W, C]. */
function swapChannels(x: Float64Array, dims: readonly number[], toLast: boolean): Float64Array {
  const [, a = 1, b = 1, c = 1] = dims;
  const out = new Float64Array(x.length);
  x.forEach((v, src) => {
    const r = src % c;
    const q = Math.floor(src / c) % b;
    const p = Math.floor(src / (b * c)) % a;
    const i = Math.floor(src / (a * b * c));
    out[toLast ? ((i * b + q) * c + r) * a + p : ((i * c + r) * a + p) * b + q] = v;
  });
  return out;
}

function fourD(shape: readonly (number | string)[], op: string): void {
  if (shape.length !== RANK) {
    throw new Error(`${op} takes 4-d activations, got ${showShape(shape)}`);
  }
}

export const reorderInput: OpRule = {
  op: 'ReorderInput',
  domain: NCHWC_DOMAIN,
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'ReorderInput');
    fourD(x.shape, 'ReorderInput');
    const last = intAttr(attrs, 'channels_last', 0) === 1;
    const [n = 1, a = 1, h = 1, w = 1] = x.shape;
    const [c, sh, sw] = last ? [w, a, h] : [a, h, w];
    if (typeof c !== 'number' || c % CHANNEL_MULTIPLE !== 0) {
      throw new Error(`ReorderInput needs a channel count that is a multiple of ${CHANNEL_MULTIPLE}, got ${showShape(x.shape)}`);
    }
    return [{ dtype: x.dtype, shape: [n, padChannels(c, blockOf(attrs)), sh, sw] }];
  },
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'ReorderInput');
    const last = intAttr(attrs, 'channels_last', 0) === 1;
    const plain = last ? swapChannels(toFloat64(x), x.dims, false) : toFloat64(x);
    const [n = 1, a = 1, h = 1, w = 1] = x.dims;
    const [c, sh, sw] = last ? [w, a, h] : [a, h, w];
    const block = blockOf(attrs);
    return [makeTensor('float64', [n, padChannels(c, block), sh, sw], blockActivation(plain, { n, c, p: sh * sw }, block))];
  },
  grad: ({ b, node, x: [x = ''], dy }) => {
    const last = intAttr(node.attrs, 'channels_last', 0) === 1;
    const shape = staticShape(b.info(x).shape, 'ReorderInput gradient');
    return [emitReorderOutput(b, dy0(dy, 'ReorderInput'), blockOf(node.attrs), shape[last ? 3 : 1] ?? 1, last)];
  },
};

export const reorderOutput: OpRule = {
  op: 'ReorderOutput',
  domain: NCHWC_DOMAIN,
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'ReorderOutput');
    fourD(x.shape, 'ReorderOutput');
    const channels = intAttr(attrs, 'channels');
    const [n = 1, cp = 1, h = 1, w = 1] = x.shape;
    if (typeof cp !== 'number' || padChannels(channels, blockOf(attrs)) !== cp) {
      throw new Error(`ReorderOutput: ${channels} channels do not fit blocked input ${showShape(x.shape)}`);
    }
    return [{ dtype: x.dtype, shape: intAttr(attrs, 'channels_last', 0) === 1 ? [n, h, w, channels] : [n, channels, h, w] }];
  },
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'ReorderOutput');
    const [n = 1, cp = 1, h = 1, w = 1] = x.dims;
    const c = intAttr(attrs, 'channels');
    const plain = unblockActivation(toFloat64(x), { n, c, cp, p: h * w }, blockOf(attrs));
    if (intAttr(attrs, 'channels_last', 0) === 1) {
      return [makeTensor('float64', [n, h, w, c], swapChannels(plain, [n, c, h, w], true))];
    }
    return [makeTensor('float64', [n, c, h, w], plain)];
  },
  grad: ({ node, b, dy }) => {
    const last = intAttr(node.attrs, 'channels_last', 0) === 1;
    const block = blockOf(node.attrs);
    const channels = intAttr(node.attrs, 'channels');
    let g = dy0(dy, 'ReorderOutput');
    if (channels % CHANNEL_MULTIPLE !== 0) {
      // ReorderInput wants whole groups of 4 channels: zero-pad to the block first.
      const extra = padChannels(channels, block) - channels;
      g = b.op('Pad', [g, b.int64s(last ? [0, 0, 0, 0, 0, 0, 0, extra] : [0, 0, 0, 0, 0, extra, 0, 0])]);
    }
    return [emitReorderInput(b, g, block, last)];
  },
};
