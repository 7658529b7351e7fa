import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, cleanTempDirs, tinyBundle } from '../helpers/app.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});
afterAll(cleanTempDirs);

/** Records the batch size of every inference run the batcher makes; `delayMs` slows each run. */
function spyRuns(instance: FastifyInstance, delayMs = 0): number[] {
  const model = instance.model.require();
  const run = model.run.bind(model);
  const sizes: number[] = [];
  jest.spyOn(model, 'run').mockImplementation(async (images) => {
    sizes.push(images.length);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    return run(images);
  });
  return sizes;
}

async function images(n: number): Promise<{ name: string; data: string }[]> {
  const bundle = await tinyBundle();
  return Array.from({ length: n }, (_, i) => ({ name: `chip_${i}.jpg`, data: bundle.images[i % bundle.images.length]!.bytes.toString('base64') }));
}

describe('dynamic batching', () => {
  it('gathers concurrent requests into one inference run', async () => {
    app = await buildTestApp({ env: { MAX_BATCH: '16', MAX_QUEUE_DELAY_US: '300000' } });
    const sizes = spyRuns(app);
    const one = await images(6);
    const answers = await Promise.all(one.map((image) => app!.inject({ method: 'POST', url: '/v1/predict', payload: { images: [image] } })));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(answers.map((a) => a.json<{ predictions: { name: string }[] }>().predictions[0]!.name)).toEqual(one.map((i) => i.name));
    expect(sizes).toEqual([6]);
  });

  it('splits what exceeds MAX_BATCH and keeps every answer with its request', async () => {
    app = await buildTestApp({ env: { MAX_BATCH: '4', MAX_QUEUE_DELAY_US: '300000' } });
    const sizes = spyRuns(app);
    const all = await images(10);
    const answers = await Promise.all([all.slice(0, 3), all.slice(3, 9), all.slice(9)].map((batch) => app!.inject({ method: 'POST', url: '/v1/predict', payload: { images: batch } })));
    expect(answers.map((a) => a.json<{ predictions: { name: string }[] }>().predictions.map((p) => p.name))).toEqual([
      all.slice(0, 3).map((i) => i.name), all.slice(3, 9).map((i) => i.name), all.slice(9).map((i) => i.name),
    ]);
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('runs a lone request without waiting when MAX_QUEUE_DELAY_US is 0', async () => {
    app = await buildTestApp({ env: { MAX_QUEUE_DELAY_US: '0' } });
    const sizes = spyRuns(app);
    const started = performance.now();
    expect((await app.inject({ method: 'POST', url: '/v1/predict', payload: { images: await images(1) } })).statusCode).toBe(200);
    expect(performance.now() - started).toBeLessThan(250);
    expect(sizes).toEqual([1]);
  });

  it('answers 503 with Retry-After when the queue is full, and serves the rest', async () => {
    app = await buildTestApp({ env: { MAX_BATCH: '2', MAX_FILES: '2', MAX_QUEUE: '2', MAX_QUEUE_DELAY_US: '0' } });
    spyRuns(app, 150);
    const two = await images(2);
    const answers = await Promise.all(Array.from({ length: 6 }, () => app!.inject({ method: 'POST', url: '/v1/predict', payload: { images: two } })));
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    const refused = answers.filter((a) => a.statusCode === 503);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) {
      expect(r.headers['retry-after']).toBe('1');
      expect(r.json()).toMatchObject({ code: 'QUEUE_FULL', error: expect.stringMatching(/^inference queue is full/) });
    }
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
  });

  it('answers 503 when the event loop is saturated, but health still answers', async () => {
    app = await buildTestApp({ env: { MAX_EVENT_LOOP_DELAY_MS: '20' } });
    // The guard samples the mean delay every 250 ms; one long stall stands out against ~25 short
    // samples only when it is long enough, so stall until the guard reports it (a few tries at most).
    let res = await app.inject({ url: '/v1/labels' });
    for (let attempt = 0; attempt < 5 && res.statusCode !== 503; attempt++) {
      await new Promise((r) => setTimeout(r, 300));
      const until = Date.now() + 1200;
      while (Date.now() < until) { /* hold the event loop, as a CPU-bound stall would */ }
      await new Promise((r) => setTimeout(r, 5));
      res = await app.inject({ url: '/v1/labels' });
    }
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({ code: 'UNDER_PRESSURE' });
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200);
  });
});
