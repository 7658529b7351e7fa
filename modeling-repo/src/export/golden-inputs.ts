import sharp from 'sharp';
import { chipBytes, collectImages, type ChipSet } from '../data/index.js';
import type { GoldenInput } from './golden.js';

/** Golden chips shown at a larger size, so the service's resize path is exercised too. */
const UPSCALE = 4;
const JPEG_QUALITY = 95;

/**
 * Picks golden chips among `names` (validation chips, in order) from the image sources: half of
 * them full-size files (anything not read from a tar of thumbnails) when there are any, the rest
 * from whatever source holds them. The bytes are the original files', untouched.
 */
export async function goldenFromSources(
  sources: readonly string[], names: readonly string[], count: number,
): Promise<GoldenInput[]> {
  const { images } = await collectImages(sources, new Set(names));
  const entries = names.flatMap((name) => {
    const entry = images.get(name);
    return entry === undefined ? [] : [entry];
  });
  const fullSize = entries.filter((entry) => !entry.file.includes('.tar:'));
  const wantedFull = Math.min(fullSize.length, Math.ceil(count / 2));
  const chosen = [...fullSize.slice(0, wantedFull)];
  for (const entry of entries) {
    if (chosen.length >= count) break;
    if (!chosen.includes(entry)) chosen.push(entry);
  }
  return Promise.all(chosen.map(async (entry) => ({ name: `${entry.name}.jpg`, jpeg: await entry.read() })));
}

/**
 * Golden chips for data made in code (the smoke run): each chip JPEG-encoded, every other one
 * enlarged first so that decoding it needs the resize the service must reproduce.
 */
export async function goldenFromChips(set: ChipSet, rows: readonly number[], count: number): Promise<GoldenInput[]> {
  const size = set.size;
  const per = chipBytes(size);
  return Promise.all(rows.slice(0, count).map(async (row, index) => {
    const chip = set.images.subarray(row * per, (row + 1) * per);
    let image = sharp(chip, { raw: { width: size, height: size, channels: 3 } });
    if (index % 2 === 1) image = image.resize(size * UPSCALE, size * UPSCALE, { kernel: 'nearest' });
    const jpeg = await image.jpeg({ quality: JPEG_QUALITY }).toBuffer();
    return { name: `${set.names[row] ?? `chip_${row}`}.jpg`, jpeg: new Uint8Array(jpeg) };
  }));
}
