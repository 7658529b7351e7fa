import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { parse } from 'yaml';
import { buildServer } from '../../src/build.js';
import { loadConfig } from '../../src/config/index.js';
import { preloadAutoloaded } from '../helpers/app.js';

let app: FastifyInstance;

beforeAll(async () => {
  await preloadAutoloaded();
  app = await buildServer(loadConfig({ LOG_LEVEL: 'silent', MODEL_DIR: '/nonexistent' }), { autoLoadModel: false });
  await app.ready();
});
afterAll(async () => { await app.close(); });

describe('OpenAPI document', () => {
  it('openapi.yaml is the document the service serves (regenerate with npm run openapi)', async () => {
    const served = (await app.inject({ url: '/openapi.json' })).json<Record<string, unknown>>();
    const committed = parse(readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8')) as unknown;
    expect(committed).toEqual(served);
  });

  it('documents every public route with its schemas', async () => {
    const spec = (await app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> }; responses: Record<string, unknown> }>> }>();
    expect(Object.keys(spec.paths).sort()).toEqual([
      '/health/live', '/health/ready', '/metrics', '/v1/labels', '/v1/model', '/v1/model.onnx', '/v1/predict', '/v1/preprocess',
      '/v2', '/v2/health/live', '/v2/health/ready', '/v2/models/{model}', '/v2/models/{model}/infer', '/v2/models/{model}/ready',
      '/v2/models/{model}/versions/{version}', '/v2/models/{model}/versions/{version}/infer', '/v2/models/{model}/versions/{version}/ready',
    ]);
    const predict = spec.paths['/v1/predict']!.post!;
    expect(Object.keys(predict.requestBody!.content).sort()).toEqual(['application/json', 'multipart/form-data']);
    expect(Object.keys(predict.responses).sort()).toEqual(['200', '400', '401', '413', '415', '503']);
    expect(Object.keys(spec.paths['/v2/models/{model}/infer']!.post!.responses).sort()).toEqual(['200', '400', '401', '404', '413', '415', '503']);
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await app.inject({ url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/swagger/i);
  });
});
