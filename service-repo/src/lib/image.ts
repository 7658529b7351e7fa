/** An 8-bit RGB image, row-major, interleaved (HWC): `data.length === width * height * 3`. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export const RGB_CHANNELS = 3;

/** Checks the invariant above; a wrong length would otherwise read past rows silently. */
export function assertRgb(image: RgbImage): RgbImage {
  const expected = image.width * image.height * RGB_CHANNELS;
  if (image.data.length !== expected) {
    throw new Error(`RGB image ${image.width}x${image.height} needs ${expected} bytes, has ${image.data.length}`);
  }
  return image;
}
