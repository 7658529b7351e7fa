import { writeSync } from 'node:fs';

/** Writes every byte to an open file: `writeSync` may write fewer bytes than asked. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}
