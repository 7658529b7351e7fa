/**
 * The golden test: every sample of a bundle's golden.json, sent as image bytes through HTTP, comes
 * back with the probabilities the bundle's producer computed, within 1e-4. Run against the tiny test
 * bundle always, and against a real bundle from the modeling pipeline when one exists (MODEL_DIR, or
 * ../modeling-repo/models, where the modeling pipeline publishes).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, cleanTempDirs, tinyBundle } from '../helpers/app.js';
import { multipart } from '../helpers/multipart.js';
import { skipNotice } from '../helpers/skip-notice.js';

afterAll(cleanTempDirs);

interface Golden { name: string; jpeg: string; probabilities: number[] }
interface PredictBody { model: { version: string }; predictions: { name: string; probabilities: Record<string, number> }[] }

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const realDir = resolve(REPO, process.env.MODEL_DIR ?? '../modeling-repo/models');
const hasReal = existsSync(resolve(realDir, 'golden.json'));
if (!hasReal) skipNotice('golden test on a real bundle (test/app/golden.test.ts)', `no bundle at ${realDir} (set MODEL_DIR or export one with modeling-repo)`);

/** Sends all samples in requests of at most `perRequest` images; returns the worst difference. */
async function worstDifference(app: FastifyInstance, golden: Golden[], labels: string[], perRequest: number, asMultipart: boolean): Promise<number> {
  let worst = 0;
  for (let start = 0; start < golden.length; start += perRequest) {
    const chunk = golden.slice(start, start + perRequest);
    const request = asMultipart
      ? await multipart(chunk.map((g) => ({ name: g.name, bytes: Buffer.from(g.jpeg, 'base64') })))
      : { payload: { images: chunk.map((g) => ({ name: g.name, data: g.jpeg })) } };
    const res = await app.inject({ method: 'POST', url: '/v1/predict', ...request });
    expect(res.statusCode).toBe(200);
    const body = res.json<PredictBody>();
    chunk.forEach((g, i) => {
      const got = body.predictions[i]!;
      expect(got.name).toBe(g.name);
      labels.forEach((label, j) => {
        const diff = Math.abs(got.probabilities[label]! - g.probabilities[j]!);
        if (diff > 1e-4) throw new Error(`${g.name}: ${label} is ${got.probabilities[label]}, golden ${g.probabilities[j]}`);
        worst = Math.max(worst, diff);
      });
    });
  }
  return worst;
}

describe('golden test', () => {
  it('tiny bundle: every golden probability within 1e-4, multipart and JSON, batched', async () => {
    const bundle = await tinyBundle();
    const app = await buildTestApp({ env: { VERIFY_GOLDEN: 'false' } });
    expect(await worstDifference(app, bundle.golden, bundle.card.labels, 64, true)).toBeLessThanOrEqual(1e-4);
    expect(await worstDifference(app, bundle.golden, bundle.card.labels, 3, false)).toBeLessThanOrEqual(1e-4);
    await app.close();
  });

  (hasReal ? it : it.skip)(`real bundle (${realDir}): every golden probability within 1e-4`, async () => {
    const golden = JSON.parse(readFileSync(resolve(realDir, 'golden.json'), 'utf8')) as Golden[];
    const card = JSON.parse(readFileSync(resolve(realDir, 'model.json'), 'utf8')) as { labels: string[]; version: string };
    const app = await buildTestApp({ modelDir: realDir, env: { VERIFY_GOLDEN: 'false' } });
    expect(golden.length).toBeGreaterThanOrEqual(8);
    const worst = await worstDifference(app, golden, card.labels, 64, true);
    console.log(`golden test on ${realDir} (${card.version}): ${golden.length} samples, worst difference ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-4);
    await app.close();
  });
});
