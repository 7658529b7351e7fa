/**
 * 1,000 random or mutated byte strings sent as images: every answer is a 4xx (never a 5xx, never a
 * crash), the service still answers a good request afterwards, and its memory stays flat.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { buildTestApp, cleanTempDirs, tinyBundle } from '../helpers/app.js';
import { multipart } from '../helpers/multipart.js';
import { seededRandom } from '../helpers/tiny-onnx.js';

afterAll(cleanTempDirs);

const CASES = 1000;
const MB = 1024 * 1024;

type Mutation = (seed: Buffer, random: () => number) => Buffer;
const int = (random: () => number, n: number): number => Math.floor(random() * n);
const noise = (random: () => number, n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(random, 256)));

/** Each mutation yields bytes no decoder should accept as a whole image. */
const MUTATIONS: Record<string, Mutation> = {
  random: (_, r) => noise(r, 1 + int(r, 4096)),
  truncated: (s, r) => s.subarray(0, Math.max(1, int(r, Math.floor(s.length * 0.9)))),
  headerScrambled: (s, r) => Buffer.concat([noise(r, 4), s.subarray(4)]),
  jpegMagicThenNoise: (_, r) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), noise(r, int(r, 2048))]),
  pngMagicThenNoise: (_, r) => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), noise(r, int(r, 2048))]),
  truncatedAfterFlips: (s, r) => {
    const copy = Buffer.from(s.subarray(0, Math.max(1, int(r, Math.floor(s.length * 0.8)))));
    for (let i = 0; i < 8; i++) copy[int(r, copy.length)] = int(r, 256);
    return copy;
  },
  text: (_, r) => Buffer.from(`not an image ${r()}`),
  empty: () => Buffer.alloc(0),
};

describe('fuzzing the decoder through /v1/predict', () => {
  it(`answers ${CASES} bad images with 4xx only, stays up, memory flat`, async () => {
    const bundle = await tinyBundle();
    const app = await buildTestApp();
    const random = seededRandom(2024);
    const seeds = bundle.images.map((i) => i.bytes);
    const names = Object.keys(MUTATIONS);
    const statuses = new Map<number, number>();
    const send = async (k: number): Promise<void> => {
      const name = names[k % names.length]!;
      const bytes = MUTATIONS[name]!(seeds[int(random, seeds.length)]!, random);
      const request = k % 2 === 0
        ? await multipart([{ name: `${name}_${k}.jpg`, bytes }])
        : { payload: { images: [{ name: `${name}_${k}.jpg`, data: bytes.toString('base64') }] } };
      const res = await app.inject({ method: 'POST', url: '/v1/predict', ...request });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode < 400 || res.statusCode >= 500) throw new Error(`${name} case ${k}: status ${res.statusCode} ${res.body}`);
      expect(res.json<{ error: string }>().error.length).toBeGreaterThan(0);
    };
    // Warm up allocators before measuring, then measure over the rest.
    for (let k = 0; k < 100; k++) await send(k);
    const before = process.memoryUsage();
    for (let k = 100; k < CASES; k += 4) await Promise.all([send(k), send(k + 1), send(k + 2), send(k + 3)]);
    const after = process.memoryUsage();
    const good = await app.inject({ method: 'POST', url: '/v1/predict', payload: { images: [{ name: 'ok.jpg', data: seeds[0]!.toString('base64') }] } });
    expect(good.statusCode).toBe(200);
    expect((await app.inject({ url: '/health/ready' })).statusCode).toBe(200);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(`fuzz: ${total} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, heapUsed ${(before.heapUsed / MB).toFixed(1)} -> ${(after.heapUsed / MB).toFixed(1)} MB, rss ${(before.rss / MB).toFixed(1)} -> ${(after.rss / MB).toFixed(1)} MB`);
    expect(total).toBe(CASES);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(64 * MB);
    expect(after.rss - before.rss).toBeLessThan(128 * MB);
    await app.close();
  });
});
