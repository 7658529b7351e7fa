import { GetObjectCommand, type S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { objectPath } from '../cache.js';
import type { ConfigSection } from '../config.js';
import { RemoteError, type Remote } from './remote.js';

const DEFAULT_REGION = 'us-east-1';
const HTTP_NOT_FOUND = 404;

/** `s3://bucket/prefix` split into bucket and key prefix (no trailing slash). */
function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (match?.[1] === undefined) throw new RemoteError(`not an s3:// URL: ${url}`);
  return { bucket: match[1], prefix: (match[2] ?? '').replace(/\/+$/, '') };
}

/**
 * Client settings from DVC's S3 options (`endpointurl`, `region`, `access_key_id`,
 * `secret_access_key`) and the environment (`DVC_S3_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, then the AWS SDK's own variables and credential chain). A custom endpoint (MinIO, Ceph...) gets path-style addressing.
 */
export function s3ClientConfig(options: ConfigSection, env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const endpoint = env.DVC_S3_ENDPOINT_URL ?? options.endpointurl;
  const config: S3ClientConfig = {
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_REGION,
    // S3-compatible stores often reject the SDK's newer default checksum headers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (endpoint !== undefined) {
    config.endpoint = endpoint;
    config.forcePathStyle = true;
  }
  const accessKeyId = options.access_key_id ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = options.secret_access_key ?? env.AWS_SECRET_ACCESS_KEY;
  // Without explicit keys the SDK's default chain (profiles, instance roles...) applies.
  if (accessKeyId !== undefined && secretAccessKey !== undefined) config.credentials = { accessKeyId, secretAccessKey };
  return config;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** An S3 (or S3-compatible) remote through the AWS SDK, keys `<prefix>/files/md5/xx/rest`. */
export class S3Remote implements Remote {
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(readonly url: string, private readonly client: S3Client) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Url(url));
  }

  private key(md5: string): string {
    return this.prefix === '' ? objectPath(md5) : `${this.prefix}/${objectPath(md5)}`;
  }

  async download(md5: string): Promise<Uint8Array> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(md5) }));
      if (answer.Body === undefined) throw new RemoteError('empty body');
      return await answer.Body.transformToByteArray();
    } catch (error) {
      throw this.failure('GET', md5, error);
    }
  }

  private failure(verb: string, md5: string, error: unknown): RemoteError {
    const status = statusOf(error);
    const reason = status === HTTP_NOT_FOUND ? 'object not found (was it pushed?)' : (error as Error).message;
    return new RemoteError(`${verb} s3://${this.bucket}/${this.key(md5)}: ${reason}`, { cause: error });
  }
}
