import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { hashBytes } from './md5.js';

/** DVC keeps cache objects read-only so that a linked workspace file cannot corrupt the cache. */
const READ_ONLY = 0o444;

/** Where an object lives in a cache or remote (DVC 3): `files/md5/<2 hex>/<30 hex>`. */
export function objectPath(md5: string): string {
  return `files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`;
}

/** Raised when bytes do not hash to the md5 they were stored or fetched under. */
export class CorruptObjectError extends Error {
  constructor(where: string, expected: string, actual: string) {
    super(`${where}: content has md5 ${actual}, expected ${expected}; refusing corrupted object`);
    this.name = 'CorruptObjectError';
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** A local DVC cache folder (`.dvc/cache` by default), shared with the real `dvc` if it is used. */
export class DvcCache {
  constructor(readonly root: string) {}

  pathOf(md5: string): string {
    return join(this.root, objectPath(md5));
  }

  has(md5: string): Promise<boolean> {
    return exists(this.pathOf(md5));
  }

  /** Stores fetched bytes after checking they hash to `md5`; `where` names their origin in errors. */
  async addBytes(md5: string, bytes: Uint8Array, where: string): Promise<void> {
    const actual = hashBytes(bytes).md5;
    if (actual !== md5) throw new CorruptObjectError(where, md5, actual);
    if (await this.has(md5)) return;
    await writeFileAtomic(this.pathOf(md5), bytes, READ_ONLY);
  }

  /** Reads an object and checks its md5, so a damaged cache is noticed instead of deployed. */
  async read(md5: string): Promise<Buffer> {
    const bytes = await readFile(this.pathOf(md5));
    const actual = hashBytes(bytes).md5;
    if (actual !== md5) throw new CorruptObjectError(this.pathOf(md5), md5, actual);
    return bytes;
  }
}
