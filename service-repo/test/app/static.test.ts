import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, cleanTempDirs } from '../helpers/app.js';

let app: FastifyInstance;
beforeAll(async () => { app = await buildTestApp({ load: false }); });
afterAll(async () => {
  await app.close();
  cleanTempDirs();
});

describe('the browser page and its files', () => {
  it('serves the page at / with cross-origin isolation headers', async () => {
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<script type="module" src="/app.js"></script>');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['cross-origin-embedder-policy']).toBe('require-corp');
  });

  it.each([
    ['/app.js', 'text/javascript; charset=utf-8'],
    ['/ort/ort.wasm.min.mjs', 'text/javascript; charset=utf-8'],
    ['/ort/ort-wasm-simd-threaded.mjs', 'text/javascript; charset=utf-8'],
    ['/ort/ort-wasm-simd-threaded.wasm', 'application/wasm'],
  ])('serves %s as %s, isolated too', async (url, type) => {
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(res.rawPayload.length).toBeGreaterThan(1000);
  });

  it('serves the icon the page declares (no favicon 404 in the browser console)', async () => {
    const page = await app.inject({ url: '/' });
    expect(page.body).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
    const res = await app.inject({ url: '/favicon.svg' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
  });

  it('serves no other file of the onnxruntime-web package', async () => {
    expect((await app.inject({ url: '/ort/ort.all.min.mjs' })).statusCode).toBe(400);
    expect((await app.inject({ url: '/ort/../package.json' })).statusCode).toBeGreaterThanOrEqual(400);
  });
});
