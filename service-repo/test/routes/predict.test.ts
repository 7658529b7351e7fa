import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { buildTestApp, cleanTempDirs, tinyBundle } from '../helpers/app.js';
import { multipart } from '../helpers/multipart.js';
import type { TinyBundle } from '../helpers/tiny-bundle.js';

interface Prediction { name: string; labels: string[]; probabilities: Record<string, number> }
interface PredictBody { model: { name: string; version: string }; predictions: Prediction[] }
interface ErrorBody { error: string; statusCode: number; code?: string; file?: string; requestId?: string }

let app: FastifyInstance;
let bundle: TinyBundle;

beforeAll(async () => {
  bundle = await tinyBundle();
  app = await buildTestApp({ env: { MAX_FILES: '4', MAX_FILE_BYTES: '300000', MAX_BODY_BYTES: '2000000', MAX_IMAGE_PIXELS: '1000000' } });
});
afterAll(async () => {
  await app.close();
  cleanTempDirs();
});

const json = (images: { name: string; data: string }[], query = ''): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'POST', url: `/v1/predict${query}`, payload: { images } });
const b64 = (i: number): { name: string; data: string } => ({ name: bundle.images[i]!.name, data: bundle.images[i]!.bytes.toString('base64') });

function expectError(res: LightMyRequestResponse, status: number, code: string, message: RegExp | string, file?: string): void {
  const body = res.json<ErrorBody>();
  expect(res.statusCode).toBe(status);
  expect(body.statusCode).toBe(status);
  expect(body.code).toBe(code);
  if (typeof message === 'string') expect(body.error).toBe(message);
  else expect(body.error).toMatch(message);
  if (file !== undefined) expect(body.file).toBe(file);
  expect(typeof body.requestId).toBe('string');
}

