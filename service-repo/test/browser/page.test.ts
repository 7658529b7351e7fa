/**
 * The page in a real browser: Debian's chromium driven by playwright-core (no browser download).
 * Drops chips on the page, waits for the tags, and for the same model run in the browser by
 * onnxruntime-web (WASM, threads under cross-origin isolation) to agree with the service.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { buildTestApp, cleanTempDirs, tinyBundle } from '../helpers/app.js';
import { skipNotice } from '../helpers/skip-notice.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser) skipNotice('browser test (test/browser)', `no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
const maybe = haveBrowser ? describe : describe.skip;
const SCREENSHOT = join(tmpdir(), 'planet-svc-page.png');

let app: FastifyInstance;
let browser: Browser;
let base: string;

/** Rendered fill width over track width (boundingBox), and the probability the row prints, for every bar. */
async function barRatios(prediction: Locator): Promise<{ label: string; ratio: number; probability: number }[]> {
  const rows = await prediction.locator('.bar').all();
  return Promise.all(rows.map(async (row) => {
    const fill = await row.locator('.fill').boundingBox();
    const track = await row.locator('.track').boundingBox();
    return {
      label: (await row.getAttribute('data-label')) ?? '',
      ratio: (fill?.width ?? Number.NaN) / (track?.width ?? Number.NaN),
      probability: Number(await row.locator('.value').textContent()),
    };
  }));
}

/** Console errors and failed or refused requests (a missing favicon is one). */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => { problems.push(`page error: ${e.message}`); });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  return problems;
}

maybe('the page in chromium', () => {
  beforeAll(async () => {
    app = await buildTestApp();
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser.close();
    await app.close();
    cleanTempDirs();
  });

  it('tags dropped chips and the browser run of the same model agrees with the service', async () => {
    const bundle = await tinyBundle();
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const errors = watchProblems(page);
    await page.goto(base);
    expect(await page.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated)).toBe(true);
    await page.check('#browser');
    const files = bundle.images.slice(0, 3).map((i) => ({ name: i.name, mimeType: i.name.endsWith('.png') ? 'image/png' : 'image/jpeg', buffer: i.bytes }));
    await page.setInputFiles('#files', files);
    await page.waitForSelector('#agreement[data-max-diff]', { timeout: 90_000 });
    const maxDiff = Number(await page.getAttribute('#agreement', 'data-max-diff'));
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
    const predictions = page.locator('.prediction');
    const names = await Promise.all(files.map((_, i) => predictions.nth(i).getAttribute('data-name')));
    expect(await predictions.count()).toBe(files.length);
    expect(names).toEqual(files.map((f) => f.name));
    expect(await page.locator('.prediction').first().locator('.bar').count()).toBe(17);
    expect(await page.textContent('#status')).toMatch(/planet-tiny-test 0\.0\.0-tiny: 3 image\(s\) tagged/);

    // Each bar is drawn as wide as its probability (of the track), within 2%.
    const bars = await barRatios(predictions.first());
    expect(bars).toHaveLength(17);
    for (const bar of bars) expect({ label: bar.label, within2Percent: Math.abs(bar.ratio - bar.probability) <= 0.02 }).toEqual({ label: bar.label, within2Percent: true });
    expect(bars.some((b) => b.ratio > 0.05)).toBe(true);

    // The card says the model learnt from synthetic data: the page says so.
    await page.waitForSelector('#notice:not([hidden])');
    expect(await page.textContent('#notice')).toMatch(/synthetic.*meaningless/);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`page screenshot: ${SCREENSHOT}`);
    expect(errors).toEqual([]);

    // An error replaces the previous answer instead of sitting above it.
    await page.setInputFiles('#files', [{ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a jpeg') }]);
    await page.waitForSelector('#status.error');
    expect(await page.textContent('#status')).toMatch(/^400: notes\.jpg/);
    expect(await page.locator('.prediction').count()).toBe(0);
    expect(await page.textContent('#agreement')).toBe('');
    expect(await page.getAttribute('#agreement', 'data-max-diff')).toBeNull();
    await page.close();
  });
});
