/**
 * CRC-32C (Castagnoli), the checksum of TFRecord framing, and TensorFlow's "masked" form of it.
 * Table-driven, one byte at a time: event files are small, so speed does not matter here.
 */

/** Reflected Castagnoli polynomial 0x1EDC6F41. */
const POLYNOMIAL = 0x82f63b78;
const TABLE_SIZE = 256;
const BITS_PER_BYTE = 8;
const BYTE_MASK = 0xff;
/** TensorFlow masks stored CRCs so that a CRC of data containing CRCs stays well distributed. */
const MASK_DELTA = 0xa282ead8;
const MASK_ROTATE = 15;
const WORD_BITS = 32;
/** CRC-32C starts from all ones and inverts the result. */
const ALL_ONES = 0xffffffff;

const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(TABLE_SIZE);
  for (let n = 0; n < TABLE_SIZE; n += 1) {
    let c = n;
    for (let k = 0; k < BITS_PER_BYTE; k += 1) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C of the bytes. */
export function crc32c(bytes: Uint8Array): number {
  let crc = ALL_ONES;
  for (const byte of bytes) crc = (TABLE[(crc ^ byte) & BYTE_MASK] ?? 0) ^ (crc >>> BITS_PER_BYTE);
  return (crc ^ ALL_ONES) >>> 0;
}

/** TensorFlow's masked CRC: rotate right by 15 bits, then add a constant (mod 2^32). */
export function maskCrc(crc: number): number {
  const rotated = ((crc >>> MASK_ROTATE) | (crc << (WORD_BITS - MASK_ROTATE))) >>> 0;
  return (rotated + MASK_DELTA) >>> 0;
}

/** Inverse of `maskCrc`. */
export function unmaskCrc(masked: number): number {
  const rotated = (masked - MASK_DELTA) >>> 0;
  return ((rotated >>> (WORD_BITS - MASK_ROTATE)) | (rotated << MASK_ROTATE)) >>> 0;
}

export function maskedCrc32c(bytes: Uint8Array): number {
  return maskCrc(crc32c(bytes));
}
