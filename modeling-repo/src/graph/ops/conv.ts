import { present } from '../kernels/elementwise.js';
import { convGeometry, convLoops, convOutSpatial } from '../kernels/conv.js';
import { need, showShape } from '../shape.js';
import { makeTensor, refDType, toFloat64 } from '../tensor.js';
import { convGrad } from './conv-grad.js';
import { fastConvGrad } from './conv-grad-fast.js';
import type { OpRule } from './op-rule.js';

/** 2-d Conv, any group (depthwise included), strides, pads, dilations; bias optional. */
export const conv: OpRule = {
  op: 'Conv',
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'Conv');
    const w = need(inputs, 1, 'Conv');
    if (x.shape.length !== 4 || w.shape.length !== 4) {
      throw new Error(`only 2-d convolution is supported: x ${showShape(x.shape)}, w ${showShape(w.shape)}`);
    }
    const kernel = w.shape.slice(2).map(Number);
    const g = convGeometry(attrs, x.shape.slice(2), kernel);
    const [cin, cinG, cout] = [x.shape[1], w.shape[1], w.shape[0]];
    if (typeof cin === 'number' && typeof cinG === 'number' && cin !== cinG * g.group) {
      throw new Error(`x has ${cin} channels but w ${showShape(w.shape)} with group ${g.group} wants ${cinG * g.group}`);
    }
    return [{ dtype: x.dtype, shape: [x.shape[0] ?? 1, cout ?? 1, ...convOutSpatial(x.shape.slice(2), g)] }];
  },
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'Conv');
    const w = present(inputs, 1, 'Conv');
    const g = convGeometry(attrs, x.dims.slice(2), w.dims.slice(2));
    const [n = 1, cin = 1, h = 1, wd = 1] = x.dims;
    const cout = w.dims[0] ?? 1;
    const [oh = 1, ow = 1] = convOutSpatial([h, wd], g).map(Number);
    const xv = toFloat64(x);
    const wv = toFloat64(w);
    const out = new Float64Array(n * cout * oh * ow);
    convLoops({ n, cin, h, w: wd, cout, oh, ow }, g, (xi, wi, yi) => {
      out[yi] = (out[yi] ?? 0) + (xv[xi] ?? 0) * (wv[wi] ?? 0);
    });
    const bias = inputs[2];
    if (bias !== undefined) {
      const bv = toFloat64(bias);
      const area = oh * ow;
      out.forEach((v, i) => {
        out[i] = v + (bv[Math.floor(i / area) % cout] ?? 0);
      });
    }
    return [makeTensor(refDType(x.dtype), [n, cout, oh, ow], out)];
  },
  grad: fastConvGrad(convGrad),
};
