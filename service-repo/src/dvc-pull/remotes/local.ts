import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { objectPath } from '../cache.js';
import { RemoteError, type Remote } from './remote.js';

/** A folder remote (`url = /path` or a path relative to `.dvc/`), laid out like the cache. */
export class LocalRemote implements Remote {
  constructor(readonly url: string) {}

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
