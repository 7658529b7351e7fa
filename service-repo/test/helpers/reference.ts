/**
 * An independent route from image bytes to model input, for computing golden probabilities in tests.
 * It shares no code with src/: decoding follows the contract's two sharp recipes written out again,
 * and the area resize is done by supersampling to the least common multiple grid with exact integer
 * block sums, a different algorithm from the service's overlap weights, with the same exact result.
 */
import sharp from 'sharp';

export interface Pixels {
  width: number;
  height: number;
  rgb: Uint8Array;
}

async function referenceDecode(bytes: Uint8Array): Promise<Pixels> {
  const meta = await sharp(bytes).metadata();
  if (meta.channels === 4 && meta.space === 'cmyk') {
    const { data, info } = await sharp(bytes).pipelineColourspace('cmyk').toColourspace('cmyk').raw().toBuffer({ resolveWithObject: true });
    const rgb = new Uint8Array(info.width * info.height * 3);
    for (let p = 0; p < info.width * info.height; p++) {
      for (let c = 0; c < 3; c++) rgb[p * 3 + c] = 255 - data[p * 4 + c]!;
    }
    return { width: info.width, height: info.height, rgb };
  }
  const { data, info } = await sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgb: new Uint8Array(data) };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Area resize by supersampling: replicate to the LCM grid, then exact k x k block means, rounded half up. */
export function referenceAreaResize(img: Pixels, width: number, height: number): Pixels {
  if (img.width === width && img.height === height) return img;
  const gw = (img.width * width) / gcd(img.width, width);
  const gh = (img.height * height) / gcd(img.height, height);
  const kx = gw / width;
  const ky = gh / height;
  const rx = gw / img.width;
  const ry = gh / img.height;
  // The value of supersampled grid cell (gx, gy), channel c: the input pixel under it.
  const grid = (gx: number, gy: number, c: number): number => img.rgb[(Math.floor(gy / ry) * img.width + Math.floor(gx / rx)) * 3 + c]!;
  const blockSum = (ox: number, oy: number, c: number): number => {
    let sum = 0;
    for (let gy = oy * ky; gy < (oy + 1) * ky; gy++) {
      for (let gx = ox * kx; gx < (ox + 1) * kx; gx++) sum += grid(gx, gy, c);
    }
    return sum;
  };
  const count = kx * ky;
  const out = new Uint8Array(width * height * 3);
  for (let oy = 0; oy < height; oy++) {
    for (let ox = 0; ox < width; ox++) {
      for (let c = 0; c < 3; c++) out[(oy * width + ox) * 3 + c] = Math.floor((2 * blockSum(ox, oy, c) + count) / (2 * count));
    }
  }
  return { width, height, rgb: out };
}

export async function referencePrepare(bytes: Uint8Array, chain: readonly { to: number }[]): Promise<Pixels> {
  let img = await referenceDecode(bytes);
  for (const step of chain) img = referenceAreaResize(img, step.to, step.to);
  return img;
}
