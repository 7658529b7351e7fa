import { readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';

import {
  corruptJpeg, gradient, rgbJpeg, rgbPng, tempDir, writeSmallLayout, writeTar,
} from '../../test/fixtures/data/generate.js';
import { readChipCache } from './cache.js';
import { loadChipSet, type LoadOptions } from './dataset.js';
import { decodeChip } from './decode.js';
import { DataError, tagsOf } from './labels.js';
import { findKaggleLayout } from './layout.js';
import { areaResize } from './resize.js';
import { collectImages, imageName, listSource, signSource } from './sources.js';

let dir = '';
let options: LoadOptions;

beforeEach(async () => {
  dir = await tempDir();
  const { labels, images } = await writeSmallLayout(dir);
  options = { labels, sources: [images], size: 32, onInvalid: 'fail', cacheDir: join(dir, 'cache'), progress: false };
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function quietly<T>(run: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  return run().then((result) => {
    const warnings = warn.mock.calls.map((call) => String(call[0]));
    warn.mockRestore();
    return { result, warnings };
  }, (error: unknown) => {
    warn.mockRestore();
    throw error;
  });
}

describe('sources', () => {
  it('names images by basename without extension and ignores other files', () => {
    expect(imageName('train-jpg-32/train_7.jpg')).toBe('train_7');
    expect(imageName('a/B.JPEG')).toBe('B');
    expect(imageName('notes.txt')).toBeUndefined();
    expect(imageName('__MACOSX/._train_1.jpg')).toBeUndefined();
  });

  it('lists the wanted images of a folder and of a tar alike', async () => {
    const tar = join(dir, 'thumbs.tar');
    const jpeg = await rgbJpeg(gradient(8, 8), 8, 8);
    await writeTar(tar, { 'thumbs/train_0.jpg': jpeg, 'thumbs/train_5.jpg': jpeg, 'thumbs/readme.md': new Uint8Array(3) });
    const fromTar = await listSource(tar, 1, new Set(['train_0', 'train_1']));
    expect(fromTar.map((e) => [e.name, e.file, e.source])).toEqual([['train_0', `${tar}:thumbs/train_0.jpg`, 1]]);
    expect(Buffer.from(await fromTar[0]!.read())).toEqual(jpeg);
    const fromFolder = await listSource(options.sources[0]!, 0, new Set(['train_2', 'train_3', 'nope']));
    expect(fromFolder.map((e) => e.name)).toEqual(['train_2', 'train_3']);
  });

  it('prefers the image with more pixels when a name is in several sources', async () => {
    const tar = join(dir, 'thumbs.tar');
    await writeTar(tar, { 'thumbs/train_3.jpg': await rgbJpeg(gradient(32, 32), 32, 32), 'thumbs/train_0.jpg': await rgbJpeg(gradient(32, 32), 32, 32) });
    const { images, perSource } = await collectImages([tar, options.sources[0]!], new Set(['train_0', 'train_3']));
    expect(images.get('train_3')?.source).toBe(1); // 64x64 in the folder beats the 32x32 thumbnail
    expect(images.get('train_0')?.source).toBe(0); // same size: the earlier source
    expect(perSource).toEqual([1, 1]);
  });

  it('names a tar that cannot be read', async () => {
    const broken = join(dir, 'broken.tar');
    await writeFile(broken, 'this is not a tar archive, just some text that is long enough '.repeat(20));
    await expect(listSource(broken, 0, new Set(['train_0']))).rejects.toThrow(/cannot read tar archive .*broken.tar/);
  });

  it('explains a source that is not there', async () => {
    await expect(signSource(join(dir, 'nowhere'))).rejects.toThrow(/image source .*nowhere does not exist/);
  });
});

describe('loadChipSet', () => {
  it('decodes every labelled image to S x S with its tags', async () => {
    const { set, report } = await loadChipSet(options);
    expect(set.names).toEqual(['train_0', 'train_1', 'train_2', 'train_3']);
    expect(set.images).toHaveLength(4 * 32 * 32 * 3);
    expect(tagsOf(set.targets, 2)).toEqual(['agriculture', 'haze', 'primary', 'water']);
    expect(report).toMatchObject({ rows: 4, chips: 4, fromCache: false, skippedRows: 0, imageIssues: [] });
    // The 64x64 chip is area-reduced like any other.
    const big = await decodeChip(await rgbJpeg(gradient(64, 64, 4), 64, 64), 32);
    expect(set.images.subarray(3 * 3072, 4 * 3072)).toEqual(big);
    expect(set.images.subarray(2 * 3072, 3 * 3072)).toEqual(areaResize(gradient(32, 32, 3), 32, 32, 32));
  });

  it('reads the cache the second time and gives the same chips', async () => {
    const first = await loadChipSet(options);
    const files = await readdir(options.cacheDir);
    expect(files.filter((f) => f.endsWith('.u8'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(1);
    const second = await loadChipSet(options);
    expect(second.report.fromCache).toBe(true);
    expect(second.set.images).toEqual(first.set.images);
    expect(second.set.targets).toEqual(first.set.targets);
  });

  it('decodes again when an image changes, the size changes or the rows change', async () => {
    await loadChipSet(options);
    expect((await loadChipSet({ ...options, size: 16 })).report.fromCache).toBe(false);
    const changed = join(options.sources[0]!, 'train_2.png');
    await writeFile(changed, await rgbPng(gradient(32, 32, 99), 32, 32));
    const later = new Date(Date.now() + 5000);
    await utimes(changed, later, later);
    const reloaded = await loadChipSet(options);
    expect(reloaded.report.fromCache).toBe(false);
    expect(reloaded.set.images.subarray(2 * 3072, 3 * 3072)).toEqual(gradient(32, 32, 99));
    expect((await loadChipSet({ ...options, limit: 2 })).report.fromCache).toBe(false);
    expect((await loadChipSet({ ...options, limit: 2 })).report.fromCache).toBe(true);
  });

  it('ignores a cache entry whose data file is truncated', async () => {
    await loadChipSet(options);
    const data = (await readdir(options.cacheDir)).find((f) => f.endsWith('.u8'))!;
    await writeFile(join(options.cacheDir, data), new Uint8Array(10));
    expect(await readChipCache(options.cacheDir, data.replace('.u8', ''), 32)).toBeUndefined();
    expect((await loadChipSet(options)).report.fromCache).toBe(false);
  });

  it('keeps only the first `limit` rows', async () => {
    const { set } = await loadChipSet({ ...options, limit: 2 });
    expect(set.names).toEqual(['train_0', 'train_1']);
  });

  describe('with a corrupt JPEG', () => {
    beforeEach(async () => {
      await writeFile(join(options.sources[0]!, 'train_1.jpg'), await corruptJpeg());
    });

    it('fails, naming the file', async () => {
      const failure = loadChipSet(options);
      await expect(failure).rejects.toThrow(DataError);
      await expect(loadChipSet(options)).rejects.toThrow(/1 missing or unreadable image\(s\):\n {2}.*train_1\.jpg: cannot decode image/);
    });

    it('skips it with a warning under skip', async () => {
      const { result, warnings } = await quietly(() => loadChipSet({ ...options, onInvalid: 'skip' }));
      expect(result.set.names).toEqual(['train_0', 'train_2', 'train_3']);
      expect(tagsOf(result.set.targets, 1)).toEqual(['agriculture', 'haze', 'primary', 'water']);
      expect(result.report.imageIssues).toHaveLength(1);
      expect(warnings.join('\n')).toMatch(/skipping 1 missing or unreadable image\(s\):\n.*train_1\.jpg/);
    });
  });

  it('fails early on labelled rows with no image, listing the first few', async () => {
    await writeFile(options.labels, 'image_name,tags\ntrain_0,clear\ntrain_77,haze\ntrain_78,haze\n');
    await expect(loadChipSet(options)).rejects.toThrow(/2 missing image\(s\):\n {2}.*train_v2\.csv: no image for "train_77"/);
    const { result } = await quietly(() => loadChipSet({ ...options, onInvalid: 'skip' }));
    expect(result.set.names).toEqual(['train_0']);
    expect(result.report.imageIssues.map((issue) => issue.message)).toEqual([
      expect.stringContaining('"train_77"'), expect.stringContaining('"train_78"'),
    ]);
  });

  it('applies the policy to a CSV with a bad row, naming its line', async () => {
    await writeFile(options.labels, 'image_name,tags\ntrain_0,clear\ntrain_1,clear,extra\ntrain_2,primary\n');
    await expect(loadChipSet(options)).rejects.toThrow(/train_v2\.csv:3: expected 2 comma-separated columns/);
    const { result } = await quietly(() => loadChipSet({ ...options, onInvalid: 'skip' }));
    expect(result.set.names).toEqual(['train_0', 'train_2']);
    expect(result.report.skippedRows).toBe(1);
  });
});

describe('findKaggleLayout', () => {
  it('finds the labels, tars and image folders of a data folder', async () => {
    await writeTar(join(dir, 'train-jpg-32.tar'), { 'train-jpg-32/train_0.jpg': await rgbJpeg(gradient(8, 8), 8, 8) });
    const layout = await findKaggleLayout(dir);
    expect(layout.labels).toBe(join(dir, 'train_v2.csv'));
    expect(layout.sources).toEqual([join(dir, 'train-jpg'), join(dir, 'train-jpg-32.tar')]);
  });

  it('says what is missing', async () => {
    await rm(join(dir, 'train_v2.csv'));
    await expect(findKaggleLayout(dir)).rejects.toThrow(/expected train_v2\.csv or exactly one \.csv file, found none/);
    await expect(findKaggleLayout(join(dir, 'none'))).rejects.toThrow(/cannot read data folder/);
  });
});
