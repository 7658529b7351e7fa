import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import sharp from 'sharp';
import { extract } from 'tar-stream';

/**
 * Where chips come from: folders of image files or tar archives of them (the competition ships
 * `train-jpg.tar`; the shared thumbnails are `train-jpg-32.tar`). An image is matched to a labels row
 * by its file name without directory and extension: `train-jpg-32/train_7.jpg` is `train_7`.
 */

const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff']);
const TAR_EXTENSION = '.tar';

/** One image file found in a source. */
export interface ImageEntry {
  /** Basename without extension: the key into the labels. */
  readonly name: string;
  /** Human-readable location for messages: a path, or `archive.tar:member`. */
  readonly file: string;
  /** Index of the source in the list it came from (earlier sources win ties). */
  readonly source: number;
  readonly read: () => Promise<Uint8Array>;
}

/** Cheap fingerprint of a source's content, for cache keys: sizes and modification times. */
export interface SourceSignature {
  readonly path: string;
  readonly kind: 'folder' | 'tar';
  readonly fingerprint: string;
}

/** The image name a file path stands for, or undefined when it is not an image. */
export function imageName(path: string): string | undefined {
  const base = basename(path);
  const ext = extname(base).toLowerCase();
  if (!IMAGE_EXTENSIONS.has(ext) || base.startsWith('._')) return undefined;
  return base.slice(0, base.length - ext.length);
}

async function sourceKind(path: string): Promise<'folder' | 'tar'> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new Error(`image source ${path} does not exist (expected a folder of images or a .tar of them)`);
  }
  if (info.isDirectory()) return 'folder';
  if (info.isFile() && path.toLowerCase().endsWith(TAR_EXTENSION)) return 'tar';
  throw new Error(`image source ${path} is neither a folder nor a .tar file`);
}

async function folderImages(path: string): Promise<string[]> {
  const files = await readdir(path, { withFileTypes: true });
  return files.filter((file) => file.isFile() && imageName(file.name) !== undefined).map((file) => file.name).sort();
}

/**
 * Fingerprints a source without reading its images: for a tar its size and mtime, for a folder
 * a hash of every image's name, size and mtime. A changed, added or removed file changes it.
 */
export async function signSource(path: string): Promise<SourceSignature> {
  const kind = await sourceKind(path);
  const hash = createHash('sha256');
  if (kind === 'tar') {
    const info = await stat(path);
    hash.update(`${info.size}:${info.mtimeMs}`);
  } else {
    for (const name of await folderImages(path)) {
      const info = await stat(join(path, name));
      hash.update(`${name}:${info.size}:${info.mtimeMs}\n`);
    }
  }
  return { path, kind, fingerprint: hash.digest('hex') };
}

async function folderEntries(path: string, source: number, wanted: ReadonlySet<string>): Promise<ImageEntry[]> {
  const entries: ImageEntry[] = [];
  for (const fileName of await folderImages(path)) {
    const name = imageName(fileName);
    if (name === undefined || !wanted.has(name)) continue;
    const file = join(path, fileName);
    entries.push({ name, file, source, read: async () => new Uint8Array(await readFile(file)) });
  }
  return entries;
}

async function drain(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Streams a tar once, keeping the bytes of the wanted images in memory (others are skipped). */
async function tarEntries(path: string, source: number, wanted: ReadonlySet<string>): Promise<ImageEntry[]> {
  const entries: ImageEntry[] = [];
  const unpack = extract();
  unpack.on('entry', (header, stream, next) => {
    const name = header.type === 'file' ? imageName(header.name) : undefined;
    if (name === undefined || !wanted.has(name)) {
      stream.on('end', () => { next(); });
      stream.resume();
      return;
    }
    drain(stream as AsyncIterable<Buffer>).then((bytes) => {
      const data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      entries.push({ name, file: `${path}:${header.name}`, source, read: () => Promise.resolve(data) });
      next();
    }, next);
  });
  try {
    await pipeline(createReadStream(path), unpack);
  } catch (error) {
    throw new Error(`cannot read tar archive ${path}: ${(error as Error).message}`);
  }
  return entries;
}

/** Lists the wanted images of one source (folder or tar). */
export async function listSource(path: string, source: number, wanted: ReadonlySet<string>): Promise<ImageEntry[]> {
  return (await sourceKind(path)) === 'tar'
    ? tarEntries(path, source, wanted)
    : folderEntries(path, source, wanted);
}

/** Pixel count from the image header, or -1 when the header is unreadable (decoding will report it). */
async function pixelCount(entry: ImageEntry): Promise<number> {
  try {
    const meta = await sharp(await entry.read()).metadata();
    return meta.width * meta.height;
  } catch {
    return -1;
  }
}

/** Of two entries for the same name, the one with more pixels, the earlier source on a tie. */
async function preferLarger(a: ImageEntry, b: ImageEntry): Promise<ImageEntry> {
  const [pa, pb] = await Promise.all([pixelCount(a), pixelCount(b)]);
  if (pa !== pb) return pa > pb ? a : b;
  return a.source <= b.source ? a : b;
}

/**
 * Lists the wanted images across several sources. A name found in more than one source resolves
 * to the image with the most pixels (a full-size chip beats its thumbnail; it is reduced to the
 * model size by `areaResize` like any other), the earlier source on a tie. Also counts how many
 * names each source supplied, for the log.
 */
export async function collectImages(
  paths: readonly string[], wanted: ReadonlySet<string>,
): Promise<{ readonly images: Map<string, ImageEntry>; readonly perSource: readonly number[] }> {
  const images = new Map<string, ImageEntry>();
  for (const [source, path] of paths.entries()) {
    for (const entry of await listSource(path, source, wanted)) {
      const seen = images.get(entry.name);
      images.set(entry.name, seen === undefined ? entry : await preferLarger(seen, entry));
    }
  }
  const perSource = paths.map((_, source) => [...images.values()].filter((entry) => entry.source === source).length);
  return { images, perSource };
}
