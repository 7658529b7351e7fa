/**
 * The Docker image, end to end: built from the Dockerfile with a model bundle inside, run read-only
 * under testcontainers, and exercised over HTTP. Skips (with a message) when no engine answers,
 * unless REQUIRE_DOCKER is set. With MODEL_DIR set to a real bundle, the golden check runs on it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StartedTestContainer } from 'testcontainers';
import {
  type Bundle, type Golden, baseUrl, buildImage, dockerRequired, prepareBundle, probeEngine, readBundle, startService,
} from './image.js';
import { skipNotice } from '../helpers/skip-notice.js';

const GOLDEN_TOLERANCE = 1e-4;
const SETUP_TIMEOUT_MS = 900_000;

const engine = await probeEngine();
if (!engine.ok) {
  const message = `no container engine reachable (${engine.reason}); set DOCKER_HOST or run ../shared/tools/container-engine/setup.sh`;
  if (dockerRequired()) throw new Error(`REQUIRE_DOCKER is set but ${message}`);
  skipNotice('image integration tests (test/integration)', message);
}
const maybe = engine.ok ? describe : describe.skip;

interface Prediction {
  name: string;
  labels: string[];
  probabilities: Record<string, number>;
}
interface PredictResponse {
  model: { name: string; version: string };
  predictions: Prediction[];
}

const imageBlob = (g: Golden): Blob => new Blob([Buffer.from(g.jpeg, 'base64')], { type: g.name.endsWith('.png') ? 'image/png' : 'image/jpeg' });

/** The largest gap between the service's probabilities and golden.json's, over every image and label. */
function worstGap(bundle: Bundle, predictions: Prediction[]): number {
  let worst = 0;
  bundle.golden.forEach((g, i) => {
    bundle.card.labels.forEach((label, k) => {
      const got = predictions[i]?.probabilities[label];
      worst = Math.max(worst, got === undefined ? Infinity : Math.abs(got - g.probabilities[k]!));
    });
  });
  return worst;
}

maybe('planet-svc image', () => {
  let bundle: Bundle;
  let container: StartedTestContainer | undefined;
  let url: string;

  beforeAll(async () => {
    const prebuilt = process.env.PLANET_SVC_IMAGE;
    let image: string;
    if (prebuilt !== undefined && prebuilt !== '') {
      const modelDir = process.env.MODEL_DIR;
      if (modelDir === undefined || modelDir === '') throw new Error('PLANET_SVC_IMAGE needs MODEL_DIR: the bundle the image was built with');
      bundle = await readBundle(modelDir, modelDir);
      image = prebuilt;
    } else {
      bundle = await prepareBundle();
      image = await buildImage('planet-svc:integration');
    }
    console.log(`testing image ${image} with ${bundle.source} (${bundle.card.name} ${bundle.card.version}, ${bundle.golden.length} golden images)`);
    container = await startService(image);
    url = baseUrl(container);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await container?.stop({ timeout: 20 });
  }, 60_000);

  it('is live and ready, serving the bundle it was built with', async () => {
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    const card = await (await fetch(`${url}/v1/model`)).json() as { name: string; version: string };
    expect(card).toMatchObject({ name: bundle.card.name, version: bundle.card.version });
  });

  it('runs as a non-root user on a read-only root filesystem, writing only to /tmp', async () => {
    const id = await container!.exec(['id', '-u']);
    expect(id.output.trim()).not.toBe('0');
    const write = await container!.exec(['sh', '-c', 'touch /app/probe 2>&1; echo rc=$?']);
    expect(write.output).toMatch(/Read-only file system/);
    const tmp = await container!.exec(['sh', '-c', 'touch /tmp/probe && echo ok']);
    expect(tmp.output.trim()).toBe('ok');
  });

  it('predicts multipart uploads, in request order', async () => {
    const [a, b] = bundle.golden;
    const form = new FormData();
    form.append('images', imageBlob(a!), a!.name);
    form.append('images', imageBlob(b!), b!.name);
    const res = await fetch(`${url}/v1/predict`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const body = await res.json() as PredictResponse;
    expect(body.model).toEqual({ name: bundle.card.name, version: bundle.card.version });
    expect(body.predictions.map((p) => p.name)).toEqual([a!.name, b!.name]);
    expect(Object.keys(body.predictions[0]!.probabilities)).toEqual(bundle.card.labels);
  });

  it('reproduces every golden probability within 1e-4 through the image (JSON batch)', async () => {
    const images = bundle.golden.map((g) => ({ name: g.name, data: g.jpeg }));
    const res = await fetch(`${url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ images }) });
    expect(res.status).toBe(200);
    const body = await res.json() as PredictResponse;
    expect(body.predictions.map((p) => p.name)).toEqual(bundle.golden.map((g) => g.name));
    const gap = worstGap(bundle, body.predictions);
    console.log(`golden check: ${bundle.golden.length} images x ${bundle.card.labels.length} labels, largest difference ${gap.toExponential(2)}`);
    expect(gap).toBeLessThanOrEqual(GOLDEN_TOLERANCE);
  });

  it('answers a bad input with a 4xx that names the file, and keeps serving', async () => {
    const form = new FormData();
    form.append('images', new Blob([Buffer.from('this is not an image')], { type: 'image/jpeg' }), 'broken.jpg');
    const res = await fetch(`${url}/v1/predict`, { method: 'POST', body: form });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await res.text()).toContain('broken.jpg');
    const json = await fetch(`${url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"images": [' });
    expect(json.status).toBe(400);
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
  });

  it('exposes Prometheus metrics with the model version', async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^# TYPE \w+ histogram$/m);
    expect(text).toContain(bundle.card.version);
  });

  it('shuts down promptly on SIGTERM', async () => {
    const started = Date.now();
    await container!.stop({ timeout: 20 });
    container = undefined;
    // An ignored SIGTERM would run into the 20 s timeout and a SIGKILL.
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 60_000);
});
