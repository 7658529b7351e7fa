import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve as resolvePath } from 'node:path';
import { writeFileAtomic } from '../util/index.js';
import { findKnown } from './known.js';

/**
 * Where a backbone file comes from. Empty strings count as absent, so the YAML config can
 * spell "not set" as ''.
 */
export interface BackboneSource {
  readonly path?: string;
  readonly url?: string;
  readonly sha256?: string;
  readonly cacheDir: string;
}

export interface ResolvedBackbone {
  /** Absolute path of the verified local file. */
  readonly path: string;
  readonly sha256: string;
  /** What a model card records as the origin: the URL when there is one, else the path. */
  readonly source: string;
}

export interface ResolveOptions {
  /** Injected for tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** Called as bytes arrive; defaults to a one-line progress display on stderr. */
  readonly onProgress?: (received: number, total: number | undefined) => void;
}

/** The file is missing and cannot be fetched: the message says what to put where. */
export class BackboneUnavailableError extends Error {
  override readonly name = 'BackboneUnavailableError';
}

export class BackboneChecksumError extends Error {
  override readonly name = 'BackboneChecksumError';
}

const BYTES_PER_MB = 1024 * 1024;
const PROGRESS_EVERY_MS = 200;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function present(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/**
 * Finds the backbone file: a configured path is used as it is; otherwise the URL is downloaded
 * once into `cacheDir/<sha256>-<basename>` and reused. A sha256, when given, is always checked.
 */
export async function resolveBackbone(source: BackboneSource, options: ResolveOptions = {}): Promise<ResolvedBackbone> {
  if (present(source.path) && (existsSync(source.path) || !present(source.url))) {
    return verifiedLocal(source.path, source.sha256, source.url);
  }
  if (!present(source.url)) {
    throw new BackboneUnavailableError('backbone: set model.backbone.path to a local file, or model.backbone.url with model.backbone.sha256');
  }
  if (!present(source.sha256)) {
    throw new BackboneUnavailableError(`backbone: model.backbone.sha256 is required with model.backbone.url (${source.url}), so the download can be verified`);
  }
  const target = cachePath(source.cacheDir, source.url, source.sha256);
  if (existsSync(target)) {
    const cached = await readFile(target);
    if (sha256Hex(cached) === source.sha256) {
      return { path: target, sha256: source.sha256, source: source.url };
    }
  }
  const bytes = await download(source.url, target, source.sha256, options);
  verifyHash(bytes, source.sha256, source.url);
  await writeFileAtomic(target, bytes);
  return { path: target, sha256: source.sha256, source: source.url };
}

/** The cache file name carries the hash so that two versions of one file never collide. */
export function cachePath(cacheDir: string, url: string, sha256: string): string {
  const name = basename(new URL(url).pathname) || 'backbone';
  return resolvePath(join(cacheDir, `${sha256}-${name}`));
}

async function verifiedLocal(path: string, sha256: string | undefined, url: string | undefined): Promise<ResolvedBackbone> {
  const absolute = resolvePath(path);
  if (!existsSync(absolute)) {
    throw new BackboneUnavailableError(`backbone: model.backbone.path ${absolute} does not exist.${whereToGet(absolute, sha256)}`);
  }
  const actual = sha256Hex(await readFile(absolute));
  if (present(sha256)) {
    verifyHash(actual, sha256, absolute);
  }
  return { path: absolute, sha256: actual, source: present(url) ? url : absolute };
}

/** Names the public source of a known file, so the reader knows what to download. */
function whereToGet(absolute: string, sha256: string | undefined): string {
  const known = findKnown(basename(absolute), present(sha256) ? sha256 : undefined);
  return known === undefined
    ? ' Put the backbone file there, or set model.backbone.url and model.backbone.sha256.'
    : ` Download ${known.url} (${known.bytes} bytes, sha256 ${known.sha256}) and put it at ${absolute}, ` +
      'or set model.backbone.url to that URL so it is downloaded into model.backbone.cacheDir.';
}

function verifyHash(bytesOrHex: Uint8Array | string, expected: string, what: string): void {
  const actual = typeof bytesOrHex === 'string' ? bytesOrHex : sha256Hex(bytesOrHex);
  if (actual !== expected) {
    throw new BackboneChecksumError(`backbone: ${what} has sha256 ${actual}, expected ${expected} (model.backbone.sha256)`);
  }
}

function unavailable(url: string, target: string, sha256: string, why: string): BackboneUnavailableError {
  return new BackboneUnavailableError(
    `backbone: cannot download ${url} (${why}). Without network, download that file elsewhere and put it at ` +
    `${target} (sha256 ${sha256}), or set model.backbone.path to a local copy.`,
  );
}

async function download(url: string, target: string, sha256: string, options: ResolveOptions): Promise<Uint8Array> {
  const fetcher = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await fetcher(url);
  } catch (error) {
    throw unavailable(url, target, sha256, error instanceof Error ? causeText(error) : String(error));
  }
  if (!response.ok || response.body === null) {
    throw unavailable(url, target, sha256, `HTTP ${response.status}`);
  }
  const lengthHeader = response.headers.get('content-length');
  const total = lengthHeader === null ? undefined : Number(lengthHeader);
  const report = options.onProgress ?? stderrProgress(basename(target));
  return readAll(response.body, total, report);
}

/** fetch wraps the interesting reason (ECONNREFUSED, ENOTFOUND) in `cause`. */
function causeText(error: Error): string {
  const cause: unknown = error.cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}

async function readAll(
  body: ReadableStream<Uint8Array>,
  total: number | undefined,
  report: (received: number, total: number | undefined) => void,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    received += chunk.byteLength;
    report(received, total);
  }
  return Buffer.concat(chunks);
}

/** A single rewritten stderr line, throttled, so a large download does not flood logs. */
function stderrProgress(label: string): (received: number, total: number | undefined) => void {
  let last = 0;
  return (received, total) => {
    const now = Date.now();
    const done = total !== undefined && received >= total;
    if (!done && now - last < PROGRESS_EVERY_MS) {
      return;
    }
    last = now;
    const mb = (received / BYTES_PER_MB).toFixed(1);
    const of = total === undefined ? '' : ` / ${(total / BYTES_PER_MB).toFixed(1)} MB (${Math.floor((100 * received) / total)}%)`;
    process.stderr.write(`\rdownloading ${label}: ${mb} MB${of}${done ? '\n' : ''}`);
  };
}
