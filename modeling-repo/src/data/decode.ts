import sharp from 'sharp';

import { areaResize } from './resize.js';

/**
 * Turning image bytes into natural-colour RGB.
 *
 * Every Planet chip is a 4-component JPEG. Decoders that honour its colour model treat it as CMYK,
 * and its first three bands are 255 minus the natural R, G, B (the fourth is 0). Letting libvips
 * convert CMYK to sRGB goes through a colour profile and shifts the colours, so for CMYK images we
 * read the raw bands and invert them. Ordinary RGB, grey or RGBA images are converted to 8-bit
 * sRGB and the alpha band is dropped.
 */

/** Bumped whenever decoding or resizing changes, so cached chips are rebuilt. */
export const DECODER_VERSION = 1;

/** The exact decoding rule, for the model card; the service must do the same. */
export const DECODE_DESCRIPTION =
  "sharp/libvips: if metadata.space is 'cmyk' (4-component JPEG, as every Planet chip): " +
  "sharp(bytes).pipelineColourspace('cmyk').toColourspace('cmyk').raw() and RGB = 255 - bands 1..3 " +
  "(band 4 ignored); otherwise sharp(bytes).removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }) " +
  'as is. Output HWC uint8 RGB.';

const RGB = 3;
const CMYK = 4;

/** A decoded image: natural-colour RGB, HWC, `width * height * 3` bytes. */
export interface DecodedImage {
  readonly rgb: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Raised for bytes that are not a readable image; names the file. */
export class DecodeError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`cannot decode image ${file}: ${reason}`);
    this.name = 'DecodeError';
  }
}

async function decodeCmyk(bytes: Uint8Array): Promise<DecodedImage> {
  const { data, info } = await sharp(bytes)
    .pipelineColourspace('cmyk').toColourspace('cmyk').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== CMYK) throw new Error(`expected 4 CMYK bands, got ${info.channels}`);
  const pixels = info.width * info.height;
  const rgb = new Uint8Array(pixels * RGB);
  for (let p = 0; p < pixels; p++) {
    rgb[p * RGB] = 255 - (data[p * CMYK] ?? 0);
    rgb[p * RGB + 1] = 255 - (data[p * CMYK + 1] ?? 0);
    rgb[p * RGB + 2] = 255 - (data[p * CMYK + 2] ?? 0);
  }
  return { rgb, width: info.width, height: info.height };
}

async function decodeSrgb(bytes: Uint8Array): Promise<DecodedImage> {
  const { data, info } = await sharp(bytes)
    .removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== RGB) throw new Error(`expected 3 sRGB bands, got ${info.channels}`);
  return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/**
 * Decodes image bytes (JPEG, PNG, anything libvips reads) to natural-colour RGB at full size.
 * `file` is only used in the error message.
 */
export async function decodeImage(bytes: Uint8Array, file = '<bytes>'): Promise<DecodedImage> {
  try {
    const meta = await sharp(bytes).metadata();
    return meta.space === 'cmyk' ? await decodeCmyk(bytes) : await decodeSrgb(bytes);
  } catch (error) {
    throw new DecodeError(file, (error as Error).message);
  }
}

/**
 * Decodes a chip and reduces it to `size` x `size` with `areaResize`: the exact input the model
 * sees (RGB, HWC, `size * size * 3` bytes).
 */
export async function decodeChip(bytes: Uint8Array, size: number, file = '<bytes>'): Promise<Uint8Array> {
  const image = await decodeImage(bytes, file);
  return areaResize(image.rgb, image.width, image.height, size);
}
