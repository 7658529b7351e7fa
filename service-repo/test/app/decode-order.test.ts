/**
 * By default every image starts decoding at once. With DECODE_CONCURRENCY=N images decode through
 * one FIFO queue, N at a time: a later small image does not overtake an earlier large one, and images
 * beyond the limit wait (as bytes) instead of decoding.
 */
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { buildTestApp, cleanTempDirs, tinyBundle } from '../helpers/app.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});
afterAll(cleanTempDirs);

/** A large noisy JPEG: its decode takes far longer than a small chip's. */
async function largeJpeg(side: number): Promise<Buffer> {
  const noise = Buffer.alloc(side * side * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  return sharp(noise, { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
}

describe('decode queue', () => {
  it('decodes in arrival order, one at a time with DECODE_CONCURRENCY=1', async () => {
    app = await buildTestApp({ env: { DECODE_CONCURRENCY: '1' } });
    const small = (await tinyBundle()).images[0]!.bytes;
    const images = [{ name: 'large.jpg', bytes: await largeJpeg(1536) }, ...Array.from({ length: 5 }, (_, i) => ({ name: `small_${i}.jpg`, bytes: small }))];
    const finished: string[] = [];
    const prepared = images.map((image) => app!.predictor.prepare(image).then((p) => { finished.push(p.name); return p; }));
    expect(app.predictor.decodeBacklog).toBe(images.length - 1);
    const done = await Promise.all(prepared);
    expect(finished).toEqual(images.map((i) => i.name));
    expect(done.map((p) => [p.width, p.height])).toEqual([[1536, 1536], ...images.slice(1).map(() => [256, 256])]);
    expect(app.predictor.decodeBacklog).toBe(0);
  });

  it('starts every decode at once by default (DECODE_CONCURRENCY=0)', async () => {
    app = await buildTestApp();
    const small = (await tinyBundle()).images[0]!.bytes;
    const prepared = Array.from({ length: 10 }, (_, i) => app!.predictor.prepare({ name: `chip_${i}.jpg`, bytes: small }));
    expect(app.predictor.decodeBacklog).toBe(0);
    expect((await Promise.all(prepared)).map((p) => p.name)).toEqual(Array.from({ length: 10 }, (_, i) => `chip_${i}.jpg`));
  });

  it('runs DECODE_CONCURRENCY decodes at once and queues the rest', async () => {
    app = await buildTestApp({ env: { DECODE_CONCURRENCY: '3' } });
    const small = (await tinyBundle()).images[0]!.bytes;
    const prepared = Array.from({ length: 10 }, (_, i) => app!.predictor.prepare({ name: `chip_${i}.jpg`, bytes: small }));
    expect(app.predictor.decodeBacklog).toBe(7);
    expect((await Promise.all(prepared)).map((p) => p.name)).toEqual(Array.from({ length: 10 }, (_, i) => `chip_${i}.jpg`));
  });

  it('a bad image in the queue fails alone, with its 4xx, and the queue goes on', async () => {
    app = await buildTestApp({ env: { DECODE_CONCURRENCY: '1' } });
    const small = (await tinyBundle()).images[0]!.bytes;
    const bad = app.predictor.prepare({ name: 'broken.jpg', bytes: Buffer.from('not a jpeg') });
    const good = app.predictor.prepare({ name: 'good.jpg', bytes: small });
    await expect(bad).rejects.toMatchObject({ statusCode: 400, code: 'BAD_IMAGE', file: 'broken.jpg' });
    expect((await good).name).toBe('good.jpg');
  });
});
