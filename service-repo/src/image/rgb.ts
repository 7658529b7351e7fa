/**
 * An 8-bit RGB image, row-major, interleaved (HWC): `data.length === width * height * 3`. Only
 * decodeImage and the resize kernels make them, and both allocate exactly that many bytes.
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}
