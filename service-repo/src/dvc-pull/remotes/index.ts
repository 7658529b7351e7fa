import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { objectPath } from '../cache.js';
import type { RemoteSettings } from '../config.js';
import { HttpRemote, httpOptions } from './http.js';
import { RemoteError, type Remote } from './remote.js';

export type { Remote } from './remote.js';

/** A folder remote (`url = /path` or a path relative to `.dvc/`), laid out like the cache. */
class LocalRemote implements Remote {
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

/**
 * Opens the remote a URL names: a folder, `http(s)://`, or `s3://bucket/prefix`. The AWS SDK is
 * loaded only for s3://: it is a development dependency, so `npm run model:pull` reads S3 but the
 * production image (the Kubernetes init container) pulls from folder and HTTP(S) remotes only.
 */
export async function openRemote(settings: RemoteSettings, env: NodeJS.ProcessEnv = process.env): Promise<Remote> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(settings.url)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file') {
    return new LocalRemote(settings.url.replace(/^file:\/\//i, ''));
  }
  if (scheme === 'http' || scheme === 'https') {
    return new HttpRemote(settings.url, httpOptions(settings.options, env));
  }
  if (scheme === 's3') {
    const [{ S3Client }, { S3Remote, s3ClientConfig }] = await Promise.all([import('@aws-sdk/client-s3'), import('./s3.js')]);
    return new S3Remote(settings.url, new S3Client(s3ClientConfig(settings.options, env)));
  }
  throw new RemoteError(`remote "${settings.name}": unsupported URL scheme ${scheme}:// (use a folder, http(s):// or s3://)`);
}
