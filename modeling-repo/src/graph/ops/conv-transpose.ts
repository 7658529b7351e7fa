import { intsAttr, optionalInts } from '../attrs.js';
import type { Attrs, Dim } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import type { ConvGeometry } from '../kernels/conv.js';
import { convGeometry, convLoops } from '../kernels/conv.js';
import { mapDim, need, showShape } from '../shape.js';
import { makeTensor, refDType, toFloat64 } from '../tensor.js';
import type { OpRule } from './op-rule.js';

function outSpatial(input: readonly Dim[], g: ConvGeometry, attrs: Attrs): Dim[] {
  if (optionalInts(attrs, 'output_shape') !== undefined) {
    throw new Error('ConvTranspose: output_shape is not supported, give pads and output_padding');
  }
  const extra = intsAttr(attrs, 'output_padding', [0, 0]);
  return [0, 1].map((a) =>
    mapDim(input[a] ?? 1, (n) => {
      const k = (g.kernel[a] ?? 1) - 1;
      return (g.strides[a] ?? 1) * (n - 1) + (extra[a] ?? 0) + k * (g.dilations[a] ?? 1) + 1 - (g.pads[a] ?? 0) - (g.pads[a + 2] ?? 0);
    }),
  );
}

/** 2-d ConvTranspose (the adjoint of Conv); used for the Conv input gradient. No gradient itself. */
export const convTranspose: OpRule = {
  op: 'ConvTranspose',
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'ConvTranspose');
    const w = need(inputs, 1, 'ConvTranspose');
    if (x.shape.length !== 4 || w.shape.length !== 4) {
      throw new Error(`only 2-d is supported: x ${showShape(x.shape)}, w ${showShape(w.shape)}`);
    }
    const g = convGeometry({ ...attrs, auto_pad: { kind: 'string', value: 'NOTSET' } }, x.shape.slice(2), w.shape.slice(2).map(Number));
    const coutG = w.shape[1];
    const cout = typeof coutG === 'number' ? coutG * g.group : coutG;
    return [{ dtype: x.dtype, shape: [x.shape[0] ?? 1, cout ?? 1, ...outSpatial(x.shape.slice(2), g, attrs)] }];
  },
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'ConvTranspose');
    const w = present(inputs, 1, 'ConvTranspose');
    const g = convGeometry(attrs, x.dims.slice(2), w.dims.slice(2));
    const [n = 1, cin = 1, h = 1, wd = 1] = x.dims;
    const cout = (w.dims[1] ?? 1) * g.group;
    const [oh = 1, ow = 1] = outSpatial([h, wd], g, attrs).map(Number);
    const xv = toFloat64(x);
    const wv = toFloat64(w);
    const out = new Float64Array(n * cout * oh * ow);
    // The adjoint of a Conv from the output (cout channels, oh x ow) to the input (cin, h x w).
    convLoops({ n, cin: cout, h: oh, w: ow, cout: cin, oh: h, ow: wd }, g, (yi, wi, xi) => {
      out[yi] = (out[yi] ?? 0) + (xv[xi] ?? 0) * (wv[wi] ?? 0);
    });
    const bias = inputs[2];
    if (bias !== undefined) {
      const bv = toFloat64(bias);
      out.forEach((v, i) => {
        out[i] = v + (bv[Math.floor(i / (oh * ow)) % cout] ?? 0);
      });
    }
    return [makeTensor(refDType(x.dtype), [n, cout, oh, ow], out)];
  },
  grad: null,
};
