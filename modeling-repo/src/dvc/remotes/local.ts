import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { objectPath } from '../cache.js';
import { RemoteError, type Remote } from './remote.js';

const READ_ONLY = 0o444;
const TEMP_SUFFIX_BYTES = 6;

/** A folder remote (`url = /path` or a path relative to `.dvc/`), laid out like the cache. */
export class LocalRemote implements Remote {
  constructor(readonly url: string) {}

  async has(md5: string): Promise<boolean> {
    try {
      await stat(join(this.url, objectPath(md5)));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** Copies through a temporary sibling so a crash never leaves a truncated object behind. */
  async upload(md5: string, file: string): Promise<void> {
    const target = join(this.url, objectPath(md5));
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(TEMP_SUFFIX_BYTES).toString('hex')}.tmp`;
    try {
      await copyFile(file, temp);
      await chmod(temp, READ_ONLY);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw new RemoteError(`${this.url}: cannot store ${objectPath(md5)}: ${(error as Error).message}`, { cause: error });
    }
  }

  async download(md5: string): Promise<Uint8Array> {
    try {
      return await readFile(join(this.url, objectPath(md5)));
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      const reason = missing ? 'object not found (was it pushed?)' : (error as Error).message;
      throw new RemoteError(`${this.url}: ${objectPath(md5)}: ${reason}`, { cause: error });
    }
  }
}
