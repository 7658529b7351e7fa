import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';

import {
  cmykJpeg, corruptJpeg, gradient, PLANET_DATA_DIR, planetDataPresent, rgbJpeg, rgbPng,
} from '../../test/fixtures/data/generate.js';
import { meanRgb } from './chipset.js';
import { DecodeError, decodeChip, decodeImage } from './decode.js';
import { readLabels, tagsOf } from './labels.js';
import { areaResize } from './resize.js';
import { listSource } from './sources.js';

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

describe('decodeImage', () => {
  it('decodes a PNG exactly', async () => {
    const rgb = gradient(20, 12, 5);
    const image = await decodeImage(await rgbPng(rgb, 20, 12));
    expect(image.width).toBe(20);
    expect(image.height).toBe(12);
    expect(image.rgb).toEqual(rgb);
  });

  it('decodes an ordinary sRGB JPEG close to its pixels', async () => {
    const rgb = Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => 40 + Math.floor(i / 3 / 32) * 4 + (i % 3) * 20);
    const image = await decodeImage(await rgbJpeg(rgb, 32, 32, 100));
    expect(meanAbsDiff(image.rgb, rgb)).toBeLessThan(1.5);
  });

  it('drops alpha and expands grey to three bands', async () => {
    const rgba = Uint8Array.from({ length: 4 * 4 * 4 }, (_, i) => (i % 4 === 3 ? 10 : 100 + (i % 4)));
    const withAlpha = await sharp(rgba, { raw: { width: 4, height: 4, channels: 4 } }).png().toBuffer();
    const decoded = await decodeImage(withAlpha);
    expect(decoded.rgb).toHaveLength(4 * 4 * 3);
    expect(Array.from(decoded.rgb.subarray(0, 3))).toEqual([100, 101, 102]);
    const grey = await sharp(new Uint8Array(9).fill(42), { raw: { width: 3, height: 3, channels: 1 } }).png().toBuffer();
    expect(Array.from((await decodeImage(grey)).rgb)).toEqual(new Array(27).fill(42));
  });

  it('decodes a 4-component JPEG as 255 minus its CMYK bands, not through a colour profile', async () => {
    const jpeg = await cmykJpeg(gradient(16, 16, 9), 16, 16);
    const meta = await sharp(jpeg).metadata();
    expect(meta.channels).toBe(4);
    expect(meta.space).toBe('cmyk');
    const bands = await sharp(jpeg).pipelineColourspace('cmyk').toColourspace('cmyk').raw().toBuffer();
    const image = await decodeImage(jpeg);
    const expected = new Uint8Array(16 * 16 * 3);
    for (let p = 0; p < 16 * 16; p++) for (let c = 0; c < 3; c++) expected[p * 3 + c] = 255 - bands[p * 4 + c]!;
    expect(image.rgb).toEqual(expected);
    // libvips' own CMYK -> sRGB conversion gives different bytes: the decoder must not use it.
    const viaProfile = await sharp(jpeg).removeAlpha().toColourspace('srgb').raw().toBuffer();
    expect(meanAbsDiff(image.rgb, new Uint8Array(viaProfile))).toBeGreaterThan(5);
  });

  it('names the file when the bytes do not decode', async () => {
    await expect(decodeImage(await corruptJpeg(), 'images/train_9.jpg')).rejects.toThrow(DecodeError);
    await expect(decodeImage(await corruptJpeg(), 'images/train_9.jpg')).rejects.toThrow(/cannot decode image images\/train_9\.jpg/);
    await expect(decodeImage(new TextEncoder().encode('hello'), 'x.jpg')).rejects.toThrow(/x\.jpg/);
  });
});

describe('decodeChip', () => {
  it('decodes and area-resizes to S x S', async () => {
    const rgb = gradient(64, 64, 3);
    const chip = await decodeChip(await rgbPng(rgb, 64, 64), 32);
    expect(chip).toEqual(areaResize(rgb, 64, 64, 32));
  });
});

const planet = planetDataPresent('real-chip decoder checks') ? describe : describe.skip;

planet('the decoder on the real Planet chips', () => {
  const tar = join(PLANET_DATA_DIR, 'train-jpg-32.tar');
  const chips = new Map<string, Uint8Array>();
  const groups: Record<'cloudy' | 'forest' | 'first' | 'full', string[]> = { cloudy: [], forest: [], first: [], full: [] };

  beforeAll(async () => {
    // One pass over the tar for every chip the checks below need.
    const labels = await readLabels(join(PLANET_DATA_DIR, 'train_v2.csv'), 'fail');
    const only = (tags: string): string[] => labels.names.filter((_, i) => tagsOf(labels.targets, i).join(' ') === tags).slice(0, 200);
    groups.cloudy = only('cloudy');
    groups.forest = only('clear primary');
    groups.first = labels.names.slice(0, 3000);
    groups.full = (await readdir(join(PLANET_DATA_DIR, 'train-jpg'))).slice(0, 100).map((file) => file.replace(/\.jpg$/, ''));
    const wanted = new Set(Object.values(groups).flat());
    for (const entry of await listSource(tar, 0, wanted)) chips.set(entry.name, await decodeChip(await entry.read(), 32, entry.file));
    expect(chips.size).toBe(wanted.size);
  });

  function stack(list: readonly Uint8Array[]): Uint8Array {
    const all = new Uint8Array(list.length * 32 * 32 * 3);
    list.forEach((chip, i) => { all.set(chip, i * chip.length); });
    return all;
  }
  const chipsOf = (names: readonly string[]): Uint8Array => stack(names.map((name) => chips.get(name)!));

  it('gives natural colours: cloudy bright grey, clear forest dark green, overall mean about (80, 87, 76)', () => {
    const [cr, cg, cb] = meanRgb(chipsOf(groups.cloudy));
    expect(Math.min(cr, cg, cb)).toBeGreaterThan(140);
    expect(Math.max(cr, cg, cb) - Math.min(cr, cg, cb)).toBeLessThan(20);
    const [fr, fg, fb] = meanRgb(chipsOf(groups.forest));
    expect(fg).toBeGreaterThan(fr + 5);
    expect(fg).toBeGreaterThan(fb + 3);
    expect(fg).toBeLessThan(90);
    const mean = meanRgb(chipsOf(groups.first));
    [80, 87, 76].forEach((expected, c) => { expect(Math.abs(mean[c]! - expected)).toBeLessThan(4); });
  });

  it('a thumbnail and its full-size chip reduced to 32 differ by about 2/255', async () => {
    const full = await Promise.all(groups.full.map(async (name) =>
      decodeChip(new Uint8Array(await readFile(join(PLANET_DATA_DIR, 'train-jpg', `${name}.jpg`))), 32)));
    const diff = meanAbsDiff(chipsOf(groups.full), stack(full));
    expect(diff).toBeGreaterThan(0.5);
    expect(diff).toBeLessThan(3.5);
  });
});
