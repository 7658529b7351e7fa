/** Shared parts of MaxPool and AveragePool: geometry, shape inference and the scatter-back gradient. */
import { intAttr } from '../attrs.js';
import type { GraphBuilder } from '../builder.js';
import type { Attrs, Tensor } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import type { ConvGeometry } from '../kernels/conv.js';
import { convGeometry, convOutSpatial } from '../kernels/conv.js';
import { poolWindows } from '../kernels/pool.js';
import { need, showShape, staticShape } from '../shape.js';
import { makeTensor, refDType, toFloat64 } from '../tensor.js';
import type { ConvGradShapes } from './conv-grad.js';
import { inputGrad } from './conv-grad.js';
import type { Inferred, InferInput } from './op-rule.js';

export function poolGeometry(op: string, attrs: Attrs, spatial: readonly (number | string)[]): ConvGeometry {
  if (intAttr(attrs, 'ceil_mode', 0) !== 0) {
    throw new Error(`${op}: ceil_mode=1 is not supported`);
  }
  return { ...convGeometry(attrs, spatial), group: 1 };
}

export function inferPool(op: string, inputs: readonly (InferInput | undefined)[], attrs: Attrs): Inferred[] {
  const x = need(inputs, 0, op);
  if (x.shape.length !== 4) {
    throw new Error(`only 2-d pooling is supported, got ${showShape(x.shape)}`);
  }
  const g = poolGeometry(op, attrs, x.shape.slice(2));
  return [{ dtype: x.dtype, shape: [x.shape[0] ?? 1, x.shape[1] ?? 1, ...convOutSpatial(x.shape.slice(2), g)] }];
}

export function evaluatePool(
  op: string,
  inputs: readonly (Tensor | undefined)[],
  attrs: Attrs,
  reduce: (values: number[], padded: number) => number,
): Tensor[] {
  const x = present(inputs, 0, op);
  const g = poolGeometry(op, attrs, x.dims.slice(2));
  const [n = 1, c = 1, h = 1, w = 1] = x.dims;
  const [oh = 1, ow = 1] = convOutSpatial([h, w], g).map(Number);
  const xv = toFloat64(x);
  const out = new Float64Array(n * c * oh * ow);
  poolWindows({ n, c, h, w, oh, ow }, g, (yi, xs, padded) => {
    out[yi] = reduce(xs.map((i) => xv[i] ?? 0), padded);
  });
  return [makeTensor(refDType(x.dtype), [n, c, oh, ow], out)];
}

export function poolShapes(b: GraphBuilder, x: string, y: string, g: ConvGeometry): ConvGradShapes {
  const xs = staticShape(b.info(x).shape, 'pool gradient');
  return { x: xs, w: [xs[1] ?? 1, 1, ...g.kernel], y: staticShape(b.info(y).shape, 'pool gradient') };
}

/**
 * Scatters per-tap window gradients back to the input with one depthwise ConvTranspose:
 * `perTap` is [N, C*k*k, oh, ow] (channel c*k*k + t holds tap t) and the kernel is one-hot per tap.
 */
export function scatterTaps(b: GraphBuilder, perTap: string, g: ConvGeometry, s: ConvGradShapes): string {
  const c = s.x[1] ?? 1;
  const k = g.kernel[0] * g.kernel[1];
  const weight = new Float64Array(c * k * k);
  for (let i = 0; i < c * k; i++) {
    weight[i * k + (i % k)] = 1;
  }
  const w = b.constant(makeTensor(b.info(perTap).dtype, [c * k, 1, g.kernel[0], g.kernel[1]], weight), 'pool_scatter');
  return inputGrad(b, perTap, w, { ...g, group: c }, { ...s, w: [c * k, 1, ...g.kernel] });
}
