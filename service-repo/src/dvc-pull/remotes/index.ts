import type { RemoteSettings } from '../config.js';
import { HttpRemote, httpOptions } from './http.js';
import { LocalRemote } from './local.js';
import { RemoteError, type Remote } from './remote.js';

export { RemoteError, type Remote } from './remote.js';

/**
 * Opens the remote a URL names: a folder, `http(s)://`, or `s3://bucket/prefix`. The AWS SDK is
 * loaded only for s3:// (it is a development dependency: the service image never pulls models).
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
