import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { writeFileAtomic } from '../util/index.js';
import { DECODER_VERSION } from './decode.js';
import type { DataIssue } from './labels.js';
import type { SourceSignature } from './sources.js';

/**
 * On-disk cache of decoded, resized chips, so that a second run does not decode again.
 *
 * One entry is two files under the cache folder, named by a key that hashes everything the chips
 * depend on (decoder version, size S, the sources' fingerprints, the requested names in order):
 *   `<key>.u8`   the chips, N * S * S * 3 bytes, HWC RGB, in `names` order
 *   `<key>.json` the index: format, key, S, decoder version, sources, names, problems found
 * Both are written atomically, the index last, so an index on disk always has its complete data.
 * Changing any input changes the key; stale entries are simply never read again.
 */

export const CACHE_FORMAT = 'planet-chip-cache/1';
const CHANNELS = 3;

/** What the chips depend on. */
export interface CacheKeyInput {
  readonly size: number;
  readonly sources: readonly SourceSignature[];
  readonly names: readonly string[];
}

/** A cache entry: the chips that decoded, and the problems met on the way (missing, unreadable). */
export interface ChipCacheEntry {
  readonly size: number;
  readonly names: readonly string[];
  readonly images: Uint8Array;
  readonly issues: readonly DataIssue[];
}

interface CacheIndex {
  readonly format: string;
  readonly key: string;
  readonly decoderVersion: number;
  readonly size: number;
  readonly sources: readonly SourceSignature[];
  readonly names: readonly string[];
  readonly issues: readonly DataIssue[];
  readonly createdAt: string;
}

/** The hex key of a cache entry. */
export function cacheKey(input: CacheKeyInput): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ format: CACHE_FORMAT, decoder: DECODER_VERSION, size: input.size, sources: input.sources }));
  for (const name of input.names) hash.update(`\n${name}`);
  return hash.digest('hex');
}

function isIndex(value: unknown, key: string, size: number): value is CacheIndex {
  if (typeof value !== 'object' || value === null) return false;
  const index = value as Partial<CacheIndex>;
  return index.format === CACHE_FORMAT && index.key === key && index.size === size &&
    index.decoderVersion === DECODER_VERSION && Array.isArray(index.names) && Array.isArray(index.issues);
}

/**
 * Reads a cache entry, or returns undefined when there is none or it does not match (wrong key,
 * size, decoder version, or a data file of the wrong length): the caller then decodes again.
 */
export async function readChipCache(dir: string, key: string, size: number): Promise<ChipCacheEntry | undefined> {
  let index: unknown;
  try {
    index = JSON.parse(await readFile(join(dir, `${key}.json`), 'utf8'));
  } catch {
    return undefined;
  }
  if (!isIndex(index, key, size)) return undefined;
  const dataPath = join(dir, `${key}.u8`);
  const expected = index.names.length * size * size * CHANNELS;
  try {
    if ((await stat(dataPath)).size !== expected) return undefined;
    const data = await readFile(dataPath);
    return { size, names: index.names, images: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), issues: index.issues };
  } catch {
    return undefined;
  }
}

/** Writes a cache entry atomically (data first, index last). */
export async function writeChipCache(
  dir: string, key: string, entry: ChipCacheEntry, sources: readonly SourceSignature[],
): Promise<void> {
  const expected = entry.names.length * entry.size * entry.size * CHANNELS;
  if (entry.images.length !== expected) {
    throw new RangeError(`chip cache: ${entry.names.length} chips of ${entry.size}px need ${expected} bytes, got ${entry.images.length}`);
  }
  const index: CacheIndex = {
    format: CACHE_FORMAT, key, decoderVersion: DECODER_VERSION, size: entry.size, sources,
    names: entry.names, issues: entry.issues, createdAt: new Date().toISOString(),
  };
  await writeFileAtomic(join(dir, `${key}.u8`), entry.images);
  await writeFileAtomic(join(dir, `${key}.json`), `${JSON.stringify(index)}\n`);
}
