import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import sharp from 'sharp';

import { writeFileAtomic } from '../util/index.js';
import { CHANNELS, chipBytes, type ChipSet } from './chipset.js';
import { DataError, tagsOf } from './labels.js';
import { imageName } from './sources.js';

/**
 * The competition's folder layout: a labels CSV (`train_v2.csv`) next to the images, as a folder
 * (`train-jpg/`) and/or a tar (`train-jpg.tar`, `train-jpg-32.tar`).
 */

export const LABELS_FILE = 'train_v2.csv';
export const IMAGES_FOLDER = 'train-jpg';

/** The labels file and image sources of a data folder. */
export interface KaggleLayout {
  readonly labels: string;
  readonly sources: string[];
}

/** `train_v2.csv` when present, else the folder's only `.csv`. */
function chooseLabels(dir: string, names: readonly string[]): string {
  const csvs = names.filter((name) => name.toLowerCase().endsWith('.csv')).sort();
  if (csvs.includes(LABELS_FILE)) return LABELS_FILE;
  const [only] = csvs;
  if (csvs.length !== 1 || only === undefined) {
    throw new DataError(`data folder ${dir}: expected ${LABELS_FILE} or exactly one .csv file, found ${csvs.length === 0 ? 'none' : csvs.join(', ')}`);
  }
  return only;
}

async function holdsImages(dir: string): Promise<boolean> {
  return (await readdir(dir)).some((name) => imageName(name) !== undefined);
}

/**
 * Finds the labels and images in a folder: `train_v2.csv`, or else its only `.csv` file; the
 * sources are its `.tar` files, its sub-folders that hold images, and the folder itself when it
 * holds images directly (names sorted, so the order is stable).
 */
export async function findKaggleLayout(dir: string): Promise<KaggleLayout> {
  let entries;
  try {
    entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  } catch (error) {
    throw new DataError(`cannot read data folder ${dir}: ${(error as Error).message}`);
  }
  const labels = chooseLabels(dir, entries.filter((e) => e.isFile()).map((e) => e.name));
  const sources: string[] = [];
  if (entries.some((e) => e.isFile() && imageName(e.name) !== undefined)) sources.push(dir);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const isTar = entry.isFile() && entry.name.toLowerCase().endsWith('.tar');
    if (isTar || (entry.isDirectory() && await holdsImages(path))) sources.push(path);
  }
  if (sources.length === 0) throw new DataError(`data folder ${dir}: no images (a folder of .jpg files or a .tar of them)`);
  return { labels: join(dir, labels), sources };
}

export interface WriteLayoutOptions {
  /** JPEG quality (default 95). */
  readonly quality?: number;
  /** Enlarge each chip by this integer factor first (nearest neighbour), to mimic full-size chips. */
  readonly upscale?: number;
}

const DEFAULT_QUALITY = 95;

function upscaleNearest(chip: Uint8Array, size: number, factor: number): Uint8Array {
  const big = size * factor;
  const out = new Uint8Array(big * big * CHANNELS);
  for (let y = 0; y < big; y++) {
    for (let x = 0; x < big; x++) {
      const from = (Math.floor(y / factor) * size + Math.floor(x / factor)) * CHANNELS;
      out.set(chip.subarray(from, from + CHANNELS), (y * big + x) * CHANNELS);
    }
  }
  return out;
}

/**
 * Writes a chip set in the competition layout: `dir/train_v2.csv` and `dir/train-jpg/NAME.jpg`
 * (ordinary sRGB JPEGs). Used to test evaluation end to end on generated data.
 */
export async function writeKaggleLayout(set: ChipSet, dir: string, options: WriteLayoutOptions = {}): Promise<KaggleLayout> {
  const folder = join(dir, IMAGES_FOLDER);
  await mkdir(folder, { recursive: true });
  const bytes = chipBytes(set.size);
  const factor = options.upscale ?? 1;
  const side = set.size * factor;
  const lines = ['image_name,tags'];
  for (const [i, name] of set.names.entries()) {
    const chip = set.images.subarray(i * bytes, (i + 1) * bytes);
    const pixels = factor === 1 ? chip : upscaleNearest(chip, set.size, factor);
    const jpeg = await sharp(pixels, { raw: { width: side, height: side, channels: CHANNELS } })
      .jpeg({ quality: options.quality ?? DEFAULT_QUALITY }).toBuffer();
    await writeFileAtomic(join(folder, `${name}.jpg`), jpeg);
    lines.push(`${name},${tagsOf(set.targets, i).join(' ')}`);
  }
  const labels = join(dir, LABELS_FILE);
  await writeFileAtomic(labels, `${lines.join('\n')}\n`);
  return { labels, sources: [folder] };
}
