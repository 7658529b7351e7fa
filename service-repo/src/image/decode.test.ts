import { describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { decodeImage } from './decode.js';
import { RequestError } from '../errors/index.js';

const limits = { maxPixels: 1_000_000 };

function gradient(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    data[i * 3] = (i % width) * 4;
    data[i * 3 + 1] = Math.floor(i / width) * 4;
    data[i * 3 + 2] = 128;
  }
  return data;
}

async function rejection(promise: Promise<unknown>): Promise<RequestError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RequestError);
    return error as RequestError;
  }
  throw new Error('expected a rejection');
}

describe('decodeImage', () => {
  it('reads a 4-band CMYK JPEG without colour conversion: RGB = 255 - bands', async () => {
    const jpeg = await sharp(gradient(32, 32), { raw: { width: 32, height: 32, channels: 3 } }).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    const meta = await sharp(jpeg).metadata();
    expect([meta.channels, meta.space]).toEqual([4, 'cmyk']);
    const bands = await sharp(jpeg).pipelineColourspace('cmyk').toColourspace('cmyk').raw().toBuffer();
    const img = await decodeImage(jpeg, 'c.jpg', limits);
    expect([img.width, img.height, img.data.length]).toEqual([32, 32, 32 * 32 * 3]);
    for (let p = 0; p < 32 * 32; p += 37) {
      for (let c = 0; c < 3; c++) expect(img.data[p * 3 + c]).toBe(255 - bands[p * 4 + c]!);
    }
    // The profile-converted sRGB decode differs: the service must not use it.
    const converted = await sharp(jpeg).removeAlpha().toColourspace('srgb').raw().toBuffer();
    expect(Buffer.from(img.data).equals(converted)).toBe(false);
  });

  it('reads an RGB JPEG and a PNG as sRGB', async () => {
    const raw = gradient(16, 8);
    const png = await sharp(raw, { raw: { width: 16, height: 8, channels: 3 } }).png().toBuffer();
    const img = await decodeImage(png, 'a.png', limits);
    expect(Buffer.from(img.data).equals(raw)).toBe(true);
    const jpeg = await sharp(raw, { raw: { width: 16, height: 8, channels: 3 } }).jpeg({ quality: 100 }).toBuffer();
    const fromJpeg = await decodeImage(jpeg, 'a.jpg', limits);
    const mae = fromJpeg.data.reduce((s, v, i) => s + Math.abs(v - raw[i]!), 0) / raw.length;
    expect(mae).toBeLessThan(2);
  });

  it('expands grey to three channels and drops alpha', async () => {
    const grey = await sharp(Buffer.from([0, 50, 100, 200]), { raw: { width: 2, height: 2, channels: 1 } }).png().toBuffer();
    expect(Array.from((await decodeImage(grey, 'g.png', limits)).data)).toEqual([0, 0, 0, 50, 50, 50, 100, 100, 100, 200, 200, 200]);
    const rgba = await sharp(Buffer.from([10, 20, 30, 0, 40, 50, 60, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    expect(Array.from((await decodeImage(rgba, 'a.png', limits)).data)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('reads 16-bit PNGs as 8-bit', async () => {
    const png16 = await sharp(Buffer.alloc(12, 77), { raw: { width: 2, height: 2, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    expect(Array.from((await decodeImage(png16, 'deep.png', limits)).data)).toEqual(Array(12).fill(77));
  });

  it('refuses a truncated JPEG, naming the file', async () => {
    const jpeg = await sharp(gradient(64, 64), { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toBuffer();
    const error = await rejection(decodeImage(jpeg.subarray(0, jpeg.length >> 1), 'half.jpg', limits));
    expect(error.statusCode).toBe(400);
    expect(error.file).toBe('half.jpg');
    expect(error.message).toMatch(/^half\.jpg: cannot decode image \(.*premature end/i);
  });

  it('refuses bytes that are not an image, and empty files', async () => {
    const error = await rejection(decodeImage(Buffer.from('definitely not a picture'), 'notes.txt', limits));
    expect([error.statusCode, error.code, error.message]).toEqual([400, 'BAD_IMAGE', 'notes.txt: not an image (send JPEG or PNG)']);
    expect((await rejection(decodeImage(new Uint8Array(0), 'empty.jpg', limits))).message).toBe('empty.jpg: file is empty');
  });

  it('refuses other image formats with 415', async () => {
    const gif = await sharp(gradient(4, 4), { raw: { width: 4, height: 4, channels: 3 } }).gif().toBuffer();
    const error = await rejection(decodeImage(gif, 'anim.gif', limits));
    expect([error.statusCode, error.code, error.message]).toEqual([415, 'UNSUPPORTED_IMAGE', 'anim.gif: gif images are not supported (send JPEG or PNG)']);
  });

  it('refuses a decompression bomb before decoding its pixels', async () => {
    // 3000 x 3000 of one colour compresses to 1/200 of the 27 MB it would decode to.
    const bomb = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#345' } }).png({ compressionLevel: 9 }).toBuffer();
    expect(bomb.length).toBeLessThan(27_000_000 / 200);
    const error = await rejection(decodeImage(bomb, 'bomb.png', limits));
    expect([error.statusCode, error.code]).toEqual([413, 'IMAGE_TOO_LARGE']);
    expect(error.message).toBe('bomb.png: image has more than 1000000 pixels (MAX_IMAGE_PIXELS)');
  });
});