describe('POST /v1/predict', () => {
  it('answers multipart uploads in request order with labels and all 17 probabilities', async () => {
    const uploads = [3, 0, 5].map((i) => ({ field: `f${i}`, name: bundle.images[i]!.name, bytes: bundle.images[i]!.bytes }));
    const res = await app.inject({ method: 'POST', url: '/v1/predict', ...(await multipart(uploads, { note: 'ignored field' })) });
    expect(res.statusCode).toBe(200);
    const body = res.json<PredictBody>();
    expect(body.model).toEqual({ name: 'planet-tiny-test', version: '0.0.0-tiny' });
    expect(body.predictions.map((p) => p.name)).toEqual([bundle.images[3]!.name, bundle.images[0]!.name, bundle.images[5]!.name]);
    for (const [k, p] of body.predictions.entries()) {
      const golden = bundle.golden[[3, 0, 5][k]!]!;
      expect(Object.keys(p.probabilities)).toEqual(bundle.card.labels);
      bundle.card.labels.forEach((label, j) => { expect(Math.abs(p.probabilities[label]! - golden.probabilities[j]!)).toBeLessThanOrEqual(1e-4); });
      // The card's per-class thresholds decide the labels.
      expect(p.labels).toEqual(bundle.card.labels.filter((l) => p.probabilities[l]! >= bundle.card.thresholds[l]!));
    }
  });

  it('answers JSON base64 images the same way', async () => {
    const res = await json([b64(1), b64(2)]);
    expect(res.statusCode).toBe(200);
    expect((res.json<PredictBody>()).predictions.map((p) => p.name)).toEqual([bundle.images[1]!.name, bundle.images[2]!.name]);
  });

  it('applies a threshold query to every tag', async () => {
    const all = (await json([b64(0)], '?threshold=0')).json<PredictBody>();
    expect(all.predictions[0]!.labels).toEqual(bundle.card.labels);
    const none = (await json([b64(0)], '?threshold=1')).json<PredictBody>();
    expect(none.predictions[0]!.labels).toEqual([]);
    const half = (await json([b64(0)], '?threshold=0.5')).json<PredictBody>();
    const p = half.predictions[0]!.probabilities;
    expect(half.predictions[0]!.labels).toEqual(bundle.card.labels.filter((l) => p[l]! >= 0.5));
  });

  it.each([['2'], ['-0.1'], ['abc']])('refuses threshold=%s', async (t) => {
    expectError(await json([b64(0)], `?threshold=${t}`), 400, 'VALIDATION', /^querystring\/threshold must be/);
  });

  it('refuses the whole request when one file is bad, naming it', async () => {
    const uploads = [
      { name: 'good.jpg', bytes: bundle.images[0]!.bytes },
      { name: 'broken.jpg', bytes: bundle.images[2]!.bytes.subarray(0, 400) },
      { name: 'also-good.png', bytes: bundle.images[3]!.bytes },
    ];
    const res = await app.inject({ method: 'POST', url: '/v1/predict', ...(await multipart(uploads)) });
    expectError(res, 400, 'BAD_IMAGE', /^broken\.jpg: cannot decode image/, 'broken.jpg');
  });

  it('refuses non-image bytes', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/predict', ...(await multipart([{ name: 'notes.txt', bytes: Buffer.from('plain text, not pixels') }])) });
    expectError(res, 400, 'BAD_IMAGE', 'notes.txt: not an image (send JPEG or PNG)', 'notes.txt');
  });

  it('refuses a decompression bomb with 413', async () => {
    const bomb = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#000' } }).png({ compressionLevel: 9 }).toBuffer();
    const res = await app.inject({ method: 'POST', url: '/v1/predict', ...(await multipart([{ name: 'bomb.png', bytes: bomb }])) });
    expectError(res, 413, 'IMAGE_TOO_LARGE', 'bomb.png: image has more than 1000000 pixels (MAX_IMAGE_PIXELS)', 'bomb.png');
  });

  it('refuses too many files (multipart and JSON)', async () => {
    const five = Array.from({ length: 5 }, (_, i) => ({ name: `c${i}.jpg`, bytes: bundle.images[1]!.bytes }));
    const res = await app.inject({ method: 'POST', url: '/v1/predict', ...(await multipart(five)) });
    expectError(res, 413, 'TOO_MANY_FILES', 'too many files: at most 4 per request (MAX_FILES)');
    expectError(await json(Array.from({ length: 5 }, () => b64(1))), 400, 'VALIDATION', 'body/images must NOT have more than 4 items');
  });

  it('refuses a file over MAX_FILE_BYTES with 413 naming it (multipart and JSON)', async () => {
    const big = Buffer.concat([bundle.images[0]!.bytes, Buffer.alloc(300_001)]);
    const res = await app.inject({ method: 'POST', url: '/v1/predict', ...(await multipart([{ name: 'ok.jpg', bytes: bundle.images[1]!.bytes }, { name: 'huge.jpg', bytes: big }])) });
    expectError(res, 413, 'IMAGE_TOO_LARGE', 'huge.jpg: file is larger than 300000 bytes (MAX_FILE_BYTES)', 'huge.jpg');
    expectError(await json([{ name: 'huge.jpg', data: big.toString('base64') }]), 413, 'IMAGE_TOO_LARGE', 'huge.jpg: file is larger than 300000 bytes (MAX_FILE_BYTES)', 'huge.jpg');
  });

  it('refuses a JSON body over MAX_BODY_BYTES with 413', async () => {
    const res = await json([{ name: 'x.jpg', data: Buffer.alloc(1_600_000).toString('base64') }]);
    expectError(res, 413, 'BODY_TOO_LARGE', 'request body is larger than 2000000 bytes (MAX_BODY_BYTES)');
  });

  it('refuses a wrong content type with 415', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/predict', payload: 'hello', headers: { 'content-type': 'text/plain' } });
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', "content-type 'text/plain' is not accepted: send multipart/form-data or application/json");
    const raw = await app.inject({ method: 'POST', url: '/v1/predict', payload: bundle.images[0]!.bytes, headers: { 'content-type': 'image/jpeg' } });
    expect(raw.statusCode).toBe(415);
  });

  it('refuses malformed JSON and a wrong JSON shape', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/predict', payload: '{"images": [{"name": "a", ', headers: { 'content-type': 'application/json' } });
    expectError(res, 400, 'MALFORMED_JSON', /^body is not valid JSON/);
    expectError(await app.inject({ method: 'POST', url: '/v1/predict', payload: { pictures: [] } }), 400, 'VALIDATION', /^body must have required property 'images'/);
    expectError(await json([]), 400, 'VALIDATION', 'body/images must NOT have fewer than 1 items');
  });

  it('refuses bad base64, naming the image', async () => {
    expectError(await json([b64(0), { name: 'mangled.jpg', data: '!!notbase64!!' }]), 400, 'BAD_BASE64', 'mangled.jpg: data is not valid base64 (standard alphabet with = padding)', 'mangled.jpg');
  });

  it('refuses a multipart request without files', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/predict', ...(await multipart([], { a: 'b' })) });
    expectError(res, 400, 'NO_FILES', 'no image in the request: send one or more JPEG or PNG files');
  });

  it('refuses a malformed multipart body with 400', async () => {
    const res = await app.inject({
      method: 'POST', url: '/v1/predict',
      payload: '--xyz\r\nContent-Disposition: form-data; name="f"; filename="a.jpg"\r\n\r\nabc',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
    });
    expectError(res, 400, 'MALFORMED_MULTIPART', 'malformed multipart body (Unexpected end of multipart data)');
    const noBoundary = await app.inject({ method: 'POST', url: '/v1/predict', payload: 'x', headers: { 'content-type': 'multipart/form-data' } });
    expectError(noBoundary, 400, 'MALFORMED_MULTIPART', 'malformed multipart body (Multipart: Boundary not found)');
  });
});

describe('POST /v1/preprocess', () => {
  it('returns the exact S x S x 3 model input the service makes of each image', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/preprocess', payload: { images: [b64(0), b64(4)] } });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ size: number; images: { name: string; width: number; height: number; data: string }[] }>();
    expect(body.size).toBe(16);
    expect(body.images.map((i) => [i.name, i.width, i.height])).toEqual([[bundle.images[0]!.name, 256, 256], [bundle.images[4]!.name, 50, 30]]);
    expect(Buffer.from(body.images[0]!.data, 'base64')).toHaveLength(16 * 16 * 3);
  });
});
