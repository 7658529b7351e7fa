import { afterAll, describe, expect, it } from '@jest/globals';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTestApp, cleanTempDirs, tempDir, tinyBundle } from '../helpers/app.js';

afterAll(cleanTempDirs);

describe('health', () => {
  it('is live at once, ready only after loading, warm-up and the golden check', async () => {
    const app = await buildTestApp({ load: false });
    expect((await app.inject({ url: '/health/live' })).json()).toEqual({ status: 'ok' });
    const before = await app.inject({ url: '/health/ready' });
    expect([before.statusCode, before.json(), before.headers['retry-after']]).toEqual([503, { status: 'idle' }, '1']);
    const predict = await app.inject({ method: 'POST', url: '/v1/predict', payload: { images: [{ name: 'a.jpg', data: 'AAAA' }] } });
    expect([predict.statusCode, (predict.json<{ code: string }>()).code]).toEqual([503, 'MODEL_NOT_READY']);
    expect((await app.inject({ url: '/v1/labels' })).statusCode).toBe(503);

    const loading = app.model.load();
    expect((await app.inject({ url: '/health/ready' })).json()).toEqual({ status: 'loading' });
    await loading;
    expect(app.model.golden).toMatchObject({ samples: 9, failures: [] });
    expect(app.model.golden!.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    const after = await app.inject({ url: '/health/ready' });
    expect([after.statusCode, after.json()]).toEqual([200, { status: 'ready', model: { name: 'planet-tiny-test', version: '0.0.0-tiny' } }]);
    await app.close();
  });

  it('reports a refused bundle as failed, with the reason', async () => {
    const dir = join(tempDir(), 'bundle');
    cpSync((await tinyBundle()).dir, dir, { recursive: true });
    // Golden probabilities nudged by 1e-3: decoding and inference are right, so the check must catch it.
    const golden = (await tinyBundle()).golden.map((g) => ({ ...g, probabilities: g.probabilities.map((p) => p + 1e-3) }));
    writeFileSync(join(dir, 'golden.json'), JSON.stringify(golden));
    const app = await buildTestApp({ load: false, modelDir: dir });
    await expect(app.model.load()).rejects.toThrow(/golden\.json: chip_cmyk_256\.jpg: .* \(off by 1\.00e-3\)/);
    const res = await app.inject({ url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'failed', error: expect.stringMatching(/^model bundle .* is refused/) });
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200);
    await app.close();
  });

  it('skips the golden check when VERIFY_GOLDEN=false', async () => {
    const app = await buildTestApp({ env: { VERIFY_GOLDEN: 'false' } });
    expect(app.model.ready).toBe(true);
    expect(app.model.golden).toBeUndefined();
    await app.close();
  });
});
