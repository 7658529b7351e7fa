import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hashBytes, hashFile, type FileHash } from './md5.js';

/** DVC keeps cache objects read-only so that a linked workspace file cannot corrupt the cache. */
const READ_ONLY = 0o444;
const TEMP_SUFFIX_BYTES = 6;

/** Where an object lives in a cache or remote (DVC 3): `files/md5/<2 hex>/<30 hex>`. */
export function objectPath(md5: string): string {
  return `files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`;
}

/** The md5 an object's bytes hash to: a directory's `<md5>.dir` listing hashes to `<md5>`. */
export function contentMd5(oid: string): string {
  return oid.endsWith('.dir') ? oid.slice(0, -'.dir'.length) : oid;
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

/** A local DVC cache folder (`.dvc/cache` by default). */
export class DvcCache {
  constructor(readonly root: string) {}

  pathOf(md5: string): string {
    return join(this.root, objectPath(md5));
  }

  has(md5: string): Promise<boolean> {
    return exists(this.pathOf(md5));
  }

  /** Copies a workspace file into the cache (as `dvc add` does) and returns its hash. */
  async addFile(file: string): Promise<FileHash> {
    const hash = await hashFile(file);
    if (!(await this.has(hash.md5))) {
      await this.install(hash.md5, (temp) => copyFile(file, temp));
    }
    return hash;
  }

  /** Stores fetched bytes after checking they hash to `md5`; `where` names their origin in errors. */
  async addBytes(md5: string, bytes: Uint8Array, where: string): Promise<void> {
    const actual = hashBytes(bytes).md5;
    if (actual !== contentMd5(md5)) throw new CorruptObjectError(where, contentMd5(md5), actual);
    if (await this.has(md5)) return;
    await this.install(md5, (temp) => writeFile(temp, bytes));
  }

  /** Reads an object and checks its md5, so a damaged cache is noticed instead of deployed. */
  async read(md5: string): Promise<Buffer> {
    const bytes = await readFile(this.pathOf(md5));
    const actual = hashBytes(bytes).md5;
    if (actual !== contentMd5(md5)) throw new CorruptObjectError(this.pathOf(md5), contentMd5(md5), actual);
    return bytes;
  }

  /** Writes through a temporary sibling, marks it read-only, then renames it into place. */
  private async install(md5: string, write: (temp: string) => Promise<void>): Promise<void> {
    const target = this.pathOf(md5);
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(TEMP_SUFFIX_BYTES).toString('hex')}.tmp`;
    try {
      await write(temp);
      await chmod(temp, READ_ONLY);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}
