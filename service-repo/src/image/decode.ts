/**
 * JPEG/PNG bytes -> natural RGB, exactly as the modeling pipeline decodes (see the model contract).
 *
 * Planet chips are 4-component JPEGs that libvips treats as CMYK. Converting them to sRGB through a
 * colour profile shifts the colours, so they are read in CMYK space without conversion and the RGB
 * bytes are 255 minus the first three bands. Ordinary 3-channel (or grey, or alpha) images are
 * read as sRGB with alpha dropped.
 */
import sharp, { type Metadata } from 'sharp';
import { RGB_CHANNELS } from '../contract/index.js';
import { badImage, HTTP, RequestError } from '../errors/index.js';
import type { RgbImage } from './rgb.js';

export interface DecodeLimits {
  /** Largest width x height accepted; larger images are refused before their pixels are decoded. */
  readonly maxPixels: number;
}

// libvips caches recent operations and their pixels for reuse; every upload is new, so the cache
// would only hold memory.
sharp.cache(false);

const SUPPORTED_FORMATS = new Set(['jpeg', 'png']);
const CMYK_CHANNELS = 4;
const MAX_BYTE = 255;

async function readMetadata(bytes: Uint8Array, name: string, limits: DecodeLimits): Promise<Metadata> {
  try {
    return await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'truncated' }).metadata();
  } catch (error) {
    throw describeSharpError(error, name, limits);
  }
}

/** Turns libvips' messages into ones that name the file and say what to do. */
function describeSharpError(error: unknown, name: string, limits: DecodeLimits): RequestError {
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes('pixel limit')) {
    return new RequestError(HTTP.payloadTooLarge, 'IMAGE_TOO_LARGE',
      `${name}: image has more than ${limits.maxPixels} pixels (MAX_IMAGE_PIXELS)`, name);
  }
  if (message.includes('unsupported image format')) return badImage(name, 'not an image (send JPEG or PNG)');
  // Keep libvips' own words (e.g. "premature end of JPEG image") but cut them to one short line.
  const detail = message.split('\n')[0]?.replace(/^Vips\w*:\s*/, '').slice(0, MAX_BYTE) ?? 'unknown error';
  return badImage(name, `cannot decode image (${detail})`);
}

async function decodeCmyk(bytes: Uint8Array, name: string, limits: DecodeLimits): Promise<RgbImage> {
  const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'truncated' })
    .pipelineColourspace('cmyk').toColourspace('cmyk').raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== CMYK_CHANNELS) throw badImage(name, `expected 4 CMYK bands, decoded ${info.channels}`);
  const pixels = info.width * info.height;
  const rgb = new Uint8Array(pixels * RGB_CHANNELS);
  for (let p = 0; p < pixels; p++) {
    const src = p * CMYK_CHANNELS;
    const dst = p * RGB_CHANNELS;
    rgb[dst] = MAX_BYTE - (data[src] ?? 0);
    rgb[dst + 1] = MAX_BYTE - (data[src + 1] ?? 0);
    rgb[dst + 2] = MAX_BYTE - (data[src + 2] ?? 0);
  }
  return { width: info.width, height: info.height, data: rgb };
}

async function decodeSrgb(bytes: Uint8Array, name: string, limits: DecodeLimits): Promise<RgbImage> {
  const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'truncated' })
    .removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== RGB_CHANNELS) throw badImage(name, `expected 3 RGB bands, decoded ${info.channels}`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * Decodes one image. Throws RequestError (4xx) naming `name` for anything that is not a complete
 * JPEG or PNG within the pixel limit; never throws a 5xx for bad bytes.
 */
export async function decodeImage(bytes: Uint8Array, name: string, limits: DecodeLimits): Promise<RgbImage> {
  if (bytes.length === 0) throw badImage(name, 'file is empty');
  const meta = await readMetadata(bytes, name, limits);
  if (!SUPPORTED_FORMATS.has(meta.format)) {
    throw new RequestError(HTTP.unsupportedMediaType, 'UNSUPPORTED_IMAGE',
      `${name}: ${meta.format} images are not supported (send JPEG or PNG)`, name);
  }
  try {
    const isCmyk = meta.channels === CMYK_CHANNELS && meta.space === 'cmyk';
    return await (isCmyk ? decodeCmyk(bytes, name, limits) : decodeSrgb(bytes, name, limits));
  } catch (error) {
    if (error instanceof RequestError) throw error;
    throw describeSharpError(error, name, limits);
  }
}
