import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, cleanTempDirs, tinyBundle } from '../helpers/app.js';
import type { TinyBundle } from '../helpers/tiny-bundle.js';

let app: FastifyInstance;
let bundle: TinyBundle;

beforeAll(async () => {
  bundle = await tinyBundle();
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
  cleanTempDirs();
});

describe('model routes', () => {
  it('GET /v1/labels: labels in model order with thresholds', async () => {
    const res = await app.inject({ url: '/v1/labels' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ model: { name: 'planet-tiny-test', version: '0.0.0-tiny' }, labels: bundle.card.labels, thresholds: bundle.card.thresholds });
  });

  it('GET /v1/model: the whole card, extra fields included', async () => {
    const res = await app.inject({ url: '/v1/model' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(JSON.parse(JSON.stringify(bundle.card)));
    expect((res.json<{ metrics: { split: string } }>()).metrics.split).toMatch(/random weights/);
  });

  it('GET /v1/model.onnx: the exact graph bytes', async () => {
    const res = await app.inject({ url: '/v1/model.onnx' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(createHash('sha256').update(res.rawPayload).digest('hex')).toBe(bundle.card.onnx.sha256);
    expect(res.headers.etag).toBe(`"${bundle.card.onnx.sha256}"`);
  });

  it('GET /v1/model.onnx with If-None-Match of its ETag: 304 without a body; another tag: 200', async () => {
    const etag = `"${bundle.card.onnx.sha256}"`;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await app.inject({ url: '/v1/model.onnx', headers: { 'if-none-match': header } });
      expect(res.statusCode).toBe(304);
      expect(res.rawPayload).toHaveLength(0);
      expect(res.headers.etag).toBe(etag);
    }
    const changed = await app.inject({ url: '/v1/model.onnx', headers: { 'if-none-match': '"an-older-model"' } });
    expect(changed.statusCode).toBe(200);
    expect(createHash('sha256').update(changed.rawPayload).digest('hex')).toBe(bundle.card.onnx.sha256);
  });

  it('answers unknown routes with a 404 error object', async () => {
    const res = await app.inject({ url: '/v1/nothing?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'no route GET /v1/nothing', statusCode: 404, code: 'NOT_FOUND' });
  });

  it('echoes a request id, or makes one', async () => {
    expect((await app.inject({ url: '/health/live', headers: { 'x-request-id': 'trace-42' } })).headers['x-request-id']).toBe('trace-42');
    expect((await app.inject({ url: '/health/live' })).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
