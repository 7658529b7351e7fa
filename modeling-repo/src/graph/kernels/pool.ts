/** Reference pooling over 2-d windows (NCHW), sharing the convolution geometry. */
import type { ConvGeometry } from './conv.js';

export interface PoolShapes {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly oh: number;
  readonly ow: number;
}

/** Calls `window(yIndex, xIndices, padCount)` per output: the in-bounds inputs and the padded taps seen. */
export function poolWindows(s: PoolShapes, g: ConvGeometry, window: (y: number, xs: number[], padded: number) => void): void {
  const total = s.n * s.c * s.oh * s.ow;
  for (let yi = 0; yi < total; yi++) {
    const ox = yi % s.ow;
    const oy = Math.floor(yi / s.ow) % s.oh;
    const nc = Math.floor(yi / (s.ow * s.oh));
    const xs = windowInputs(s, g, nc, oy, ox);
    window(yi, xs, g.kernel[0] * g.kernel[1] - xs.length);
  }
}

function windowInputs(s: PoolShapes, g: ConvGeometry, nc: number, oy: number, ox: number): number[] {
  const [kh, kw] = g.kernel;
  const xs: number[] = [];
  for (let t = 0; t < kh * kw; t++) {
    const iy = oy * g.strides[0] - g.pads[0] + Math.floor(t / kw) * g.dilations[0];
    const ix = ox * g.strides[1] - g.pads[1] + (t % kw) * g.dilations[1];
    if (iy >= 0 && iy < s.h && ix >= 0 && ix < s.w) {
      xs.push((nc * s.h + iy) * s.w + ix);
    }
  }
  return xs;
}
