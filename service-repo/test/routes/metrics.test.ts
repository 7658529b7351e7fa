import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, cleanTempDirs, tinyBundle } from '../helpers/app.js';

let app: FastifyInstance;

beforeAll(async () => { app = await buildTestApp(); });
afterAll(async () => {
  await app.close();
  cleanTempDirs();
});

describe('GET /metrics', () => {
  it('counts requests per route and status, batches, queue waits and images, labelled with the model version', async () => {
    const bundle = await tinyBundle();
    const images = bundle.images.slice(0, 3).map((i) => ({ name: i.name, data: i.bytes.toString('base64') }));
    expect((await app.inject({ method: 'POST', url: '/v1/predict', payload: { images } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/v1/predict?threshold=9', payload: { images } })).statusCode).toBe(400);
    await app.inject({ url: '/no/such/route' });
    const res = await app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    const labels = 'model="planet-tiny-test",model_version="0.0.0-tiny"';
    expect(text).toContain(`http_requests_total{route="/v1/predict",method="POST",status_code="200",${labels}} 1`);
    expect(text).toContain(`http_requests_total{route="/v1/predict",method="POST",status_code="400",${labels}} 1`);
    expect(text).toContain(`http_requests_total{route="unmatched",method="GET",status_code="404",${labels}} 1`);
    expect(text).toContain(`http_request_duration_seconds_bucket{le="+Inf",${labels},route="/v1/predict",method="POST",status_code="200"} 1`);
    // Warm-up and the golden check run the model directly; only requests go through the batcher.
    expect(text).toContain(`inference_batch_size_count{${labels}} 1`);
    expect(text).toContain(`inference_batch_size_sum{${labels}} 3`);
    expect(text).toContain(`inference_queue_wait_seconds_count{${labels}} 3`);
    expect(text).toContain(`inference_images_total{${labels}} 3`);
    expect(text).toContain(`inference_images_per_second{${labels}} 0.3`);
    expect(text).toContain(`inference_queue_depth{${labels}} 0`);
    expect(text).toMatch(/process_resident_memory_bytes\{model="planet-tiny-test",model_version="0.0.0-tiny"\} \d+/);
  });
});
