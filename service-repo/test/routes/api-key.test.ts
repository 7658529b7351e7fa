import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, cleanTempDirs } from '../helpers/app.js';

const KEY = 'test-key-0123456789abcdef';
let app: FastifyInstance;

beforeAll(async () => { app = await buildTestApp({ env: { API_KEY: KEY } }); });
afterAll(async () => {
  await app.close();
  cleanTempDirs();
});

describe('API_KEY', () => {
  it.each(['/v1/labels', '/v1/model', '/v2', '/v2/models/planet', '/v2/health/ready'])('guards %s', async (url) => {
    const missing = await app.inject({ url });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({ code: 'UNAUTHORIZED', error: expect.stringMatching(/^missing API key/) });
    expect((await app.inject({ url, headers: { 'x-api-key': 'wrong-key-0123456789abc' } })).json()).toMatchObject({ error: 'wrong API key' });
    expect((await app.inject({ url, headers: { 'x-api-key': KEY } })).statusCode).toBe(200);
    expect((await app.inject({ url, headers: { authorization: `Bearer ${KEY}` } })).statusCode).toBe(200);
  });

  it('checks the key before reading an upload', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/predict', payload: { images: [{ name: 'a', data: '!!' }] } });
    expect(res.statusCode).toBe(401);
  });

  it.each(['/health/live', '/health/ready', '/metrics', '/'])('leaves %s open', async (url) => {
    expect((await app.inject({ url })).statusCode).toBe(200);
  });
});
