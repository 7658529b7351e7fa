import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** A file's DVC 3 identity: the plain md5 of its bytes (no line-ending normalisation) and its size. */
export interface FileHash {
  readonly md5: string;
  readonly size: number;
}

/** Streams a file through md5 so that large models are never held in memory just to hash them. */
export async function hashFile(path: string): Promise<FileHash> {
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    hash.update(bytes);
  }
  return { md5: hash.digest('hex'), size };
}

/** md5 of bytes already in memory (objects fetched from a remote). */
export function hashBytes(bytes: Uint8Array): FileHash {
  return { md5: createHash('md5').update(bytes).digest('hex'), size: bytes.length };
}

const MD5_PATTERN = /^[0-9a-f]{32}$/;

/** True for a 32-digit lowercase hex md5, the only form DVC writes. */
export function isMd5(value: string): boolean {
  return MD5_PATTERN.test(value);
}
