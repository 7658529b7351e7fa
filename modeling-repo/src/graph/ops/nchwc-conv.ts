/**
 * ONNX Runtime's NCHWc convolution (domain com.microsoft.nchwc, op Conv): MLAS's vectorised
 * direct kernels over blocked activations, with a fused activation (`activation` Relu or Clip with
 * `activation_params` [min, max]) and an optional `Sum` input added before it. Unlike ONNX Runtime's
 * plain Conv, it has a real depthwise kernel and takes its filter in blocked form at run time,
 * so training graphs, whose filters are values rather than constants, get the same kernels as
 * inference. Forms (X's channels decide): X blocked with a dense (group 1) OIHWBiBo filter or a
 * depthwise (group = channels) OIHWBo filter, or X plain NCHW with fewer channels than a block
 * (the first layer) and an OIHWBo filter. Output blocked.
 */
import { floatsAttr, stringAttr } from '../attrs.js';
import type { Attrs, Tensor } from '../ir.js';
import { convGeometry, convLoops, convOutSpatial, type ConvGeometry } from '../kernels/conv.js';
import { present } from '../kernels/elementwise.js';
import { blockActivation, unblockActivation, unblockFilter } from '../kernels/nchwc.js';
import { need, showShape } from '../shape.js';
import { makeTensor, toFloat64 } from '../tensor.js';
import { nchwcConvGrad } from './nchwc-conv-grad.js';
import { blockOf, filterForm, NCHWC_DOMAIN } from './nchwc-layout.js';
import type { OpRule } from './op-rule.js';

/** y = act(y) for the fused activation of a node's attributes. */
export function activationFn(attrs: Attrs): (v: number) => number {
  const kind = stringAttr(attrs, 'activation', '');
  if (kind === 'Relu') {
    return (v) => Math.max(0, v);
  }
  if (kind === 'Clip') {
    const [lo = -Infinity, hi = Infinity] = floatsAttr(attrs, 'activation_params');
    return (v) => Math.min(hi, Math.max(lo, v));
  }
  if (kind !== '') {
    throw new Error(`NchwcConv: activation "${kind}" is not supported (Relu, Clip)`);
  }
  return (v) => v;
}

interface Dims { n: number; cx: number; h: number; w: number; co: number; cw: number; oh: number; ow: number }

function dimsOf(x: Tensor, w: Tensor, g: ConvGeometry): Dims {
  const [n = 1, cx = 1, h = 1, wd = 1] = x.dims;
  const [oh = 1, ow = 1] = convOutSpatial([h, wd], g).map(Number);
  return { n, cx, h, w: wd, co: w.dims[0] ?? 1, cw: w.dims[1] ?? 1, oh, ow };
}

/** Plain-layout x and w (float64) of a node's blocked inputs. */
function plainInputs(x: Tensor, w: Tensor, d: Dims, g: ConvGeometry, block: number): { xv: Float64Array; wv: Float64Array } {
  const blockedInput = d.cx >= block;
  const xv = blockedInput ? unblockActivation(toFloat64(x), { n: d.n, c: d.cx, cp: d.cx, p: d.h * d.w }, block) : toFloat64(x);
  const form = filterForm(d.cx, g.group, block);
  return { xv, wv: unblockFilter(toFloat64(w), form, { o: d.co, i: d.cw, k: g.kernel[0] * g.kernel[1] }, block) };
}

function evaluate(inputs: readonly (Tensor | undefined)[], attrs: Attrs): Tensor[] {
  const x = present(inputs, 0, 'NchwcConv');
  const w = present(inputs, 1, 'NchwcConv');
  const block = blockOf(attrs);
  const g = convGeometry(attrs, x.dims.slice(2), w.dims.slice(2));
  const d = dimsOf(x, w, g);
  const { xv, wv } = plainInputs(x, w, d, g, block);
  const area = d.oh * d.ow;
  const out = new Float64Array(d.n * d.co * area);
  convLoops({ n: d.n, cin: d.cx, h: d.h, w: d.w, cout: d.co, oh: d.oh, ow: d.ow }, g, (xi, wi, yi) => {
    out[yi] = (out[yi] ?? 0) + (xv[xi] ?? 0) * (wv[wi] ?? 0);
  });
  const bias = inputs[2] === undefined ? undefined : toFloat64(inputs[2]);
  const sum = inputs[3] === undefined ? undefined : unblockActivation(toFloat64(inputs[3]), { n: d.n, c: d.co, cp: d.co, p: area }, block);
  const act = activationFn(attrs);
  const y = out.map((v, i) => act(v + (bias?.[Math.floor(i / area) % d.co] ?? 0) + (sum?.[i] ?? 0)));
  return [makeTensor('float64', [d.n, d.co, d.oh, d.ow], blockActivation(y, { n: d.n, c: d.co, p: area }, block))];
}

export const nchwcConv: OpRule = {
  op: 'Conv',
  domain: NCHWC_DOMAIN,
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'NchwcConv');
    const w = need(inputs, 1, 'NchwcConv');
    if (x.shape.length !== 4 || w.shape.length !== 4) {
      throw new Error(`NchwcConv is 2-d only: x ${showShape(x.shape)}, w ${showShape(w.shape)}`);
    }
    const g = convGeometry(attrs, x.shape.slice(2), w.shape.slice(2).map(Number));
    const [cx, cw] = [x.shape[1], w.shape[1]];
    if (typeof cx === 'number' && typeof cw === 'number' && cx !== cw * g.group) {
      throw new Error(`NchwcConv: x has ${cx} channels but w ${showShape(w.shape)} with group ${g.group} wants ${cw * g.group}`);
    }
    return [{ dtype: x.dtype, shape: [x.shape[0] ?? 1, w.shape[0] ?? 1, ...convOutSpatial(x.shape.slice(2), g)] }];
  },
  evaluate,
  grad: nchwcConvGrad,
};
