import { maskedCrc32c } from './crc32c.js';

/**
 * TFRecord framing, the container of TensorBoard event files:
 *   uint64 length (little-endian) | uint32 masked CRC-32C of those 8 bytes | data | uint32 masked CRC-32C of data
 */

const LENGTH_BYTES = 8;
const CRC_BYTES = 4;
const FRAME_OVERHEAD = LENGTH_BYTES + CRC_BYTES + CRC_BYTES;

/** One record framed for writing. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_OVERHEAD + data.length);
  const view = new DataView(frame.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(LENGTH_BYTES, maskedCrc32c(frame.subarray(0, LENGTH_BYTES)), true);
  frame.set(data, LENGTH_BYTES + CRC_BYTES);
  view.setUint32(LENGTH_BYTES + CRC_BYTES + data.length, maskedCrc32c(data), true);
  return frame;
}

/**
 * Splits a TFRecord file into its records, checking both CRCs of each. Errors name the file (as
 * `label`) and the byte offset of the bad record.
 */
export function readRecords(bytes: Uint8Array, label: string): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + LENGTH_BYTES + CRC_BYTES > bytes.length) throw new Error(`${label}: truncated record header at byte ${offset}`);
    const header = bytes.subarray(offset, offset + LENGTH_BYTES);
    if (view.getUint32(offset + LENGTH_BYTES, true) !== maskedCrc32c(header)) throw new Error(`${label}: bad length CRC at byte ${offset}`);
    const length = Number(view.getBigUint64(offset, true));
    const start = offset + LENGTH_BYTES + CRC_BYTES;
    if (start + length + CRC_BYTES > bytes.length) throw new Error(`${label}: truncated record data at byte ${offset}`);
    const data = bytes.subarray(start, start + length);
    if (view.getUint32(start + length, true) !== maskedCrc32c(data)) throw new Error(`${label}: bad data CRC at byte ${offset}`);
    records.push(data);
    offset = start + length + CRC_BYTES;
  }
  return records;
}
